package io.updraft.dea.responders;

import io.updraft.common.bus.Bus;
import io.updraft.common.protocol.Empty;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.dea.Heartbeat;
import io.updraft.common.protocol.dea.Heartbeat.InstanceHeartbeat;
import io.updraft.dea.instance.Instance;
import io.updraft.dea.instance.InstanceRegistry;
import io.updraft.dea.instance.InstanceState;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * {@code dea.heartbeat} (PROTOCOL.md 3.10): every interval with every STARTING, RUNNING and
 * retained CRASHED instance (an empty list when there is none), a single-instance heartbeat the moment
 * an instance becomes RUNNING, and a full one at once on {@code healthmanager.start}.
 */
public final class HeartbeatResponder implements Responder {

  private final Vertx vertx;
  private final Bus bus;
  private final InstanceRegistry registry;
  private final DeaIdentity dea;
  private final long intervalMs;
  private final java.util.function.BooleanSupplier shuttingDown;
  private final Subscriptions subs = new Subscriptions();
  private boolean started;
  private java.util.function.Supplier<Heartbeat.DeaUsage> usage = () -> null;

  /** What the full heartbeats report as the instances' measured use (the autoscaler's input). */
  public HeartbeatResponder usage(java.util.function.Supplier<Heartbeat.DeaUsage> source) {
    this.usage = source;
    return this;
  }

  /** {@code shuttingDown}: periodic heartbeats stop then (v1), the instances are evacuated. */
  public HeartbeatResponder(Vertx vertx, Bus bus, InstanceRegistry registry, DeaIdentity dea,
      long intervalMs, java.util.function.BooleanSupplier shuttingDown) {
    this.vertx = vertx;
    this.bus = bus;
    this.registry = registry;
    this.dea = dea;
    this.intervalMs = intervalMs;
    this.shuttingDown = shuttingDown;
    registry.onTransition(t -> {
      if (started && t.to() == InstanceState.RUNNING) {
        bus.publish(Subjects.DEA_HEARTBEAT,
            new Heartbeat(dea.id(), dea.prod(), List.of(entry(t.instance()))));
      }
    });
  }

  @Override
  public void start() {
    started = true;
    subs.add(bus.subscribe(Subjects.HM_START, Empty.class, d -> sendFull()));
    subs.timer(vertx.setPeriodic(intervalMs, id -> {
      if (!shuttingDown.getAsBoolean()) {
        sendFull();
      }
    }));
  }

  @Override
  public void stop() {
    started = false;
    subs.close(vertx);
  }

  /**
   * A heartbeat with every reported instance, also when there is none: the health manager
   * tells a DEA that is alive and empty from one that died by its heartbeats alone.
   */
  public void sendFull() {
    bus.publish(Subjects.DEA_HEARTBEAT, full());
  }

  public Heartbeat full() {
    return new Heartbeat(dea.id(), dea.prod(), registry.all().stream()
        .filter(i -> i.state().isReported()).map(HeartbeatResponder::entry).toList(),
        usage.get());
  }

  static InstanceHeartbeat entry(Instance i) {
    return new InstanceHeartbeat(i.droplet(), i.version(), i.id(), i.index(), i.state().wire(),
        i.stateSince().getEpochSecond(), i.request().ccPartition());
  }
}
