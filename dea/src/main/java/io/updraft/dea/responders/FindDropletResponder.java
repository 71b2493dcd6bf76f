package io.updraft.dea.responders;

import io.updraft.common.bus.Bus;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.dea.FindDropletReply;
import io.updraft.common.protocol.dea.FindDropletRequest;
import io.updraft.dea.instance.Instance;
import io.updraft.dea.instance.InstanceRegistry;
import io.updraft.dea.instance.InstanceState;
import io.vertx.core.Vertx;

/**
 * {@code dea.find.droplet} (PROTOCOL.md 3.8): one reply per matching instance, with the file
 * server's URI and credentials, and {@code stats} for RUNNING ones when asked. Instance ids
 * are accepted under {@code instances} and {@code instance_ids} (the record merges them).
 */
public final class FindDropletResponder implements Responder {

  private final Vertx vertx;
  private final Bus bus;
  private final InstanceRegistry registry;
  private final DeaIdentity dea;
  private final Subscriptions subs = new Subscriptions();

  public FindDropletResponder(Vertx vertx, Bus bus, InstanceRegistry registry, DeaIdentity dea) {
    this.vertx = vertx;
    this.bus = bus;
    this.registry = registry;
    this.dea = dea;
  }

  @Override
  public void start() {
    subs.add(bus.subscribe(Subjects.DEA_FIND_DROPLET, FindDropletRequest.class, d -> {
      boolean stats = Boolean.TRUE.equals(d.body().includeStats());
      for (Instance i : registry.select(d.body())) {
        if (i.state() == InstanceState.STOPPING) {
          continue; // already announced as gone
        }
        bus.reply(d, reply(i, stats));
      }
    }));
  }

  FindDropletReply reply(Instance i, boolean withStats) {
    return new FindDropletReply(dea.id(), i.droplet(), i.version(), i.id(), i.index(),
        i.state().wire(), i.stateSince().getEpochSecond(), dea.fileUri(),
        dea.filesCredentials().get(), i.dirName(), null, null, null, null,
        withStats && i.state() == InstanceState.RUNNING
            ? InstanceStatsView.of(i, i.host(dea.host()), registry.clock()) : null);
  }

  @Override
  public void stop() {
    subs.close(vertx);
  }
}
