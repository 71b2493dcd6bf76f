package io.updraft.controller.scaling;

import io.updraft.common.files.PrivateFiles;
import io.updraft.controller.ControllerConfig.LocalPlatformConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code local} platform (the micro cloud's): starts a DEA process on this machine from the
 * DEA template, a DEA config file that names the NATS servers and credentials (the "core
 * address given at boot"). Each launched DEA gets its own base directory and log under
 * {@code work_dir}. Launched DEAs live as long as the controller that launched them: they are
 * stopped (and evacuate) when it stops.
 */
public final class LocalPlatform implements ScalingPlatform {

  private static final Logger log = LoggerFactory.getLogger(LocalPlatform.class);

  private final Vertx vertx;
  private final LocalPlatformConfig config;
  private final Path workDir;
  private final Map<String, Process> launched = new ConcurrentHashMap<>();

  public LocalPlatform(Vertx vertx, LocalPlatformConfig config, Path defaultWorkDir) {
    this.vertx = vertx;
    this.config = config;
    this.workDir = config.workDir() == null ? defaultWorkDir : Path.of(config.workDir());
  }

  @Override
  public String name() {
    return "local";
  }

  @Override
  public Future<List<String>> launch(int count) {
    return vertx.executeBlocking(() -> {
      Path jar = Path.of(config.deaJar());
      Path template = Path.of(config.template());
      if (!Files.isRegularFile(jar)) {
        throw new IllegalStateException("local platform: no DEA jar at " + jar);
      }
      if (!Files.isRegularFile(template)) {
        throw new IllegalStateException("local platform: no DEA template at " + template);
      }
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        String id = "local-dea-" + System.currentTimeMillis() + "-" + i;
        Path home = workDir.resolve(id);
        PrivateFiles.createRoot(workDir);
        Files.createDirectory(home, PrivateFiles.dirAttribute());
        // the DEA's output is platform state: private before the redirect opens it
        PrivateFiles.createFile(home.resolve("dea.log"));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(config.javaOptions());
        command.addAll(List.of("-jar", jar.toString(), "--config", template.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(home.resolve("dea.log").toFile());
        // the template is the DEA's whole config: nothing of the controller's own leaks in
        builder.environment().keySet().removeIf(k -> k.startsWith("UPDRAFT"));
        builder.environment().put("UPDRAFT_HOME", home.toString());
        builder.environment().put("UPDRAFT__BASE_DIR", home.resolve("base").toString());
        // the DEA advertises its node id, so a scale-down knows which node to remove
        builder.environment().put("UPDRAFT__NODE_ID", id);
        Process p = builder.start();
        p.getOutputStream().close();
        launched.put(id, p);
        ids.add(id);
        log.atInfo().setMessage("scaling.local.launched").addKeyValue("node", id)
            .addKeyValue("pid", p.pid()).addKeyValue("dir", home).log();
      }
      return ids;
    }, false);
  }

  @Override
  public Future<Void> terminate(String nodeId) {
    Process p = launched.remove(nodeId);
    if (p == null) {
      return Future.failedFuture("local platform: no node " + nodeId);
    }
    return vertx.executeBlocking(() -> {
      stop(p);
      return null;
    }, false);
  }

  /** Stops every launched DEA together (they evacuate), killing what is left after 8 s. */
  @Override
  public Future<Void> close() {
    return vertx.executeBlocking(() -> {
      List<Process> all = List.copyOf(launched.values());
      launched.clear();
      all.forEach(Process::destroy);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
      for (Process p : all) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !p.waitFor(left, TimeUnit.NANOSECONDS)) {
          kill(p);
        }
      }
      return null;
    }, false);
  }

  private static void stop(Process p) {
    p.destroy();
    try {
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        kill(p);
      }
    } catch (InterruptedException e) {
      kill(p);
      Thread.currentThread().interrupt();
    }
  }

  /** SIGKILL to the DEA and the instances it runs. */
  private static void kill(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
  }

  /** Nodes launched and still alive. */
  public List<String> nodes() {
    return launched.entrySet().stream().filter(e -> e.getValue().isAlive())
        .map(Map.Entry::getKey).toList();
  }

}
