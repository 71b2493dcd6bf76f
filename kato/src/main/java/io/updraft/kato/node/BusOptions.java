package io.updraft.kato.node;

import io.updraft.common.bus.NatsConfig;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * How a {@code kato} command finds the bus: explicit options, else this node's file.
 * Shared by every command that talks to NATS.
 */
public final class BusOptions {

  @Option(names = "--nats", paramLabel = "URL",
      description = "NATS server, e.g. nats://10.0.5.6:4222 (default: from the node file)")
  String server;

  @Option(names = "--nats-user", paramLabel = "USER", description = "NATS user")
  String user;

  @Option(names = "--nats-password", paramLabel = "PASSWORD",
      description = "NATS password (prefer the node file or UPDRAFT_NATS_PASSWORD)")
  String password;

  @Option(names = "--node-file", paramLabel = "PATH",
      description = "node settings file (default: $UPDRAFT_HOME/node.yml, ~/.updraft/node.yml)")
  Path nodeFile;

  public NatsConfig natsConfig() {
    if (server != null) {
      String pass = password != null ? password : System.getenv("UPDRAFT_NATS_PASSWORD");
      return new NatsConfig(List.of(server), user, user == null ? null : pass, null, null, null)
          .validate("--nats ");
    }
    return NodeConfig.read(nodeFile != null ? nodeFile : NodeConfig.defaultFile()).nats();
  }
}
