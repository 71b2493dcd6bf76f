package io.updraft.kato.micro;

import io.updraft.kato.KatoMain;
import io.updraft.kato.node.NodeConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kato micro up}: run a whole cloud on this machine in the foreground. */
@Command(name = "micro", mixinStandardHelpOptions = true,
    description = "Run a whole Updraft cloud on this machine.",
    subcommands = MicroCommand.Up.class)
public final class MicroCommand {

  @Command(name = "up", mixinStandardHelpOptions = true,
      description = "Start NATS and every component here; Ctrl-C stops them all.")
  static final class Up implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--jars", paramLabel = "DIR",
        description = "where the component jars are (default: the source tree this kato "
            + "jar was built in)")
    Path jars;

    @Option(names = "--nats-port", paramLabel = "PORT",
        description = "port of the micro cloud's own NATS (default: the one it used last "
            + "time, else 4222, else a free port)")
    Integer natsPort;

    @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "8080",
        description = "the router's port, where the API and apps are reached "
            + "(default: ${DEFAULT-VALUE})")
    int httpPort;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "120",
        description = "how long to wait for every component (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      Path jarDir = jars != null ? jars : sourceTree();
      if (jarDir == null || !Files.isDirectory(jarDir)) {
        err.println("kato micro: cannot find the component jars; pass --jars DIR");
        return 2;
      }
      if (natsPort != null && (natsPort < 1 || natsPort > 65535)) {
        err.println("kato micro: --nats-port must be between 1 and 65535");
        return 2;
      }
      MicroCloud cloud = new MicroCloud(NodeConfig.home(), jarDir, natsPort, httpPort, out);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        out.println("stopping the micro cloud");
        out.flush();
        cloud.stop();
      }, "micro-cloud-stop"));
      try {
        cloud.start(Duration.ofSeconds(timeoutSeconds));
      } catch (IllegalStateException e) {
        err.println("kato micro: " + e.getMessage());
        cloud.stop();
        return 1;
      }
      cloud.awaitShutdown();
      return 0;
    }

    /** {@code <tree>/kato/target/updraft-kato.jar} gives {@code <tree>}. */
    private static Path sourceTree() {
      try {
        Path jar = Path.of(KatoMain.class.getProtectionDomain().getCodeSource().getLocation()
            .toURI());
        Path tree = jar.getParent() == null ? null : jar.getParent().getParent();
        return tree == null ? null : tree.getParent();
      } catch (Exception e) {
        return null;
      }
    }
  }
}
