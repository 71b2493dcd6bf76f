package io.updraft.router.proxy;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.updraft.router.metrics.AccessLog;
import io.updraft.router.metrics.RouterMetrics;
import io.updraft.router.registry.Backend;
import io.updraft.router.registry.RoutePool;
import io.updraft.router.registry.RouteTable;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proxies one request: finds the route, picks a backend (sticky session, else round robin),
 * connects (one retry on another backend if connecting fails), streams the body both ways
 * with back-pressure, and answers 400/404/502/504 itself when it has to. Runs on one event
 * loop, with that loop's backend connections; never blocks.
 */
final class ProxyHandler implements Handler<HttpServerRequest> {

  private static final Logger log = LoggerFactory.getLogger(ProxyHandler.class);
  /** nginx's code for "client closed the connection before the response was complete". */
  static final int CLIENT_CLOSED = 499;
  /**
   * How long a backend that refused a connection is passed over (still used when it is the
   * last one): long enough to spare clients a dead instance's connect timeouts, short enough
   * that a restarted one soon gets traffic again; its DEA unregisters it if it is really gone.
   */
  private static final long FAILED_BACKEND_COOLDOWN_MS = 5_000;
  /** For streams the router breaks off on purpose: their late errors are expected. */
  private static final Handler<Throwable> IGNORE = e -> { };

  private final Vertx vertx;
  private final RouteTable routes;
  private final BackendConnections connections;
  private final RouterMetrics metrics;
  private final AccessLog accessLog;
  private final long backendTimeoutMs;
  private final AnswerDeadlines deadlines;
  private long deadlineCheck = -1;

  ProxyHandler(Vertx vertx, RouteTable routes, BackendConnections connections,
      RouterMetrics metrics, AccessLog accessLog, long backendTimeoutMs) {
    this.vertx = vertx;
    this.routes = routes;
    this.connections = connections;
    this.metrics = metrics;
    this.accessLog = accessLog;
    this.backendTimeoutMs = backendTimeoutMs;
    this.deadlines = new AnswerDeadlines(backendTimeoutMs);
  }

  /** Starts the backend timeout check; call on the event loop this handler serves. */
  void start() {
    deadlineCheck = vertx.setPeriodic(AnswerDeadlines.checkIntervalMs(backendTimeoutMs),
        id -> deadlines.expire(System.nanoTime()));
  }

  void stop() {
    vertx.cancelTimer(deadlineCheck);
  }

  @Override
  public void handle(HttpServerRequest req) {
    Exchange ex = new Exchange(req);
    HostAndPort authority = req.authority();
    String host = authority == null ? null : authority.host();
    if (host == null || host.isEmpty()) {
      metrics.badRequest();
      ex.error(400, ErrorPages.badRequest("the request has no Host header"));
      return;
    }
    // a fully qualified name may end with a dot; it names the same host
    ex.host = (host.endsWith(".") ? host.substring(0, host.length() - 1) : host)
        .toLowerCase(Locale.ROOT);
    RoutePool pool = routes.lookup(ex.host, req.path());
    if (pool == null) {
      ex.error(404, ErrorPages.notFound(ex.host));
      return;
    }
    ex.pool = pool;
    Backend backend = pool.byPrivateId(stickyToken(req));
    if (backend == null) {
      backend = pool.next(ex.startMillis);
    }
    if (backend == null) {
      ex.error(502, ErrorPages.noBackend(ex.host));
      return;
    }
    ex.upgrade = ForwardHeaders.isUpgrade(req);
    ex.hasBody = hasBody(req);
    if (ex.hasBody || ex.upgrade) {
      // nothing of the body may be read before a backend is connected: a retry needs it whole
      req.pause();
    }
    connect(ex, backend, true);
  }

  /** Malformed requests (bad request line, oversized headers): counted, logged, 400/431. */
  void invalid(HttpServerRequest req) {
    metrics.badRequest();
    // the exchange writes the access-log line when the answer has gone
    new Exchange(req).host = "-";
    HttpServerRequest.DEFAULT_INVALID_REQUEST_HANDLER.handle(req);
  }

  /** Whether the request declares a body (most requests do not: GET, HEAD, DELETE). */
  private static boolean hasBody(HttpServerRequest req) {
    String length = req.headers().get("Content-Length");
    return length == null ? req.headers().contains("Transfer-Encoding") : !"0".equals(length);
  }

