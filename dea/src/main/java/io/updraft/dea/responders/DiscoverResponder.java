package io.updraft.dea.responders;

import io.updraft.common.bus.Bus;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.dea.DeaDiscoverRequest;
import io.updraft.common.protocol.dea.Limits;
import io.updraft.dea.instance.InstanceRegistry;
import io.updraft.dea.resources.PlacementPolicy;
import io.updraft.dea.resources.ResourceManager;
import io.vertx.core.Vertx;
import java.time.Duration;

/**
 * {@code dea.discover} (PROTOCOL.md 3.4): answers with the hello document when it can take
 * the app, after the taint delay that lets less loaded DEAs answer first.
 */
public final class DiscoverResponder implements Responder {

  private final Vertx vertx;
  private final Bus bus;
  private final InstanceRegistry registry;
  private final ResourceManager resources;
  private final PlacementPolicy policy;
  private final DeaIdentity dea;
  private final Subscriptions subs = new Subscriptions();

  public DiscoverResponder(Vertx vertx, Bus bus, InstanceRegistry registry,
      ResourceManager resources, PlacementPolicy policy, DeaIdentity dea) {
    this.vertx = vertx;
    this.bus = bus;
    this.registry = registry;
    this.resources = resources;
    this.policy = policy;
    this.dea = dea;
  }

  @Override
  public void start() {
    subs.add(bus.subscribe(Subjects.DEA_DISCOVER, DeaDiscoverRequest.class, d -> {
      Duration delay = delay(d.body());
      if (delay != null) {
        vertx.setTimer(Math.max(1, delay.toMillis()), t -> bus.reply(d, dea.hello()));
      }
    }));
  }

  /** The taint before answering, or null when this DEA will not answer. */
  public Duration delay(DeaDiscoverRequest req) {
    Limits limits = req.limits();
    long mem = limits == null || limits.memMb() == null ? Limits.DEFAULTS.memMb() : limits.memMb();
    if (policy.refusal(req.runtimeName(), req.prod()) != null || !resources.canAccept(mem)) {
      return null;
    }
    int here = (int) registry.ofDroplet(req.droplet()).stream()
        .filter(i -> i.state().holdsResources()).count();
    return PlacementPolicy.taint(here, resources.reservedMemoryMb(), resources.maxMemoryMb());
  }

  @Override
  public void stop() {
    subs.close(vertx);
  }
}
