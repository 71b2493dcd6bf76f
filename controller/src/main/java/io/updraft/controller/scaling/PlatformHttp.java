package io.updraft.controller.scaling;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.net.ConnectException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * The HTTP client the REST platforms (OpenStack, Docker) share: Vert.x's own, so calls never
 * block the event loop and complete on the caller's context. Every failure to get an answer
 * (refused, timed out) becomes a failed future with a sentence an operator can act on; HTTP
 * error statuses are answers, left to the caller.
 */
final class PlatformHttp {

  /** An answer: status, headers and the whole body (platform answers are small). */
  record Reply(int status, MultiMap headers, Buffer body) {

    boolean ok() {
      return status >= 200 && status < 300;
    }

    JsonObject json() {
      try {
        return body == null || body.length() == 0 ? new JsonObject() : body.toJsonObject();
      } catch (RuntimeException e) {
        return new JsonObject();
      }
    }
  }

  private final Vertx vertx;
  private final HttpClient client;
  private final Duration timeout;
  /** When set, every request goes to this address (a unix socket) whatever its URI says. */
  private final SocketAddress server;
  private final String what;
  /** The context of calls made from threads that have none (tests, tools); made once. */
  private Context plainThreadContext;

  /**
   * @param what the service's name in messages ({@code OpenStack}, {@code the Docker engine})
   * @param server a fixed address (the Docker unix socket), or null to follow each URI
   */
  PlatformHttp(Vertx vertx, String what, Duration timeout, SocketAddress server) {
    this.vertx = vertx;
    this.client = vertx.createHttpClient(new HttpClientOptions()
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis())));
    this.what = what;
    this.timeout = timeout;
    this.server = server;
  }

  Future<Reply> send(HttpMethod method, String uri, Map<String, String> headers, Buffer body) {
    if (Vertx.currentContext() != null) {
      return exchange(method, uri, headers, body);
    }
    // called from a plain thread: every such exchange runs on one context of its own, so the
    // response's body is asked for before that context can deliver (and drop) it, also when a
    // pooled connection opened by an earlier call is reused
    Promise<Reply> reply = Promise.promise();
    plainThreadContext().runOnContext(v -> exchange(method, uri, headers, body)
        .onComplete(reply));
    return reply.future();
  }

  private synchronized Context plainThreadContext() {
    if (plainThreadContext == null) {
      plainThreadContext = vertx.getOrCreateContext();
    }
    return plainThreadContext;
  }

  private Future<Reply> exchange(HttpMethod method, String uri, Map<String, String> headers,
      Buffer body) {
    RequestOptions options = new RequestOptions().setMethod(method).setAbsoluteURI(uri)
        .setTimeout(timeout.toMillis());
    if (server != null) {
      options.setServer(server);
    }
    headers.forEach(options::putHeader);
    if (body != null) {
      options.putHeader("Content-Type", "application/json");
    }
    String target = method + " " + stripQuery(uri);
    return client.request(options)
        .compose(request -> body == null ? request.send() : request.send(body))
        .compose(response -> response.body()
            .map(bytes -> new Reply(response.statusCode(), response.headers(), bytes)))
        .recover(e -> Future.failedFuture(new PlatformException(describe(e, target), e)));
  }

  Future<Reply> send(HttpMethod method, String uri, Map<String, String> headers,
      JsonObject body) {
    return send(method, uri, headers, body == null ? null : body.toBuffer());
  }

  Future<Void> close() {
    return client.close();
  }

  private String describe(Throwable e, String target) {
    if (e instanceof TimeoutException || e.getClass().getSimpleName().contains("Timeout")
        || String.valueOf(e.getMessage()).contains("timeout")) {
      return what + " did not answer within " + timeout.toSeconds() + " s (" + target + ")";
    }
    if (e instanceof ConnectException || e.getCause() instanceof ConnectException) {
      return "cannot reach " + what + " (" + target + "): " + e.getMessage();
    }
    return "request to " + what + " failed (" + target + "): " + e.getMessage();
  }

  /** Query strings may name things; the path is enough for a message. */
  private static String stripQuery(String uri) {
    int q = uri.indexOf('?');
    return q < 0 ? uri : uri.substring(0, q);
  }

  /** A platform call that failed, with the reason as its message. */
  static final class PlatformException extends RuntimeException {

    PlatformException(String message) {
      super(message, null, false, false);
    }

    PlatformException(String message, Throwable cause) {
      super(message, cause, false, false);
    }
  }
}