  private static String stickyToken(HttpServerRequest req) {
    if (!req.headers().contains("Cookie")) {
      return null;
    }
    Cookie cookie = req.getCookie(ForwardHeaders.STICKY_COOKIE);
    return cookie == null ? null : cookie.getValue();
  }

  private void connect(Exchange ex, Backend backend, boolean mayRetry) {
    ex.backend = backend;
    ex.mayRetry = mayRetry;
    RequestOptions options = new RequestOptions()
        .setHost(backend.host())
        .setPort(backend.port())
        .setMethod(ex.req.method())
        .setURI(ForwardHeaders.originForm(ex.req.uri()));
    connections.request(backend, options, System.currentTimeMillis()).onComplete(ar -> {
      if (ex.finished) {
        if (ar.succeeded()) {
          // the client left while the router was connecting
          ar.result().exceptionHandler(IGNORE).reset();
        }
        return;
      }
      if (ar.failed()) {
        metrics.connectFailure();
        backend.markFailed(System.currentTimeMillis() + FAILED_BACKEND_COOLDOWN_MS);
        log.atDebug().setMessage("router.backend.connect-failed")
            .addKeyValue("backend", backend.address())
            .addKeyValue("error", String.valueOf(ar.cause().getMessage())).log();
        Backend other = mayRetry ? ex.pool.nextExcept(backend, ex.startMillis) : null;
        if (other != null) {
          metrics.retry();
          connect(ex, other, false);
        } else {
          ex.error(502, ErrorPages.noBackend(ex.host));
        }
        return;
      }
      HttpClientRequest breq = ar.result();
      // its failures also fail the response future (or the pipe), where they are handled
      breq.exceptionHandler(IGNORE);
      ex.backendRequest = breq;
      breq.authority(ex.req.authority());
      ForwardHeaders.request(ex.req, breq.headers(), ex.requestId, ex.startMillis, ex.upgrade);
      if (ex.upgrade) {
        tunnel(ex, breq);
      } else {
        send(ex, breq);
      }
    });
  }

  private void send(Exchange ex, HttpClientRequest breq) {
    HttpServerRequest req = ex.req;
    if (!ex.hasBody) {
      // nothing to stream (the request was never paused), the clock starts now
      breq.end();
      awaitAnswer(ex);
    } else {
      breq.setChunked(!req.headers().contains("Content-Length"));
      // pipe: the client is paused whenever the backend connection cannot take more
      req.pipe().endOnFailure(false).to(breq).onComplete(sent -> {
        if (sent.failed()) {
          ex.resetBackend();
        } else if (!ex.responded) {
          // the clock starts once the request is sent: an upload may take longer than the
          // timeout, waiting for the answer may not
          awaitAnswer(ex);
        }
      });
    }
    breq.response().onComplete(ar -> {
      if (ar.failed()) {
        backendFailed(ex, ar.cause());
      } else {
        respond(ex, ar.result());
      }
    });
  }

  /** Gives the backend {@code backendTimeoutMs} from now to answer, else 504. */
  private void awaitAnswer(Exchange ex) {
    ex.waiting = deadlines.add(System.nanoTime(), () -> {
      ex.waiting = null;
      ex.timedOut = true;
      HttpClientRequest breq = ex.backendRequest;
      // the connection may get the late answer: never reuse it
      connections.forget(ex.backend, breq.connection());
      // fails the response future, which answers 504 (backendFailed)
      breq.reset();
    });
  }

  private void stopWaiting(Exchange ex) {
    if (ex.waiting != null) {
      deadlines.remove(ex.waiting);
      ex.waiting = null;
    }
  }

