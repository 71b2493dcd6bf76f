package io.updraft.router.testing;

import static io.updraft.common.testing.Futures.result;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.atomic.AtomicInteger;

/** A real HTTP backend on a free loopback port, standing in for an app instance. */
public final class TestBackend implements AutoCloseable {

  private final HttpServer server;
  private final AtomicInteger hits;

  private TestBackend(HttpServer server, AtomicInteger hits) {
    this.server = server;
    this.hits = hits;
  }

  /** A backend answering with {@code handler}. */
  public static TestBackend start(Vertx vertx, Handler<HttpServerRequest> handler)
      throws Exception {
    AtomicInteger hits = new AtomicInteger();
    HttpServer server = result(vertx.createHttpServer()
        .requestHandler(req -> {
          hits.incrementAndGet();
          handler.handle(req);
        })
        .listen(0, "127.0.0.1"));
    return new TestBackend(server, hits);
  }

  /**
   * A backend that answers 200 with its name as the body, and reports the forwarding
   * headers it saw as {@code X-Seen-*} response headers.
   */
  public static TestBackend named(Vertx vertx, String name) throws Exception {
    return start(vertx, req -> req.response()
        .putHeader("X-Seen-Host", String.valueOf(req.getHeader("Host")))
        .putHeader("X-Seen-Forwarded-For", String.valueOf(req.getHeader("X-Forwarded-For")))
        .putHeader("X-Seen-Forwarded-Proto", String.valueOf(req.getHeader("X-Forwarded-Proto")))
        .putHeader("X-Seen-Request-Start", String.valueOf(req.getHeader("X-Request-Start")))
        .putHeader("X-Seen-Request-Id", String.valueOf(req.getHeader("X-Vcap-Request-Id")))
        .putHeader("X-Seen-Uri", req.uri())
        .end(name));
  }

  public int port() {
    return server.actualPort();
  }

  /** Requests it received. */
  public int hits() {
    return hits.get();
  }

  @Override
  public void close() throws Exception {
    result(server.close());
  }
}
