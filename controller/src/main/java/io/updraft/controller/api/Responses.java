package io.updraft.controller.api;

import io.updraft.common.protocol.Json;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

/** Writing API responses: JSON bodies, empty successes, and failures routed to the handler. */
final class Responses {

  private Responses() {
  }

  static void json(RoutingContext ctx, int status, Object body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .end(Json.encodeToString(body));
  }

  static void empty(RoutingContext ctx, int status) {
    ctx.response().setStatusCode(status).end();
  }

  /** Sends {@code 200} with the future's value as JSON, or fails the request with its error. */
  static <T> void reply(RoutingContext ctx, Future<T> result) {
    result.onSuccess(body -> json(ctx, 200, body)).onFailure(ctx::fail);
  }
}
