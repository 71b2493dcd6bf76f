package io.updraft.controller.api;

import io.updraft.common.protocol.dea.FindDropletReply;
import io.updraft.common.protocol.dea.InstanceState;
import io.updraft.controller.runner.AppRunner;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What runs of an app (PROTOCOL.md 13.8): {@code instances}, {@code stats}, {@code crashes} and
 * from the DEAs' {@code dea.find.droplet} answers.
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

  private void instances(RoutingContext ctx) {
    Responses.reply(ctx, apps.owned(ctx).compose(app -> {
      if (!app.started()) {
        return io.vertx.core.Future.succeededFuture(Map.of("instances", List.of()));
      }
      return runner.find(app, List.of(InstanceState.STARTING, InstanceState.RUNNING), false,
          WINDOW).map(replies -> {
            long now = Instant.now().getEpochSecond();
            List<Map<String, Object>> out = new ArrayList<>();
            for (int i = 0; i < app.instances(); i++) {
              FindDropletReply reply = byIndex(replies, i);
              Map<String, Object> entry = new LinkedHashMap<>();
              entry.put("index", i);
              entry.put("state", reply == null ? "DOWN" : reply.state().name());
              entry.put("since", reply == null ? now : reply.stateTimestamp());
              out.add(entry);
            }
            return Map.of("instances", out);
          });
    }));
  }

  private void stats(RoutingContext ctx) {
    Responses.reply(ctx, apps.owned(ctx).compose(app -> {
      if (!app.started()) {
        return io.vertx.core.Future.succeededFuture(Map.<String, Object>of());
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
    Responses.reply(ctx, apps.owned(ctx).map(app -> Map.of("crashes", List.of())));
  }

  private static FindDropletReply byIndex(List<FindDropletReply> replies, int index) {
    return replies.stream().filter(r -> r.index() != null && r.index() == index)
        .max((a, b) -> Boolean.compare(a.state() == InstanceState.RUNNING,
            b.state() == InstanceState.RUNNING))
        .orElse(null);
  }
}