  private void respond(Exchange ex, HttpClientResponse bresp) {
    stopWaiting(ex);
    ex.backendResponse = bresp;
    if (ex.finished) {
      ex.resetBackend();
      return;
    }
    ex.responded = true;
    if (closesAfterResponse(bresp)) {
      connections.forget(ex.backend, ex.backendRequest.connection());
    }
    HttpServerResponse resp = ex.resp;
    int status = bresp.statusCode();
    resp.setStatusCode(status);
    String reason = bresp.statusMessage();
    // a custom reason phrase costs a status object per response; the usual one comes free
    if (reason != null && !reason.equals(HttpResponseStatus.valueOf(status).reasonPhrase())) {
      resp.setStatusMessage(reason);
    }
    ForwardHeaders.response(bresp.headers(), resp.headers(), false);
    String privateId = ex.backend.privateInstanceId();
    if (privateId != null && ForwardHeaders.setsSessionCookie(bresp.headers())) {
      resp.headers().add("Set-Cookie", ForwardHeaders.stickyCookie(privateId));
    }
    if (!bresp.headers().contains("Content-Length")
        && mayHaveBody(ex.req.method(), bresp.statusCode())) {
      if (ex.req.version() == HttpVersion.HTTP_1_0) {
        // an HTTP/1.0 client knows the end of a body without length only by the close
        resp.headers().set("Connection", "close");
      } else {
        resp.setChunked(true);
      }
    }
    relay(ex, bresp, resp);
  }

  /**
   * Streams the backend's body to the client, pausing the backend while the client's
   * connection cannot take more. What a {@code Pipe} does, without its futures per response:
   * this runs for every proxied request.
   */
  private static void relay(Exchange ex, HttpClientResponse bresp, HttpServerResponse resp) {
    bresp.exceptionHandler(e -> {
      if (ex.finished) {
        return;
      }
      // the backend broke off mid-body: the client must see a broken response, not a short one
      log.atDebug().setMessage("router.backend.stream-broken")
          .addKeyValue("backend", ex.backend.address())
          .addKeyValue("error", String.valueOf(e.getMessage())).log();
      ex.resetBackend();
      ex.resetClient();
      ex.finish(resp.getStatusCode());
    });
    // once finished (client gone, exchange broken off) late bytes have nowhere to go
    bresp.handler(chunk -> {
      if (ex.finished) {
        return;
      }
      resp.write(chunk);
      if (resp.writeQueueFull()) {
        bresp.pause();
        resp.drainHandler(v -> bresp.resume());
      }
    });
    bresp.endHandler(v -> {
      if (!ex.finished) {
        resp.end();
      }
    });
  }

  private static boolean closesAfterResponse(HttpClientResponse bresp) {
    String connection = bresp.getHeader("Connection");
    return bresp.version() == HttpVersion.HTTP_1_0
        ? connection == null || !connection.equalsIgnoreCase("keep-alive")
        : connection != null && connection.toLowerCase(Locale.ROOT).contains("close");
  }

  private static boolean mayHaveBody(HttpMethod method, int status) {
    return method != HttpMethod.HEAD && status >= 200 && status != 204 && status != 304;
  }

  private void backendFailed(Exchange ex, Throwable cause) {
    stopWaiting(ex);
    if (ex.finished) {
      return;
    }
    boolean timedOut = ex.timedOut || cause instanceof TimeoutException
        || cause.getClass().getSimpleName().contains("Timeout");
    log.atDebug().setMessage("router.backend.failed")
        .addKeyValue("backend", ex.backend.address())
        .addKeyValue("error", cause.getClass().getSimpleName() + ": " + cause.getMessage())
        .log();
    if (timedOut) {
      metrics.timeout();
      ex.error(504, ErrorPages.timeout(ex.host, backendTimeoutMs));
    } else if (mayResend(ex)) {
      // the connection closed before any answer: a kept-alive connection the backend had just
      // closed, or an instance stopping while its unregistration was on its way. A request
      // without a body and without side effects goes once more, on a fresh connection, as
      // nginx's proxy_next_upstream does
      connections.forget(ex.backend, ex.backendRequest.connection());
      Backend other = ex.pool.nextExcept(ex.backend, ex.startMillis);
      metrics.retry();
      connect(ex, other != null ? other : ex.backend, false);
    } else {
      ex.error(502, ErrorPages.backendFailed(ex.host));
    }
  }

  private static boolean mayResend(Exchange ex) {
    if (!ex.mayRetry || ex.hasBody || ex.upgrade || ex.responded) {
      return false;
    }
    HttpMethod m = ex.req.method();
    return m == HttpMethod.GET || m == HttpMethod.HEAD || m == HttpMethod.OPTIONS;
  }

