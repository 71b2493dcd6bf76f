package io.updraft.controller.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.updraft.common.protocol.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A CF v1 API client for tests: raw token in AUTHORIZATION, JSON bodies. */
public final class ApiClient {

  /** A response with its JSON body parsed (missing when empty or not JSON). */
  public record Reply(int status, String text, HttpResponse<String> raw) {

    public JsonNode json() {
      try {
        return text.isEmpty() ? MissingNode.getInstance()
            : Json.tree(text.getBytes(StandardCharsets.UTF_8));
      } catch (RuntimeException e) {
        return MissingNode.getInstance();
      }
    }

    public int code() {
      return json().path("code").asInt(-1);
    }
  }

  private final HttpClient http = HttpClient.newBuilder()
      .followRedirects(HttpClient.Redirect.NEVER).build();
  private final String base;
  private String token;

  public ApiClient(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  /** The same target with another token (null: anonymous). */
  public ApiClient as(String newToken) {
    return at(Integer.parseInt(base.substring(base.lastIndexOf(':') + 1)), newToken);
  }

  /** Another API port with this client's token. */
  public ApiClient at(int port) {
    return at(port, token);
  }

  private static ApiClient at(int port, String token) {
    ApiClient copy = new ApiClient(port);
    copy.token = token;
    return copy;
  }

  public String token() {
    return token;
  }

  public Reply get(String path) throws Exception {
    return send("GET", path, null);
  }

  public Reply post(String path, String json) throws Exception {
    return send("POST", path, json);
  }

  public Reply put(String path, String json) throws Exception {
    return send("PUT", path, json);
  }

  public Reply delete(String path) throws Exception {
    return send("DELETE", path, null);
  }

  public Reply send(String method, String path, String json) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(20))
        .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(json));
    if (json != null) {
      request.header("Content-Type", "application/json");
    }
    if (token != null) {
      request.header("AUTHORIZATION", token);
    }
    HttpResponse<String> response = http.send(request.build(),
        HttpResponse.BodyHandlers.ofString());
    return new Reply(response.statusCode(), response.body(), response);
  }

  /**
   * The v1 bits upload: multipart POST with {@code _method=put}, {@code resources} as a JSON
   * string and the zip (if any) as {@code application}.
   */
  public Reply upload(String app, byte[] zip, String resourcesJson) throws Exception {
    String boundary = "----updraft" + System.nanoTime();
    java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
    java.util.function.Consumer<String> text = t -> body.writeBytes(
        t.getBytes(StandardCharsets.UTF_8));
    text.accept("--" + boundary + "\r\nContent-Disposition: form-data; name=\"_method\"\r\n\r\n"
        + "put\r\n");
    text.accept("--" + boundary + "\r\nContent-Disposition: form-data; name=\"resources\""
        + "\r\n\r\n" + resourcesJson + "\r\n");
    if (zip != null) {
      text.accept("--" + boundary + "\r\nContent-Disposition: form-data; name=\"application\"; "
          + "filename=\"app.zip\"\r\nContent-Type: application/zip\r\n\r\n");
      body.writeBytes(zip);
      text.accept("\r\n");
    }
    text.accept("--" + boundary + "--\r\n");
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/apps/" + app
        + "/application")).timeout(Duration.ofSeconds(60))
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()));
    if (token != null) {
      request.header("AUTHORIZATION", token);
    }
    HttpResponse<String> response = http.send(request.build(),
        HttpResponse.BodyHandlers.ofString());
    return new Reply(response.statusCode(), response.body(), response);
  }

  public HttpResponse<byte[]> getBytes(String path) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(20));
    if (token != null) {
      request.header("AUTHORIZATION", token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** Registers (if needed) and logs in; returns a client carrying the token. */
  public ApiClient login(String email, String password) throws Exception {
    post("/users", "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}");
    Reply reply = post("/users/" + email.replace("@", "%40") + "/tokens",
        "{\"password\":\"" + password + "\"}");
    if (reply.status() != 200) {
      throw new IllegalStateException("login failed: " + reply.status() + " " + reply.text());
    }
    return as(reply.json().path("token").asText());
  }
}
