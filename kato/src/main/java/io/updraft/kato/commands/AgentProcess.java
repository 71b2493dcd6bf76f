package io.updraft.kato.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.updraft.common.files.PrivateFiles;
import io.updraft.kato.agent.AgentClient.AgentError;
import io.updraft.kato.agent.AgentClient.AgentUnavailable;
import io.updraft.kato.agent.AgentClient;
import io.updraft.kato.node.NodeHome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts this node's agent in the background ({@code kato agent} as its own session, output in
 * {@code $UPDRAFT_HOME/logs/agent.log}, pid in {@code agent.pid}) and stops it.
 */
final class AgentProcess {

  private AgentProcess() {
  }

  /** The agent's JVM: small, since it only holds a few documents and supervises. */
  static List<String> command(Path home) throws IOException {
    List<String> cmd = new ArrayList<>();
    if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
      cmd.add("/usr/bin/setsid"); // its own session: a closed terminal does not take it down
    }
    cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx96m", "-XX:+UseSerialGC", "-XX:MaxMetaspaceSize=128m", "-Xss512k",
        "-XX:ReservedCodeCacheSize=48m", "-XX:TieredStopAtLevel=1",
        // what Hazelcast asks for on Java 17 (it warns at every start without them)
        "--add-modules", "java.se",
        "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
        "--add-opens", "java.base/java.lang=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens", "java.management/sun.management=ALL-UNNAMED",
        "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
        "-cp", classPath(home), "io.updraft.kato.KatoMain", "agent"));
    return cmd;
  }

  /**
   * The agent runs from its own copy of the kato jar ({@code $UPDRAFT_HOME/lib/}), so rebuilding
   * or upgrading the jar under a running agent cannot break its class loading.
   */
  private static String classPath(Path home) throws IOException {
    String cp = System.getProperty("java.class.path");
    Path jar = Path.of(cp);
    if (cp.contains(java.io.File.pathSeparator) || !cp.endsWith(".jar")
        || !Files.isRegularFile(jar)) {
      return cp;
    }
    Path lib = home.resolve("lib");
    PrivateFiles.createDirectories(lib);
    Path copy = lib.resolve("kato-" + Files.getLastModifiedTime(jar).toMillis() + ".jar");
    if (!Files.isRegularFile(copy)) {
      try (var old = Files.list(lib)) {
        old.filter(p -> p.getFileName().toString().startsWith("kato-")).forEach(p -> {
          try {
            Files.deleteIfExists(p);
          } catch (IOException e) {
            // an old copy in use by a running agent stays
          }
        });
      }
      Path tmp = lib.resolve(".kato.jar.tmp");
      Files.copy(jar, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      PrivateFiles.restrict(tmp); // a copy has the source's mode
      Files.move(tmp, copy, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
    return copy.toString();
  }

  /** Starts the agent unless it answers already; returns once it answers. */
  static void ensureRunning(Path home, Duration timeout) throws IOException, InterruptedException {
    if (isUp(home)) {
      return;
    }
    Path logs = PrivateFiles.createDirectories(NodeHome.create(home).resolve("logs"));
    Path log = logs.resolve("agent.log");
    // the redirect would create it with the usual modes
    PrivateFiles.writeString(log, "", java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
    ProcessBuilder builder = new ProcessBuilder(command(home))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    builder.environment().put("UPDRAFT_HOME", home.toString());
    Process process = builder.start();
    Instant deadline = Instant.now().plus(timeout);
    while (!isUp(home)) {
      if (!process.isAlive() && !isUp(home)) {
        throw new IllegalStateException("the node agent exited at start; see " + log + ":\n"
            + tail(log, 5));
      }
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException("the node agent did not answer within "
            + timeout.toSeconds() + " s; see " + log);
      }
      Thread.sleep(200); // polling a process that is starting
    }
  }

  static boolean isUp(Path home) {
    try {
      return AgentClient.forHome(home).isUp();
    } catch (AgentUnavailable e) {
      return false;
    }
  }

  /** Asks a running agent to stop (it stops its processes first) and waits until it is gone. */
  static void stopIfRunning(Path home, Duration timeout) throws InterruptedException {
    if (!isUp(home)) {
      return;
    }
    try {
      AgentClient.forHome(home).post("/v1/shutdown", null);
    } catch (AgentUnavailable | AgentError e) {
      return;
    }
    awaitDown(home, timeout);
  }

  static void awaitDown(Path home, Duration timeout) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (isUp(home)) {
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException("the node agent did not stop within "
            + timeout.toSeconds() + " s");
      }
      Thread.sleep(200); // polling a process that is stopping
    }
  }

  /** Waits until the agent has joined its cluster; the agent's join error otherwise. */
  static JsonNode awaitJoined(Path home, Duration timeout) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (true) {
      JsonNode info = AgentClient.forHome(home).get("/v1/info");
      if (info.path("joined").asBoolean()) {
        return info;
      }
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException(info.path("join_error").asText(
            "the agent did not join the cluster within " + timeout.toSeconds() + " s"));
      }
      Thread.sleep(200); // polling the agent while it joins
    }
  }

  static String tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "";
    }
  }
}
