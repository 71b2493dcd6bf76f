package io.updraft.dea.responders;

import io.updraft.common.bus.Bus;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.dea.DeaUpdateRequest;
import io.updraft.dea.instance.Instance;
import io.updraft.dea.instance.InstanceRegistry;
import io.updraft.dea.instance.InstanceState;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * {@code dea.update} (PROTOCOL.md 3.7): an app's URIs changed; running instances register
 * the added ones and unregister the removed ones, and every instance keeps the new list.
 */
public final class UpdateResponder implements Responder {

  private final Vertx vertx;
  private final Bus bus;
  private final InstanceRegistry registry;
  private final RouterResponder router;
  private final Subscriptions subs = new Subscriptions();

  public UpdateResponder(Vertx vertx, Bus bus, InstanceRegistry registry,
      RouterResponder router) {
    this.vertx = vertx;
    this.bus = bus;
    this.registry = registry;
    this.router = router;
  }

  @Override
  public void start() {
    subs.add(bus.subscribe(Subjects.DEA_UPDATE, DeaUpdateRequest.class, d -> {
      List<String> now = d.body().uris();
      for (Instance i : registry.ofDroplet(d.body().droplet())) {
        List<String> before = i.uris();
        List<String> added = now.stream().filter(u -> !before.contains(u)).toList();
        List<String> removed = before.stream().filter(u -> !now.contains(u)).toList();
        if (i.state() == InstanceState.RUNNING) {
          router.unregister(i, removed);
          router.register(i, added);
        }
        i.uris(now);
      }
      registry.touched();
    }));
  }

  @Override
  public void stop() {
    subs.close(vertx);
  }
}
