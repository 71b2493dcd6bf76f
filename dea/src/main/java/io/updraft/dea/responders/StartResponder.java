package io.updraft.dea.responders;

import io.updraft.common.bus.Bus;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.dea.DeaStartRequest;
import io.updraft.dea.instance.InstanceManager;
import io.vertx.core.Vertx;

/** {@code dea.<uuid>.start} (PROTOCOL.md 3.5): no reply; heartbeats and exits tell the rest. */
public final class StartResponder implements Responder {

  private final Vertx vertx;
  private final Bus bus;
  private final String deaId;
  private final InstanceManager manager;
  private final Subscriptions subs = new Subscriptions();

  public StartResponder(Vertx vertx, Bus bus, String deaId, InstanceManager manager) {
    this.vertx = vertx;
    this.bus = bus;
    this.deaId = deaId;
    this.manager = manager;
  }

  @Override
  public void start() {
    subs.add(bus.subscribe(Subjects.deaStart(deaId), DeaStartRequest.class,
        d -> manager.start(d.body())));
  }

  @Override
  public void stop() {
    subs.close(vertx);
  }
}
