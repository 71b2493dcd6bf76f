package io.updraft.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One component jar running as its own process, configured only through {@code UPDRAFT__}
 * environment variables, its output in {@code target/e2e-logs/<name>.log}.
 */
final class ComponentProcess implements AutoCloseable {

  static final Path SOURCE_TREE = Path.of("").toAbsolutePath().getParent();
  static final Path LOGS = Path.of("target", "e2e-logs").toAbsolutePath();

  final String name;
  private final List<String> command;
  private final Map<String, String> env;
  private Process process;

  private ComponentProcess(String name, List<String> command, Map<String, String> env) {
    this.name = name;
    this.command = command;
    this.env = env;
  }

  static ComponentProcess start(String name, String module, Map<String, String> env)
      throws IOException {
    Path jar = SOURCE_TREE.resolve(module).resolve("target")
        .resolve("updraft-" + module + ".jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("component jar missing: " + jar
          + " (run mvn package first)");
    }
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-jar", jar.toString()));
    ComponentProcess p = new ComponentProcess(name, command, env);
    p.launch();
    return p;
  }

  private void launch() throws IOException {
    Files.createDirectories(LOGS);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(LOGS.resolve(name + ".log").toFile()));
    builder.environment().putAll(env);
    process = builder.start();
    process.getOutputStream().close();
  }

  /** Starts the same component again (after {@link #kill()}). */
  void restart() throws IOException {
    close();
    launch();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  long pid() {
    return process.pid();
  }

  /** Processes this one started and that still run (a DEA's app instances). */
  long childCount() {
    return process.descendants().count();
  }

  /** SIGKILL to every process this one started (its app instances), not to itself. */
  int killChildren() {
    List<ProcessHandle> children = process.descendants().toList();
    children.forEach(ProcessHandle::destroyForcibly);
    return children.size();
  }

  /**
   * The machine dies: SIGKILL to the component first, so it cannot report anything, then to
   * every process it had started.
   */
  void killWithChildren() throws InterruptedException {
    List<ProcessHandle> children = process.descendants().toList();
    kill();
    children.forEach(ProcessHandle::destroyForcibly);
  }

  /** SIGKILL: the component gets no chance to clean up. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }

  /**
   * SIGTERM, then SIGKILL after 15 s; processes it started (a DEA's apps, the DEAs a controller
   * launched) that outlive it are killed too, so no test leaves processes behind.
   */
  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      List<ProcessHandle> children = process.descendants().toList();
      process.destroy();
      try {
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
      children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }
  }
}