  /** A WebSocket (or other) upgrade: once the backend agrees, bytes are piped both ways. */
  private void tunnel(Exchange ex, HttpClientRequest breq) {
    metrics.websocket();
    long timer = vertx.setTimer(backendTimeoutMs, id -> {
      ex.timedOut = true;
      breq.reset();
    });
    // an upgrade request has no body; its end must be seen before the switch
    ex.req.resume();
    breq.connect().onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.failed()) {
        backendFailed(ex, ar.cause());
        return;
      }
      HttpClientResponse bresp = ar.result();
      if (bresp.statusCode() != 101) {
        respond(ex, bresp);
        return;
      }
      // the connection becomes a tunnel: never hand it out for a request again
      connections.forget(ex.backend, breq.connection());
      if (ex.finished) {
        bresp.netSocket().close();
        return;
      }
      ex.resp.setStatusCode(101);
      ForwardHeaders.response(bresp.headers(), ex.resp.headers(), true);
      ex.req.toNetSocket().onComplete(so -> {
        NetSocket back = bresp.netSocket();
        if (so.failed()) {
          back.close();
          ex.finish(CLIENT_CLOSED);
          return;
        }
        NetSocket front = so.result();
        front.pipeTo(back).onFailure(e -> back.close());
        back.pipeTo(front).onFailure(e -> front.close());
        ex.finish(101);
      });
    });
  }

  /** One request's state on its way through the router. */
  private final class Exchange {
    final HttpServerRequest req;
    final HttpServerResponse resp;
    final long startNanos = System.nanoTime();
    final long startMillis = System.currentTimeMillis();
    final String requestId = ForwardHeaders.newRequestId();
    String host;
    RoutePool pool;
    Backend backend;
    HttpClientRequest backendRequest;
    HttpClientResponse backendResponse;
    boolean upgrade;
    boolean hasBody;
    /** Whether this is the first backend tried (one retry per request). */
    boolean mayRetry;
    AnswerDeadlines.Waiting waiting;
    boolean timedOut;
    boolean responded;
    boolean finished;

    Exchange(HttpServerRequest req) {
      this.req = req;
      this.resp = req.response();
      resp.endHandler(v -> finish(resp.getStatusCode()));
      resp.closeHandler(v -> clientGone());
    }

    /** The router's own answer; a response already under way can only be broken off. */
    void error(int status, String body) {
      if (finished) {
        return;
      }
      if (resp.headWritten()) {
        resetClient();
        finish(status);
        return;
      }
      if (!req.isEnded()) {
        // an unread request body is not worth draining
        resp.putHeader("Connection", "close");
        req.resume();
      }
      resp.setStatusCode(status)
          .putHeader("Content-Type", "text/plain; charset=utf-8")
          .putHeader("X-Content-Type-Options", "nosniff")
          .putHeader(ForwardHeaders.REQUEST_ID, requestId)
          .end(body);
    }

    void clientGone() {
      if (!finished) {
        resetBackend();
        finish(CLIENT_CLOSED);
      }
    }

    /** Breaks off the backend exchange (it is no use to anyone any more). */
    void resetBackend() {
      if (backendResponse != null) {
        backendResponse.exceptionHandler(IGNORE);
      }
      if (backendRequest != null) {
        backendRequest.exceptionHandler(IGNORE);
        // a connection whose exchange was broken off may be mid-message: never reuse it
        HttpConnection connection = backendRequest.connection();
        connections.forget(backend, connection);
        backendRequest.reset();
        connection.close();
      }
    }

    /** Breaks off the client's response: it must not look complete when it is not. */
    void resetClient() {
      req.exceptionHandler(IGNORE);
      resp.exceptionHandler(IGNORE);
      resp.reset();
    }

    void finish(int status) {
      if (finished) {
        return;
      }
      finished = true;
      stopWaiting(this);
      long duration = System.nanoTime() - startNanos;
      metrics.request(pool == null ? null : pool.key(), status, duration);
      SocketAddress remote = req.remoteAddress();
      accessLog.add(new AccessLog.Entry(startMillis,
          remote == null ? "-" : remote.hostAddress(),
          req.method() == null ? "-" : req.method().name(), host, req.path(),
          status, resp.bytesWritten(), req.bytesRead(), duration,
          backend == null ? null : backend.address(), requestId,
          backend == null ? null : backend.app()));
    }
  }
}
