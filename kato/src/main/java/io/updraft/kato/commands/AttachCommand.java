package io.updraft.kato.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.updraft.common.component.LocalAddress;
import io.updraft.kato.agent.AgentClient;
import io.updraft.kato.node.NodeConfig;
import io.updraft.kato.roles.Roles;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code kato attach -e dea CORE_IP} (also {@code kato node attach}). */
@Command(name = "attach", mixinStandardHelpOptions = true,
    description = {"Join the cluster whose core is at CORE_IP (its LAN address), enabling the "
        + "given roles on this node.", "Example: kato attach -e dea,stager 10.0.5.6"})
public final class AttachCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  AgentOptions options;

  @Option(names = {"-e", "--enable"}, paramLabel = "ROLES", split = ",",
      description = "roles to enable here, comma-separated (e.g. dea, stager, data-services)")
  List<String> roles = List.of();

  @Parameters(paramLabel = "CORE_IP", description = "the core's LAN address (IP[:HAZELCAST_PORT])")
  String core;

  @Option(names = "--ip", paramLabel = "IP", description = "this node's LAN address")
  String ip;

  @Option(names = "--jars", paramLabel = "DIR", description = "where the component jars are")
  Path jars;

  @Option(names = "--agent-port", paramLabel = "PORT") Integer agentPort;

  @Option(names = "--http-port", paramLabel = "PORT", description = "the router's port here")
  Integer httpPort;

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "10",
      description = "how long to try to reach the core (default: ${DEFAULT-VALUE})")
  int timeoutSeconds;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<String> wanted;
    try {
      wanted = Roles.builtIn().resolveRoles(roles);
    } catch (IllegalArgumentException e) {
      err.println("kato attach: " + e.getMessage());
      return 2;
    }
    if (wanted.contains("core")) {
      err.println("kato attach: the core role comes with 'kato setup core' on the core node");
      return 2;
    }
    String address = core.contains(":") ? core : core + ":" + NodeConfig.DEFAULT_HAZELCAST_PORT;
    String host = address.substring(0, address.lastIndexOf(':'));
    int port;
    try {
      port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    } catch (NumberFormatException e) {
      err.println("kato attach: bad core address '" + core + "' (expected IP or IP:PORT)");
      return 2;
    }
    Duration timeout = Duration.ofSeconds(timeoutSeconds);
    if (!reachable(host, port, timeout)) {
      err.println("kato attach: cannot reach the core at " + host + ":" + port + " within "
          + timeoutSeconds + " s (is its agent running, and port " + port + " open to this "
          + "node?)");
      return 1;
    }
    Path home = options.home();
    Path file = home.resolve("node.yml");
    NodeConfig old = Files.isRegularFile(file) ? NodeConfig.readNode(file) : new NodeConfig(null);
    AgentProcess.stopIfRunning(home, Duration.ofSeconds(60));
    NodeConfig node = new NodeConfig(null, old.nodeId(), old.hostname(),
        ip != null ? ip : localAddressTowards(host, port), List.of(), false, host + ":" + port,
        null, agentPort != null ? agentPort : old.agentPort(), old.hazelcastPort(),
        old.natsPort(), httpPort != null ? httpPort : old.httpPort(),
        jars != null ? jars.toAbsolutePath().toString()
            : old.jars() != null ? old.jars() : Jars.defaultDir());
    node.write(file);
    AgentProcess.ensureRunning(home, Duration.ofSeconds(60));
    try {
      AgentProcess.awaitJoined(home, timeout.plusSeconds(5));
    } catch (IllegalStateException e) {
      AgentProcess.stopIfRunning(home, Duration.ofSeconds(30));
      err.println("kato attach: cannot reach the core at " + host + ":" + port + " within "
          + timeoutSeconds + " s: " + e.getMessage());
      return 1;
    }
    if (!wanted.isEmpty()) {
      ObjectNode body = JsonNodeFactory.instance.objectNode();
      wanted.forEach(body.putArray("roles")::add);
      AgentClient.forHome(home).post("/v1/roles/enable", body);
    }
    JsonNode info = AgentClient.forHome(home).get("/v1/info");
    out.println("Attached " + info.path("hostname").asText() + " (" + info.path("ip").asText()
        + ") to the core at " + host + ":" + port + " with roles "
        + (wanted.isEmpty() ? "(none)" : String.join(",", wanted)) + "; the cluster has "
        + info.path("cluster_nodes").asInt() + " node(s).");
    return 0;
  }

  static boolean reachable(String host, int port, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    while (true) {
      long left = Duration.between(Instant.now(), deadline).toMillis();
      if (left <= 0) {
        return false;
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(host, port), (int) Math.min(left, 3000));
        return true;
      } catch (IOException e) {
        long wait = Math.min(500, Duration.between(Instant.now(), deadline).toMillis());
        if (wait <= 0) {
          return false;
        }
        try {
          Thread.sleep(wait); // retrying a connection until the deadline
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
  }

  /** The address this node uses to reach the core: the one the core can reach it at. */
  static String localAddressTowards(String host, int port) {
    try (java.net.DatagramSocket s = new java.net.DatagramSocket()) {
      s.connect(new InetSocketAddress(host, port));
      String local = s.getLocalAddress().getHostAddress();
      if (!local.equals("0.0.0.0")) {
        return local;
      }
    } catch (IOException e) {
      // fall through
    }
    return LocalAddress.pick(null);
  }
}
