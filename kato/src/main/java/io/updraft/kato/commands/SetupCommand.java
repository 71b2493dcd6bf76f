package io.updraft.kato.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.updraft.common.component.LocalAddress;
import io.updraft.kato.node.NodeConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code kato setup core api.DOMAIN} (also {@code kato node setup core}). */
@Command(name = "setup", mixinStandardHelpOptions = true,
    description = "Set this node up.", subcommands = SetupCommand.Core.class)
public final class SetupCommand {

  @Command(name = "core", mixinStandardHelpOptions = true,
      description = {"Make this node the core of a cluster (NATS, Hazelcast member, controller, "
          + "router, health manager) with the given API endpoint; apps get DOMAIN.",
          "Other nodes then join with: kato attach -e ROLE THIS_NODE_LAN_IP"})
  public static final class Core implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    AgentOptions options;

    @Parameters(paramLabel = "API_ENDPOINT", description = "e.g. api.10.0.5.6.xip.io")
    String endpoint;

    @Option(names = "--ip", paramLabel = "IP",
        description = "this node's LAN address (default: the current one, else the first LAN IP)")
    String ip;

    @Option(names = "--jars", paramLabel = "DIR", description = "where the component jars are")
    Path jars;

    @Option(names = "--agent-port", paramLabel = "PORT") Integer agentPort;
    @Option(names = "--hazelcast-port", paramLabel = "PORT") Integer hazelcastPort;
    @Option(names = "--nats-port", paramLabel = "PORT") Integer natsPort;
    @Option(names = "--http-port", paramLabel = "PORT", description = "the router's port")
    Integer httpPort;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      if (endpoint == null || !endpoint.matches("[A-Za-z0-9][A-Za-z0-9.-]*(:\\d+)?")) {
        spec.commandLine().getErr().println("kato setup core: bad API endpoint '" + endpoint
            + "' (expected e.g. api.10.0.5.6.xip.io)");
        return 2;
      }
      Path home = options.home();
      Path file = home.resolve("node.yml");
      NodeConfig old = Files.isRegularFile(file) ? NodeConfig.readNode(file)
          : new NodeConfig(null);
      AgentProcess.stopIfRunning(home, Duration.ofSeconds(60));
      List<String> roles = new ArrayList<>(List.of("core"));
      if (old.core()) {
        old.roles().stream().filter(r -> !roles.contains(r)).forEach(roles::add);
      }
      String nodeIp = ip != null ? ip : old.core() && old.ip() != null ? old.ip()
          : LocalAddress.pick(null);
      NodeConfig node = new NodeConfig(old.core() ? old.nats() : null, old.nodeId(),
          old.hostname(), nodeIp, roles, true, null, endpoint,
          agentPort != null ? agentPort : old.agentPort(),
          hazelcastPort != null ? hazelcastPort : old.hazelcastPort(),
          natsPort != null ? natsPort : old.natsPort(),
          httpPort != null ? httpPort : old.httpPort(),
          jars != null ? jars.toAbsolutePath().toString()
              : old.jars() != null ? old.jars() : Jars.defaultDir());
      node.write(file);
      AgentProcess.ensureRunning(home, Duration.ofSeconds(60));
      JsonNode info = AgentProcess.awaitJoined(home, Duration.ofSeconds(60));
      out.println("This node (" + info.path("hostname").asText() + ", " + nodeIp
          + ") is the core of its cluster.");
      out.println("  API endpoint:  " + endpoint + "   apps: <app>."
          + (endpoint.startsWith("api.") ? endpoint.substring(4) : endpoint));
      out.println("  roles:         " + String.join(",", roles));
      out.println("  cluster:       Hazelcast " + nodeIp + ":" + node.hazelcastPort() + ", NATS "
          + nodeIp + ":" + node.natsPort());
      out.println("Attach other nodes with:  kato attach -e dea " + nodeIp
          + (node.hazelcastPort() == NodeConfig.DEFAULT_HAZELCAST_PORT ? ""
              : ":" + node.hazelcastPort()));
      out.println("Watch it with:            kato status --all");
      return 0;
    }
  }
}
