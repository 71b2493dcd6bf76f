package io.updraft.dea.lifecycle;

import io.updraft.dea.instance.InstanceManager;
import io.vertx.core.Vertx;

/**
 * The DEA's own timers: the usage and limits monitor (v1: every 2 s) and the crashed-instance
 * reaper (every 30 s, records older than {@code crash_retention_ms}).
 */
public final class Housekeeping {

  private final Vertx vertx;
  private final InstanceManager manager;
  private final long monitorMs;
  private final long reaperMs;
  private long monitorTimer = -1;
  private long reaperTimer = -1;

  public Housekeeping(Vertx vertx, InstanceManager manager, long monitorMs, long reaperMs) {
    this.vertx = vertx;
    this.manager = manager;
    this.monitorMs = monitorMs;
    this.reaperMs = reaperMs;
  }

  public void start() {
    monitorTimer = vertx.setPeriodic(monitorMs, id -> manager.monitor());
    reaperTimer = vertx.setPeriodic(reaperMs, id -> manager.reap());
  }

  public void stop() {
    vertx.cancelTimer(monitorTimer);
    vertx.cancelTimer(reaperTimer);
  }
}
