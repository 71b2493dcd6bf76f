package io.updraft.dea;

import io.updraft.common.component.ComponentLauncher;
import io.updraft.common.config.ConfigException;
import io.updraft.common.config.ConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point of the DEA: {@code java -jar updraft-dea.jar [--config dea.yml]
 * [--check-config]}. It boots through {@link ComponentLauncher#start} like every component;
 * its own shutdown hook first runs the DEA's shutdown action (evacuation waits
 * {@code evacuation_delay_ms}, longer than the launcher's bounded undeploy), then stops the
 * component.
 */
public final class DeaMain {

  public static final String TYPE = "DEA";
  /** Environment variable naming the node agent's restart marker file. */
  public static final String RESTART_MARKER = "UPDRAFT_RESTART_MARKER";
  private static final Logger log = LoggerFactory.getLogger(DeaMain.class);

  private DeaMain() {
  }

  public static void main(String[] args) {
    Path configFile = null;
    boolean check = false;
    for (int i = 0; i < args.length; i++) {
      if (args[i].startsWith("--config=")) {
        configFile = Path.of(args[i].substring("--config=".length()));
        continue;
      }
      switch (args[i]) {
        case "--config" -> {
          if (i + 1 >= args.length) {
            System.err.println("--config needs a PATH");
            System.exit(2);
          }
          configFile = Path.of(args[++i]);
        }
        case "--check-config" -> check = true;
        case "-h", "--help" -> {
          System.out.println("Usage: DEA [--config PATH] [--check-config]");
          return;
        }
        default -> {
          System.err.println("Unknown option: '" + args[i] + "'");
          System.exit(2);
        }
      }
    }
    if (configFile == null && System.getenv("UPDRAFT_CONFIG") != null) {
      configFile = Path.of(System.getenv("UPDRAFT_CONFIG"));
    }
    DeaConfig config;
    try {
      config = ConfigLoader.load(configFile, System.getenv(), DeaConfig.class);
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    if (check) {
      System.out.println("config ok: " + config);
      return;
    }
    AtomicReference<DeaVerticle> verticle = new AtomicReference<>();
    ComponentLauncher.Running<DeaConfig> running;
    try {
      running = start(config, verticle).toCompletionStage().toCompletableFuture()
          .get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      System.err.println(TYPE + " failed to start: " + cause.getMessage());
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.atInfo().setMessage("component.stopping").addKeyValue("type", TYPE).log();
      long boundMs = config.evacuationDelayMs() + config.stopGraceMs() + 30_000;
      DeaConfig.ShutdownAction action = restarting(System.getenv(RESTART_MARKER))
          ? DeaConfig.ShutdownAction.LEAVE_RUNNING : config.shutdownAction();
      try {
        verticle.get().shutdown(action).toCompletionStage().toCompletableFuture()
            .get(boundMs, TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        log.atWarn().setMessage("dea.shutdown.incomplete")
            .addKeyValue("error", String.valueOf(e.getMessage())).log();
      }
      running.stop();
    }, TYPE + "-shutdown"));
  }

  /**
   * True when the file named by {@code UPDRAFT_RESTART_MARKER} exists (it is removed): the
   * node agent writes it before the SIGTERM of a restart, so the instances keep running and
   * the next start re-adopts them instead of evacuating.
   */
  static boolean restarting(String marker) {
    if (marker == null || marker.isBlank()) {
      return false;
    }
    try {
      return Files.deleteIfExists(Path.of(marker));
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Starts a DEA in this JVM (how the integration tests run one). */
  public static io.vertx.core.Future<ComponentLauncher.Running<DeaConfig>> start(DeaConfig config,
      AtomicReference<DeaVerticle> verticle) {
    return ComponentLauncher.start(TYPE, config, runtime -> {
      DeaVerticle v = new DeaVerticle(runtime.bus(), runtime.component(), runtime.config(),
          Clock.systemUTC());
      verticle.set(v);
      return v;
    });
  }
}
