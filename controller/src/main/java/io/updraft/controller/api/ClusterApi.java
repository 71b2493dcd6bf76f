package io.updraft.controller.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.updraft.common.bus.BusTimeoutException;
import io.updraft.common.protocol.node.ClusterConfigReply;
import io.updraft.controller.cluster.ClusterConfigClient;
import io.updraft.controller.cluster.ClusterHistory;
import io.updraft.controller.cluster.DeaSurvey;
import io.updraft.controller.cluster.NodeRegistry;
import io.updraft.controller.users.User;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Admin-only views of the whole cloud for the Management Console: the nodes from their kato
 * agents ({@code GET /updraft/nodes}), the DEA pool ({@code GET /updraft/deas}), its history
 * ({@code GET /updraft/history}) and the cluster config ({@code GET/PUT/DELETE
 * /updraft/config}), relayed to the agents; no agent answering is 503.
 */
final class ClusterApi {

  private final NodeRegistry nodes;
  private final DeaSurvey deas;
  private final ClusterHistory history;
  private final ClusterConfigClient config;

  ClusterApi(NodeRegistry nodes, DeaSurvey deas, ClusterHistory history,
      ClusterConfigClient config) {
    this.nodes = nodes;
    this.deas = deas;
    this.history = history;
    this.config = config;
  }

  void mount(Router router) {
    router.get("/updraft/nodes").handler(this::nodes);
    router.get("/updraft/deas").handler(this::deas);
    router.get("/updraft/history").handler(this::history);
    router.get("/updraft/config").handler(this::getConfig);
    router.put("/updraft/config").handler(this::setConfig);
    router.delete("/updraft/config").handler(this::deleteConfig);
  }

  private void nodes(RoutingContext ctx) {
    Auth.admin(ctx);
    Responses.json(ctx, 200, nodes.nodes().stream().map(n -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("node", n.status().node());
      m.put("name", n.status().name());
      m.put("ip", n.status().ip());
      m.put("core", n.status().core());
      m.put("roles", n.status().roles());
      m.put("processes", n.status().processes());
      m.put("host", n.status().host());
      m.put("interval_seconds", n.status().intervalSeconds());
      m.put("timestamp", n.status().timestamp());
      m.put("last_heard", n.heardAt().getEpochSecond());
      m.put("reporting", n.reporting());
      return m;
    }).toList());
  }

  private void deas(RoutingContext ctx) {
    Auth.admin(ctx);
    Responses.reply(ctx, deas.deas().map(list -> list.stream().map(d -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", d.id());
      m.put("host", d.host());
      m.put("state", d.state());
      m.put("memory_total_mb", d.memoryTotalMb());
      m.put("memory_reserved_mb", d.memoryReservedMb());
      m.put("memory_free_mb", d.memoryFreeMb());
      m.put("memory_used_mb", d.memoryUsedMb());
      m.put("instances", d.instances());
      m.put("last_advertised", d.lastAdvertised() == null ? null
          : d.lastAdvertised().getEpochSecond());
      return m;
    }).toList()));
  }

  /** Samples oldest first; {@code at} in Unix milliseconds. */
  private void history(RoutingContext ctx) {
    Auth.admin(ctx);
    Responses.json(ctx, 200, Map.of("interval_seconds", history.interval().toSeconds(),
        "samples", history.samples().stream().map(s -> Map.of("at", s.at(), "deas", s.deas(),
            "memory_total_mb", s.memoryTotalMb(), "memory_free_mb", s.memoryFreeMb(),
            "instances", s.instances())).toList()));
  }

  private void getConfig(RoutingContext ctx) {
    Auth.admin(ctx);
    String component = ctx.request().getParam("component");
    relay(ctx, config.get(component == null || component.isBlank() ? null : component));
  }

  /** {@code {"component":"dea","key":"log_level","value":"DEBUG"}}; value any JSON. */
  private void setConfig(RoutingContext ctx) {
    User admin = Auth.admin(ctx);
    JsonNode body = Bodies.json(ctx);
    String component = required(body, "component");
    String key = required(body, "key");
    if (!body.has("value") || body.get("value").isNull()) {
      throw ApiError.badRequest("value is required (to remove a key use DELETE)");
    }
    relay(ctx, config.set(component, key, body.get("value"), admin.email()));
  }

  /** {@code DELETE /updraft/config?component=dea&key=log_level}. */
  private void deleteConfig(RoutingContext ctx) {
    User admin = Auth.admin(ctx);
    String component = ctx.request().getParam("component");
    String key = ctx.request().getParam("key");
    if (component == null || component.isBlank() || key == null || key.isBlank()) {
      throw ApiError.badRequest("component and key are required");
    }
    relay(ctx, config.delete(component, key, admin.email()));
  }

  private static String required(JsonNode body, String field) {
    String value = Bodies.text(body, field);
    if (value == null || value.isBlank()) {
      throw ApiError.badRequest(field + " is required");
    }
    return value;
  }

  /** The agent's config (200), its refusal (400 with its reason), or 503 when none answers. */
  private static void relay(RoutingContext ctx, Future<ClusterConfigReply> reply) {
    reply.onSuccess(r -> {
      if (r.ok()) {
        Responses.json(ctx, 200, r.config() == null ? Map.of() : r.config());
      } else {
        ctx.fail(ApiError.badRequest(r.error() == null ? "the node agent refused the change"
            : r.error()));
      }
    }).onFailure(e -> ctx.fail(e instanceof BusTimeoutException
        ? new ApiError(503, 100, "no node agent answered; is kato running on the core node?")
        : e));
  }
}
