package io.updraft.dea.responders;

import io.updraft.common.bus.Bus;
import io.updraft.common.protocol.Empty;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.dea.DeaStatusReply;
import io.updraft.dea.instance.Instance;
import io.updraft.dea.instance.InstanceRegistry;
import io.updraft.dea.resources.ResourceManager;
import io.vertx.core.Vertx;

/**
 * The tools' queries (PROTOCOL.md 3.9): {@code dea.status} (hello plus memory figures and
 * {@code SHUTTING_DOWN}) and {@code droplet.status} (one stats reply per live instance).
 */
public final class StatusResponder implements Responder {

  private final Vertx vertx;
  private final Bus bus;
  private final InstanceRegistry registry;
  private final ResourceManager resources;
  private final DeaIdentity dea;
  private final Subscriptions subs = new Subscriptions();

  public StatusResponder(Vertx vertx, Bus bus, InstanceRegistry registry,
      ResourceManager resources, DeaIdentity dea) {
    this.vertx = vertx;
    this.bus = bus;
    this.registry = registry;
    this.resources = resources;
    this.dea = dea;
  }

  @Override
  public void start() {
    subs.add(bus.subscribe(Subjects.DEA_STATUS, Empty.class, d -> bus.reply(d, status())));
    subs.add(bus.subscribe(Subjects.DROPLET_STATUS, byte[].class, d -> {
      for (Instance i : registry.all()) {
        if (i.state().isLive()) {
          bus.reply(d, InstanceStatsView.of(i, i.host(dea.host()), registry.clock()));
        }
      }
    }));
  }

  public DeaStatusReply status() {
    double usedMb = registry.all().stream().filter(i -> i.state().isLive() && i.usage() != null)
        .mapToDouble(i -> i.usage().memKb() / 1024.0).sum();
    return new DeaStatusReply(dea.id(), dea.host(), dea.filesPort().getAsInt(),
        DeaIdentity.VERSION, resources.maxMemoryMb(), resources.reservedMemoryMb(), usedMb,
        resources.usedSlots(), resources.shuttingDown() ? DeaStatusReply.State.SHUTTING_DOWN
        : DeaStatusReply.State.RUNNING);
  }

  @Override
  public void stop() {
    subs.close(vertx);
  }
}
