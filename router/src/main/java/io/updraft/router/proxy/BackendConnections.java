package io.updraft.router.proxy;

import io.updraft.router.registry.Backend;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keep-alive connections to backends, for one event loop (confined to it: no locks). A request
 * takes a connection with no request in flight, or opens one; connections go when the backend
 * closes them or after {@code keepAliveMs} unused. Going through the client's own pool per
 * request costs the router a noticeable share of its CPU (endpoint lookup, a context per
 * request); this does the same job with a list scan.
 */
final class BackendConnections {

  /** A connection and when a request last took it. */
  private static final class Kept {
    final HttpClientConnection connection;
    long lastTakenMillis;

    Kept(HttpClientConnection connection, long now) {
      this.connection = connection;
      this.lastTakenMillis = now;
    }
  }

  private final HttpClientAgent client;
  private final int connectTimeoutMs;
  private final int maxPerBackend;
  private final long keepAliveMs;
  private final Map<String, List<Kept>> open = new HashMap<>();

  BackendConnections(HttpClientAgent client, int connectTimeoutMs, int maxPerBackend,
      long keepAliveMs) {
    this.client = client;
    this.connectTimeoutMs = connectTimeoutMs;
    this.maxPerBackend = maxPerBackend;
    this.keepAliveMs = keepAliveMs;
  }

  /**
   * Stops handing out {@code connection}: the backend said it closes it after this response
   * (until its close arrives it would look free).
   */
  void forget(Backend backend, HttpConnection connection) {
    List<Kept> kept = open.get(backend.address());
    if (kept != null) {
      kept.removeIf(k -> k.connection == connection);
    }
  }

  /** A request on a free connection to {@code backend}; fails if it cannot connect. */
  Future<HttpClientRequest> request(Backend backend, RequestOptions options, long nowMillis) {
    List<Kept> kept = open.get(backend.address());
    if (kept != null) {
      for (int i = kept.size() - 1; i >= 0; i--) {
        Kept k = kept.get(i);
        if (k.connection.activeStreams() == 0) {
          if (nowMillis - k.lastTakenMillis > keepAliveMs) {
            // the backend may be closing it right now: do not race it
            kept.remove(i);
            k.connection.close();
            continue;
          }
          k.lastTakenMillis = nowMillis;
          return k.connection.request(options);
        }
      }
    }
    return client.connect(new HttpConnectOptions().setHost(backend.host())
            .setPort(backend.port()).setConnectTimeout(connectTimeoutMs))
        .compose(c -> {
          List<Kept> list = open.computeIfAbsent(backend.address(), key -> new ArrayList<>());
          if (list.size() >= maxPerBackend) {
            // over the cap: used once, then closed
            return c.request(options).onSuccess(req -> req.response()
                .compose(HttpClientResponse::end)
                .onComplete(done -> c.close()));
          }
          Kept k = new Kept(c, nowMillis);
          list.add(k);
          c.closeHandler(v -> {
            list.remove(k);
            if (list.isEmpty()) {
              open.remove(backend.address(), list);
            }
          });
          return c.request(options);
        });
  }
}
