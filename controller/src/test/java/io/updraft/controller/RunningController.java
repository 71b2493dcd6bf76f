package io.updraft.controller;

import static io.updraft.common.testing.Futures.result;

import io.updraft.common.bus.NatsConfig;
import io.updraft.common.component.ComponentLauncher;
import io.updraft.controller.api.ApiClient;
import io.updraft.controller.db.DatabaseConfig;
import java.nio.file.Path;
import java.util.List;

/** A real controller in this JVM, on a real bus, with its data under a test directory. */
public final class RunningController implements AutoCloseable {

  public static final String ADMIN = "admin@updraft.test";
  public static final String ADMIN_PASSWORD = "admin-secret";

  private final ComponentLauncher.Running<ControllerConfig> running;
  private final ControllerVerticle verticle;

  private RunningController(ComponentLauncher.Running<ControllerConfig> running,
      ControllerVerticle verticle) {
    this.running = running;
    this.verticle = verticle;
  }

  public static ControllerConfig config(NatsConfig nats, Path dataDir, DatabaseConfig db) {
    return new ControllerConfig(nats, null, null, "127.0.0.1", "api.updraft.test", "127.0.0.1",
        0, dataDir.toString(), db, true,
        List.of(new ControllerConfig.Admin(ADMIN, ADMIN_PASSWORD)), null, 1_000,
        new ControllerConfig.Limits(1024, 2, null, 3), null, 2, 20, 30, null, null, null, null,
        null, null);
  }

  public static RunningController start(ControllerConfig config) throws Exception {
    ControllerVerticle[] verticle = new ControllerVerticle[1];
    var running = result(ComponentLauncher.start(ControllerMain.TYPE, config, runtime -> {
      verticle[0] = new ControllerVerticle(runtime.bus(), runtime.component(), config);
      return verticle[0];
    }));
    return new RunningController(running, verticle[0]);
  }

  public int apiPort() {
    return verticle.apiPort();
  }

  /** App log feeds the controller has open now. */
  public int openLogFeeds() {
    return verticle.appLogs().openFeeds();
  }

  /** The controller's meters (what /metrics serves). */
  public io.micrometer.core.instrument.MeterRegistry metrics() {
    return running.runtime().metrics();
  }

  public ApiClient api() {
    return new ApiClient(apiPort());
  }

  @Override
  public void close() {
    running.stop();
  }
}
