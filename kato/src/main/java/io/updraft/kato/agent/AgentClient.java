package io.updraft.kato.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.updraft.kato.node.NodeConfig;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** How {@code kato} commands talk to this node's agent (loopback HTTP with the token). */
public final class AgentClient {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final int port;
  private final String token;
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(3)).build();
  private final Duration timeout;

  public AgentClient(int port, String token, Duration timeout) {
    this.port = port;
    this.token = token;
    this.timeout = timeout;
  }

  /** The agent of the node whose settings are in {@code home}. */
  public static AgentClient forHome(Path home) {
    Path nodeFile = home.resolve("node.yml");
    int port = Files.isRegularFile(nodeFile) ? NodeConfig.readNode(nodeFile).agentPort()
        : NodeConfig.DEFAULT_AGENT_PORT;
    Path tokenFile = home.resolve("agent.token");
    if (!Files.exists(tokenFile)) {
      throw new AgentUnavailable("this node has no agent yet (no " + tokenFile + "); run "
          + "'kato setup core api.DOMAIN' or 'kato attach -e ROLE CORE_IP' first");
    }
    try {
      return new AgentClient(port, AgentToken.read(tokenFile), Duration.ofMinutes(3));
    } catch (AccessDeniedException e) {
      throw new AgentUnavailable("cannot read " + tokenFile + ": only the operator who set up "
          + "this node (or root) may use kato here");
    } catch (IOException e) {
      throw new AgentUnavailable("cannot read " + tokenFile + ": " + e.getMessage());
    }
  }

  public JsonNode get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  public JsonNode post(String path, JsonNode body) {
    return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body == null ? "{}" : body.toString())));
  }

  public JsonNode delete(String path) {
    return send(HttpRequest.newBuilder(uri(path)).DELETE());
  }

  /** Whether the agent answers at all (used while starting one). */
  public boolean isUp() {
    try {
      get("/v1/info");
      return true;
    } catch (AgentUnavailable e) {
      return false;
    } catch (AgentError e) {
      return false; // another node's agent on this port: not ours
    }
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private JsonNode send(HttpRequest.Builder request) {
    HttpResponse<String> response;
    try {
      response = http.send(request.header("Authorization", "Bearer " + token).timeout(timeout)
          .build(), HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException e) {
      throw new AgentUnavailable("the node agent is not running (nothing on 127.0.0.1:" + port
          + "); start it with 'kato agent --daemon' (or 'kato setup core' / 'kato attach')");
    } catch (IOException e) {
      throw new AgentUnavailable("the node agent did not answer: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AgentUnavailable("interrupted");
    }
    JsonNode body;
    try {
      body = JSON.readTree(response.body());
    } catch (IOException e) {
      throw new AgentUnavailable("the agent answered " + response.statusCode()
          + " with something that is not JSON");
    }
    if (response.statusCode() >= 400) {
      throw new AgentError(response.statusCode(), body.path("error").asText("HTTP "
          + response.statusCode()));
    }
    return body;
  }

  /** No agent to talk to. */
  public static final class AgentUnavailable extends RuntimeException {
    public AgentUnavailable(String message) {
      super(message);
    }
  }

  /** The agent refused the request; the message is its one line. */
  public static final class AgentError extends RuntimeException {
    private final int status;

    public AgentError(int status, String message) {
      super(message);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }
}
