package io.updraft.healthmanager.responders;

import io.updraft.common.bus.Bus;
import io.updraft.common.bus.Subscription;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.dea.InstanceState;
import io.updraft.common.protocol.health.CrashesStatusReply;
import io.updraft.common.protocol.health.FlappingStatusReply;
import io.updraft.common.protocol.health.HealthReply;
import io.updraft.common.protocol.health.HealthRequest;
import io.updraft.common.protocol.health.HealthStatusRequest;
import io.updraft.healthmanager.analysis.Analyzer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Answers the controller's questions (PROTOCOL.md 5.1): {@code healthmanager.status} (flapping
 * indices of a version, or recent crashes), {@code healthmanager.health} (RUNNING instances
 * per app version, one reply per app) and {@code healthmanager.droplet} (the record of each
 * app, for tools). Only the active health manager answers, so the
 * controller gets one reply; as in v1, apps it does not know get none.
 */
public final class QueryResponder {

  private final Bus bus;
  private final Analyzer analyzer;
  private final BooleanSupplier active;
  private final List<Subscription> subscriptions = new ArrayList<>();

  public QueryResponder(Bus bus, Analyzer analyzer, BooleanSupplier active) {
    this.bus = bus;
    this.analyzer = analyzer;
    this.active = active;
  }

  public void start() {
    subscriptions.add(bus.subscribe(Subjects.HM_STATUS, HealthStatusRequest.class, d -> {
      HealthStatusRequest q = d.body();
      if (!active.getAsBoolean() || !analyzer.knows(q.droplet())) {
        return;
      }
      if (q.state() == InstanceState.FLAPPING) {
        bus.reply(d, new FlappingStatusReply(analyzer.flapping(q.droplet(),
            q.version() == null ? "" : q.version())));
      } else if (q.state() == InstanceState.CRASHED) {
        bus.reply(d, new CrashesStatusReply(analyzer.crashes(q.droplet())));
      }
    }));
    subscriptions.add(bus.subscribe(Subjects.HM_DROPLET, HealthRequest.class, this::droplets));
    subscriptions.add(bus.subscribe(Subjects.HM_HEALTH, HealthRequest.class, d -> {
      if (!active.getAsBoolean()) {
        return;
      }
      for (HealthRequest.AppVersion app : d.body().droplets()) {
        if (analyzer.knows(app.droplet())) {
          bus.reply(d, new HealthReply(app.droplet(), app.version(),
              analyzer.healthy(app.droplet(), app.version())));
        }
      }
    }));
  }

  /** {@code healthmanager.droplet}: one reply per known app with the HM's record of it. */
  private void droplets(io.updraft.common.bus.Delivery<HealthRequest> d) {
    if (!active.getAsBoolean()) {
      return;
    }
    for (HealthRequest.AppVersion app : d.body().droplets()) {
      if (analyzer.knows(app.droplet())) {
        bus.reply(d, analyzer.record(app.droplet()));
      }
    }
  }

  public void stop() {
    subscriptions.forEach(Subscription::close);
    subscriptions.clear();
  }
}
