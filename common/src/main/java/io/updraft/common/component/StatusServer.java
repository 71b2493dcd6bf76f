package io.updraft.common.component;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.function.Supplier;

/**
 * A component's operations endpoint: {@code /healthz} (open, for load balancers and container
 * health checks), and {@code /varz} and {@code /metrics} behind HTTP Basic auth.
 */
final class StatusServer {

  private final Vertx vertx;
  private final String host;
  private final int requestedPort;
  private final String expectedAuthorization;
  private final Supplier<Future<JsonObject>> varz;
  private final PrometheusMeterRegistry registry;
  private HttpServer server;

  StatusServer(Vertx vertx, String host, int port, String user, String password,
      Supplier<Future<JsonObject>> varz, PrometheusMeterRegistry registry) {
    this.vertx = vertx;
    this.host = host;
    this.requestedPort = port;
    this.expectedAuthorization = "Basic " + Base64.getEncoder()
        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    this.varz = varz;
    this.registry = registry;
  }

  Future<Integer> start() {
    Router router = Router.router(vertx);
    router.get("/healthz").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/plain; charset=utf-8").end("ok\n"));
    router.get("/varz").handler(this::authenticated).handler(this::varz);
    router.get("/metrics").handler(this::authenticated).handler(this::metrics);
    return vertx.createHttpServer().requestHandler(router).listen(requestedPort, host)
        .map(s -> {
          server = s;
          return s.actualPort();
        });
  }

  Future<Void> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void authenticated(RoutingContext ctx) {
    String given = ctx.request().getHeader("Authorization");
    boolean ok = given != null && MessageDigest.isEqual(
        given.getBytes(StandardCharsets.UTF_8),
        expectedAuthorization.getBytes(StandardCharsets.UTF_8));
    if (ok) {
      ctx.next();
    } else {
      ctx.response().setStatusCode(401)
          .putHeader("WWW-Authenticate", "Basic realm=\"updraft\"")
          .putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("code", 401).put("description", "authentication required")
              .encode());
    }
  }

  private void varz(RoutingContext ctx) {
    varz.get()
        .onSuccess(body -> ctx.response().putHeader("Content-Type", "application/json")
            .end(body.encodePrettily()))
        .onFailure(ctx::fail);
  }

  private void metrics(RoutingContext ctx) {
    vertx.executeBlocking(registry::scrape)
        .onSuccess(body -> ctx.response()
            .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(body))
        .onFailure(ctx::fail);
  }
}
