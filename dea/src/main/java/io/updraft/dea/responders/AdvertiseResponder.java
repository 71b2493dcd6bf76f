package io.updraft.dea.responders;

import io.updraft.common.bus.Bus;
import io.updraft.common.protocol.Empty;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.dea.DeaAdvertise;
import io.updraft.dea.instance.InstanceRegistry;
import io.updraft.dea.resources.PlacementPolicy;
import io.updraft.dea.resources.ResourceManager;
import io.vertx.core.Vertx;

/**
 * {@code dea.start} once (the hello) and {@code dea.advertise} (PROTOCOL.md 3.2-3.3): every
 * interval, whenever the available memory changes, and on {@code dea.locate}; but only while
 * the DEA has room, so silence means "full or gone".
 */
public final class AdvertiseResponder implements Responder {

  private final Vertx vertx;
  private final Bus bus;
  private final ResourceManager resources;
  private final PlacementPolicy policy;
  private final DeaIdentity dea;
  private final long intervalMs;
  private final Subscriptions subs = new Subscriptions();
  private boolean started;
  private long lastAvailable = -1;
  private String nodeId;

  /** The scaling platform's node this DEA runs on, carried in every advert (null: none). */
  public AdvertiseResponder nodeId(String id) {
    this.nodeId = id;
    return this;
  }

  public AdvertiseResponder(Vertx vertx, Bus bus, InstanceRegistry registry,
      ResourceManager resources, PlacementPolicy policy, DeaIdentity dea, long intervalMs) {
    this.vertx = vertx;
    this.bus = bus;
    this.resources = resources;
    this.policy = policy;
    this.dea = dea;
    this.intervalMs = intervalMs;
    registry.onChange(() -> {
      if (started && resources.availableMemoryMb() != lastAvailable) {
        advertise();
      }
    });
  }

  @Override
  public void start() {
    started = true;
    bus.publish(Subjects.DEA_HELLO, dea.hello());
    subs.add(bus.subscribe(Subjects.DEA_LOCATE, Empty.class, d -> advertise()));
    subs.timer(vertx.setPeriodic(intervalMs, id -> advertise()));
    advertise();
  }

  @Override
  public void stop() {
    started = false;
    subs.close(vertx);
  }

  /** Publishes the advert if there is room; returns whether it did. */
  public boolean advertise() {
    lastAvailable = resources.availableMemoryMb();
    if (!resources.hasRoom()) {
      return false;
    }
    bus.publish(Subjects.DEA_ADVERTISE, new DeaAdvertise(dea.id(), lastAvailable,
        policy.runtimes(), policy.prod(), nodeId, resources.maxMemoryMb()));
    return true;
  }
}
