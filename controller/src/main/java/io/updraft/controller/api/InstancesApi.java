package io.updraft.controller.api;

import io.updraft.common.protocol.dea.FindDropletReply;
import io.updraft.common.protocol.dea.InstanceState;
import io.updraft.common.protocol.health.FlappingStatusReply;
import io.updraft.controller.runner.AppRunner;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What runs of an app (PROTOCOL.md 13.8): {@code instances} and {@code stats} from the DEAs'
 * {@code dea.find.droplet} answers, FLAPPING indices and {@code crashes} from the health
 * manager.
 */
final class InstancesApi {

  private static final Duration WINDOW = Duration.ofSeconds(1);

  private final AppsApi apps;
  private final AppRunner runner;

  InstancesApi(AppsApi apps, AppRunner runner) {
    this.apps = apps;
    this.runner = runner;
  }

  void mount(Router router) {
    router.get("/apps/:name/instances").handler(this::instances);
    router.get("/apps/:name/stats").handler(this::stats);
    router.get("/apps/:name/crashes").handler(this::crashes);
  }

  /**
   * Each index's state: STARTING/RUNNING from the DEAs, FLAPPING from the health manager
   * (PROTOCOL.md 5.4), DOWN for the rest.
   */
  private void instances(RoutingContext ctx) {
    Responses.reply(ctx, apps.owned(ctx).compose(app -> {
      if (!app.started()) {
        return Future.succeededFuture(Map.of("instances", List.of()));
      }
      Future<List<FindDropletReply>> found = runner.find(app,
          List.of(InstanceState.STARTING, InstanceState.RUNNING), false, WINDOW);
      Future<List<FlappingStatusReply.FlappingIndex>> flapping = runner.health().flapping(app);
      return Future.all(found, flapping).map(both -> {
        List<FindDropletReply> replies = found.result();
        long now = Instant.now().getEpochSecond();
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < app.instances(); i++) {
          FindDropletReply reply = byIndex(replies, i);
          int index = i;
          var flap = flapping.result().stream().filter(f -> f.index() == index).findFirst();
          Map<String, Object> entry = new LinkedHashMap<>();
          entry.put("index", i);
          if (reply != null) {
            entry.put("state", reply.state().name());
            entry.put("since", reply.stateTimestamp());
          } else if (flap.isPresent()) {
            entry.put("state", "FLAPPING");
            entry.put("since", flap.get().since());
          } else {
            entry.put("state", "DOWN");
            entry.put("since", now);
          }
          out.add(entry);
        }
        return Map.of("instances", out);
      });
    }));
  }

  private void stats(RoutingContext ctx) {
    Responses.reply(ctx, apps.owned(ctx).compose(app -> {
      if (!app.started()) {
        return Future.succeededFuture(Map.<String, Object>of());
      }
      return runner.find(app, List.of(InstanceState.RUNNING), true, WINDOW).map(replies -> {
        long now = Instant.now().getEpochSecond();
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < app.instances(); i++) {
          FindDropletReply reply = byIndex(replies, i);
          Map<String, Object> entry = new LinkedHashMap<>();
          if (reply == null) {
            entry.put("state", "DOWN");
            entry.put("since", now);
          } else {
            entry.put("state", reply.state().name());
            entry.put("stats", reply.stats());
          }
          out.put(String.valueOf(i), entry);
        }
        return out;
      });
    }));
  }

  /** Crash records come from the health manager; without one the list is empty (v1 too). */
  private void crashes(RoutingContext ctx) {
    Responses.reply(ctx, apps.owned(ctx).compose(app -> runner.health().crashes(app))
        .map(list -> Map.of("crashes", list.stream().map(c -> Map.of("instance", c.instance(),
            "since", c.since() == null ? 0L : c.since())).toList())));
  }

  private static FindDropletReply byIndex(List<FindDropletReply> replies, int index) {
    return replies.stream().filter(r -> r.index() != null && r.index() == index)
        .max((a, b) -> Boolean.compare(a.state() == InstanceState.RUNNING,
            b.state() == InstanceState.RUNNING))
        .orElse(null);
  }
}
