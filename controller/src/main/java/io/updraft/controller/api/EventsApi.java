package io.updraft.controller.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.updraft.controller.events.EventStore;
import io.updraft.controller.scaling.Scaler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Admin-only: the cloud events log ({@code GET /events?limit=&kind=}) and the manual scaling
 * trigger ({@code POST /updraft/scaling/scaleup {"count":N}}), recorded like any decision.
 */
final class EventsApi {

  private static final int MAX_LIMIT = 1000;

  private final EventStore events;
  private final Scaler scaler;

  EventsApi(EventStore events, Scaler scaler) {
    this.events = events;
    this.scaler = scaler;
  }

  void mount(Router router) {
    router.get("/events").handler(this::list);
    router.post("/updraft/scaling/scaleup").handler(this::scaleUp);
  }

  private void list(RoutingContext ctx) {
    Auth.admin(ctx);
    int limit = 100;
    String given = ctx.request().getParam("limit");
    if (given != null) {
      try {
        limit = Integer.parseInt(given);
      } catch (NumberFormatException e) {
        throw ApiError.badRequest("limit must be a number, got '" + given + "'");
      }
      if (limit < 1 || limit > MAX_LIMIT) {
        throw ApiError.badRequest("limit must be between 1 and " + MAX_LIMIT);
      }
    }
    Responses.reply(ctx, events.recent(limit, ctx.request().getParam("kind"))
        .map(list -> list.stream().map(e -> {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("id", e.id());
          m.put("at", e.at());
          m.put("kind", e.kind());
          m.put("actor", e.actor());
          m.put("message", e.message());
          m.put("details", e.details());
          return m;
        }).toList()));
  }

  private void scaleUp(RoutingContext ctx) {
    var admin = Auth.admin(ctx);
    JsonNode body = Bodies.json(ctx);
    Integer count = Bodies.integer(body, "count");
    int n = count == null ? 1 : count;
    if (n < 1 || n > 20) {
      throw ApiError.badRequest("count must be between 1 and 20");
    }
    Responses.reply(ctx, scaler.scaleUp(n, admin.email(), "manual trigger", Map.of())
        .map(nodes -> Map.of("platform", scaler.platformName(), "nodes", nodes))
        .recover(e -> io.vertx.core.Future.failedFuture(new ApiError(409, 100,
            "scaling failed: " + e.getMessage()))));
  }
}
