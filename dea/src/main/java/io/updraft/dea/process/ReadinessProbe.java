package io.updraft.dea.process;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * "Is it up?" by TCP connect (PROTOCOL.md 3.11): try {@code host:port} every
 * {@value #PERIOD_MS} ms ({@value #CONNECT_TIMEOUT_MS} ms per try) until it accepts, the
 * deadline passes, or {@code stillWanted} turns false (stopped or exited meanwhile).
 * Non-blocking; completes on the caller's context.
 */
public final class ReadinessProbe {

  /** v1 probed every 0.5 s; quicker readiness costs nothing but a connect. */
  static final long PERIOD_MS = 250;
  static final int CONNECT_TIMEOUT_MS = 250;

  /** How a probe ended. */
  public enum Outcome { READY, TIMED_OUT, ABANDONED }

  private final Vertx vertx;
  private final NetClient client;

  public ReadinessProbe(Vertx vertx) {
    this.vertx = vertx;
    this.client = vertx.createNetClient(new NetClientOptions()
        .setConnectTimeout(CONNECT_TIMEOUT_MS));
  }

  public Future<Outcome> await(String host, int port, Duration timeout,
      BooleanSupplier stillWanted) {
    Promise<Outcome> promise = Promise.promise();
    long deadline = System.nanoTime() + timeout.toNanos();
    attempt(host, port, deadline, stillWanted, promise);
    return promise.future();
  }

  private void attempt(String host, int port, long deadline, BooleanSupplier stillWanted,
      Promise<Outcome> promise) {
    if (!stillWanted.getAsBoolean()) {
      promise.tryComplete(Outcome.ABANDONED);
      return;
    }
    client.connect(port, host).onComplete(ar -> {
      if (ar.succeeded()) {
        ar.result().close();
        promise.tryComplete(stillWanted.getAsBoolean() ? Outcome.READY : Outcome.ABANDONED);
      } else if (System.nanoTime() >= deadline) {
        promise.tryComplete(Outcome.TIMED_OUT);
      } else {
        vertx.setTimer(PERIOD_MS, t -> attempt(host, port, deadline, stillWanted, promise));
      }
    });
  }

  public Future<Void> close() {
    return client.close();
  }
}
