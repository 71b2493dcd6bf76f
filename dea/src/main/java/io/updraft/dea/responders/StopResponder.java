package io.updraft.dea.responders;

import io.updraft.common.bus.Bus;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.dea.DeaStopRequest;
import io.updraft.common.protocol.droplet.ExitReason;
import io.updraft.dea.instance.Instance;
import io.updraft.dea.instance.InstanceManager;
import io.updraft.dea.instance.InstanceRegistry;
import io.vertx.core.Vertx;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code dea.stop} (PROTOCOL.md 3.6): every instance matching all present filters; live ones
 * stop with {@code STOPPED}, crash records are deleted.
 */
public final class StopResponder implements Responder {

  private static final Logger log = LoggerFactory.getLogger(StopResponder.class);

  private final Vertx vertx;
  private final Bus bus;
  private final InstanceRegistry registry;
  private final InstanceManager manager;
  private final Subscriptions subs = new Subscriptions();

  public StopResponder(Vertx vertx, Bus bus, InstanceRegistry registry, InstanceManager manager) {
    this.vertx = vertx;
    this.bus = bus;
    this.registry = registry;
    this.manager = manager;
  }

  @Override
  public void start() {
    subs.add(bus.subscribe(Subjects.DEA_STOP, DeaStopRequest.class, d -> {
      List<Instance> selected = registry.select(d.body());
      if (!selected.isEmpty()) {
        log.atInfo().setMessage("dea.stop.received").addKeyValue("request", d.body().logView())
            .addKeyValue("instances", selected.size()).log();
      }
      manager.stopAll(selected, ExitReason.STOPPED);
    }));
  }

  @Override
  public void stop() {
    subs.close(vertx);
  }
}
