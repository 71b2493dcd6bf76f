package io.updraft.common.testing;

import io.nats.NatsServerRunner;
import io.updraft.common.bus.NatsConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A real {@code nats-server} process for tests, with user/password authentication, on a free
 * port that it keeps across {@link #stop()} and {@link #start()} so clients can reconnect.
 *
 * <p>The binary is taken from {@code $nats_server_path}, the PATH, or /usr/sbin and /usr/bin
 * (where Debian's {@code nats-server} package puts it). A missing binary is a test failure
 * with a message saying how to install it, never a skip.
 */
public final class NatsServer implements AutoCloseable {

  public static final String USER = "updraft-test";
  public static final String PASSWORD = "nats-test-secret";

  /** nats-server's own start-up chatter is noise in test output; its warnings are not. */
  private static final Logger SERVER_OUTPUT = quietLogger();

  private final int port;
  /** JetStream's store directory; null when JetStream is off (the default). */
  private final Path jetStreamDir;
  private NatsServerRunner runner;

  private NatsServer(int port) {
    this(port, null);
  }

  private NatsServer(int port, Path jetStreamDir) {
    this.port = port;
    this.jetStreamDir = jetStreamDir;
  }

  /** Starts a server on a free port. */
  public static NatsServer start() {
    NatsServer server = new NatsServer(freePort());
    server.startProcess();
    return server;
  }

  /**
   * Starts a server with JetStream on (store in a fresh temp directory, kept across
   * {@link #restart()}), for tests of the log retention stream.
   */
  public static NatsServer startWithJetStream() {
    try {
      NatsServer server = new NatsServer(freePort(), Files.createTempDirectory("nats-js-"));
      server.startProcess();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return port;
  }

  /** {@code nats://127.0.0.1:<port>} (credentials are not in the URL). */
  public String url() {
    return "nats://127.0.0.1:" + port;
  }

  /** A bus config that authenticates to this server. */
  public NatsConfig config() {
    return new NatsConfig(List.of(url()), USER, PASSWORD, null, 1_000L, 200L);
  }

  public boolean isRunning() {
    return runner != null;
  }

  /** Kills the server process (clients see a disconnect). */
  public synchronized void stop() {
    if (runner != null) {
      try {
        runner.close();
      } catch (Exception e) {
        throw new IllegalStateException("could not stop nats-server", e);
      }
      runner = null;
    }
  }

  /** Starts the server again on the same port. */
  public synchronized void restart() {
    stop();
    startProcess();
  }

  private synchronized void startProcess() {
    try {
      runner = NatsServerRunner.builder()
          .port(port)
          .executablePath(binary())
          .configInserts(configInserts())
          .outputLogger(SERVER_OUTPUT)
          // the runner's defaults give the server 0.3 s to accept a connection, too little on
          // a loaded 2-core machine; up to 10 s here, and a healthy server passes at once
          .processCheckTries(100)
          .processCheckWait(100L)
          .connectCheckTries(100)
          .connectCheckWait(100L)
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException("nats-server did not start on port " + port, e);
    }
  }

  private String[] configInserts() {
    List<String> lines = new java.util.ArrayList<>(List.of(
        "authorization {", "  user: \"" + USER + "\"", "  password: \"" + PASSWORD + "\"",
        "}"));
    if (jetStreamDir != null) {
      lines.addAll(List.of("jetstream {", "  store_dir: \"" + jetStreamDir + "\"",
          "  max_memory_store: 64MB", "  max_file_store: 256MB", "}"));
    }
    return lines.toArray(String[]::new);
  }

  @Override
  public void close() {
    stop();
  }

  /** Locates the nats-server binary or fails with instructions. */
  public static Path binary() {
    String configured = System.getenv("nats_server_path");
    if (configured != null && Files.isExecutable(Path.of(configured))) {
      return Path.of(configured);
    }
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : (path + ":/usr/sbin:/usr/bin:/usr/local/bin").split(":")) {
      if (!dir.isEmpty()) {
        Path candidate = Path.of(dir, "nats-server");
        if (Files.isExecutable(candidate)) {
          return candidate;
        }
      }
    }
    throw new IllegalStateException("nats-server is not installed: run scripts/setup-deps "
        + "(installs the Debian/Ubuntu nats-server package) or set nats_server_path");
  }

  private static Logger quietLogger() {
    Logger logger = Logger.getLogger("io.updraft.testing.nats-server");
    logger.setLevel(Level.WARNING);
    return logger;
  }

  /**
   * A port free now, for a server a test starts a moment later. Taken below Linux's ephemeral
   * range (32768 and up), where the kernel hands out ports to outgoing connections: a port from
   * {@code new ServerSocket(0)} can be taken by any process's next connect before the server
   * binds it, which happens when many tests run on one machine.
   */
  public static int freePort() {
    java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = random.nextInt(20_000, 32_000);
      try (ServerSocket socket = new ServerSocket()) {
        socket.setReuseAddress(true);
        socket.bind(new java.net.InetSocketAddress("0.0.0.0", port));
        return port;
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IllegalStateException("no free port between 20000 and 32000");
  }
}
