package io.updraft.kato.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's HTTP API, on loopback only, every request with {@code Authorization: Bearer
 * <agent.token>} (else 401) but {@code GET /healthz} (open, {@code ok}: container health checks). JSON in and out; errors are {@code {"error": "..."}} with a 4xx/5xx
 * status. Handlers never block the event loop: the work runs on worker threads.
 *
 * <pre>
 * GET    /v1/info                         this node and the cluster
 * GET    /v1/status[?all=true]            processes of this node (all: of every node)
 * POST   /v1/processes/{start|stop|restart}  {"processes": ["router"]}   (empty: all)
 * GET    /v1/roles                        roles and which are enabled here
 * POST   /v1/roles/{enable|disable}       {"roles": ["dea","stager"]}
 * GET    /v1/nodes                        every node, its ip, roles, state
 * DELETE /v1/nodes/{id|hostname|ip}       forget a node that is down
 * POST   /v1/rename                       {"hostname": "dea-1"}
 * GET    /v1/config/{component}[?path=a.b]   a document or one value ({component} "*": all)
 * POST   /v1/config/{component}           {"op": "set|del|push|pop", "path": "a.b", "value": ...}
 * POST   /v1/shutdown                     stop every process and the agent
 * POST   /v1/detach                       stop every process, leave the cluster, stop
 * </pre>
 */
final class AgentServer {

  private static final Logger log = LoggerFactory.getLogger(AgentServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Vertx vertx;
  private final NodeAgent agent;
  private final String token;
  private HttpServer server;

  AgentServer(Vertx vertx, NodeAgent agent, String token) {
    this.vertx = vertx;
    this.agent = agent;
    this.token = token;
  }

  Future<HttpServer> listen(String host, int port) {
    Router router = Router.router(vertx);
    // open, like every component's: a container's HEALTHCHECK has no token
    router.get("/healthz").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/plain").end("ok"));
    router.route().handler(ctx -> {
      if (!AgentToken.matches(ctx.request().getHeader("Authorization"), token)) {
        error(ctx, 401, "unauthorized: send the token in $UPDRAFT_HOME/agent.token as "
            + "'Authorization: Bearer <token>'");
        return;
      }
      ctx.next();
    });
    router.route().handler(BodyHandler.create().setBodyLimit(1 << 20));
    router.get("/v1/info").handler(ctx -> work(ctx, agent::info));
    router.get("/v1/status").handler(ctx -> work(ctx,
        () -> agent.status("true".equals(ctx.request().getParam("all")))));
    router.post("/v1/processes/:action").handler(ctx -> work(ctx,
        () -> agent.processes(ctx.pathParam("action"), list(body(ctx), "processes"))));
    router.get("/v1/roles").handler(ctx -> work(ctx, agent::rolesView));
    router.post("/v1/roles/enable").handler(ctx -> work(ctx,
        () -> agent.enableRoles(list(body(ctx), "roles"))));
    router.post("/v1/roles/disable").handler(ctx -> work(ctx,
        () -> agent.disableRoles(list(body(ctx), "roles"))));
    router.get("/v1/nodes").handler(ctx -> work(ctx, agent::nodes));
    router.delete("/v1/nodes/:node").handler(ctx -> work(ctx, () -> {
      agent.removeNode(ctx.pathParam("node"));
      return ok("removed " + ctx.pathParam("node"));
    }));
    router.post("/v1/rename").handler(ctx -> work(ctx, () -> {
      agent.rename(body(ctx).path("hostname").asText(null));
      return ok("renamed to " + body(ctx).path("hostname").asText());
    }));
    router.get("/v1/config/:component").handler(ctx -> work(ctx, () -> {
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      out.set("value", agent.configGet(ctx.pathParam("component"),
          ctx.request().getParam("path")));
      return out;
    }));
    router.post("/v1/config/:component").handler(ctx -> work(ctx, () -> {
      JsonNode b = body(ctx);
      return agent.configChange(ctx.pathParam("component"), b.path("op").asText("set"),
          b.path("path").isTextual() ? b.get("path").asText() : null,
          b.has("value") ? b.get("value") : null);
    }));
    router.post("/v1/shutdown").handler(ctx -> {
      send(ctx, 200, ok("stopping"));
      agent.closeLater();
    });
    router.post("/v1/detach").handler(ctx -> work(ctx, () -> {
      agent.checkDetachable();
      return ok("detaching");
    }).onSuccess(v -> agent.detachLater()));
    router.route().last().handler(ctx -> error(ctx, 404, "no such endpoint: "
        + ctx.request().method() + " " + ctx.request().path()));
    return vertx.createHttpServer().requestHandler(router).listen(port, host)
        .onSuccess(s -> server = s);
  }

  int port() {
    return server.actualPort();
  }

  private Future<JsonNode> work(RoutingContext ctx, Callable<JsonNode> task) {
    return vertx.executeBlocking(task, false).onComplete(result -> {
      if (result.succeeded()) {
        send(ctx, 200, result.result());
      } else if (result.cause() instanceof AgentException e) {
        error(ctx, e.status(), e.getMessage());
      } else if (result.cause() instanceof BadRequest e) {
        error(ctx, 400, e.getMessage());
      } else {
        log.atWarn().setMessage("agent.request.failed").addKeyValue("path", ctx.request().path())
            .addKeyValue("error", result.cause().toString()).log();
        error(ctx, 500, String.valueOf(result.cause().getMessage()));
      }
    });
  }

  private static JsonNode body(RoutingContext ctx) {
    String text = ctx.body() == null ? null : ctx.body().asString();
    if (text == null || text.isBlank()) {
      return JsonNodeFactory.instance.objectNode();
    }
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new BadRequest("request body is not JSON");
    }
  }

  private static List<String> list(JsonNode body, String field) {
    List<String> out = new ArrayList<>();
    body.path(field).forEach(n -> out.add(n.asText()));
    return out;
  }

  private static ObjectNode ok(String message) {
    return JsonNodeFactory.instance.objectNode().put("message", message);
  }

  private static void error(RoutingContext ctx, int status, String message) {
    send(ctx, status, JsonNodeFactory.instance.objectNode().put("error", message));
  }

  private static void send(RoutingContext ctx, int status, JsonNode body) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .end(body.toString());
  }

  /** A malformed request body. */
  static final class BadRequest extends RuntimeException {
    BadRequest(String message) {
      super(message);
    }
  }
}
