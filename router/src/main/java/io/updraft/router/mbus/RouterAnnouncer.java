package io.updraft.router.mbus;

import io.updraft.common.bus.Bus;
import io.updraft.common.bus.Subscription;
import io.updraft.common.protocol.Empty;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.router.RouterStart;
import io.updraft.router.registry.RouteTable;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's side of the keep-alive conversation (PROTOCOL.md 6.2): publishes
 * {@code router.start} at start, every start interval and after each NATS reconnect (so
 * registrants re-register), and answers {@code router.greet} with the same document.
 *
 * <p>Nothing is published while NATS is down (the message would only queue up). On reconnect
 * every backend is marked fresh before asking for re-registrations: registrants could not
 * renew while the bus was down, and must not be pruned before they had a chance to answer.
 */
public final class RouterAnnouncer {

  private static final Logger log = LoggerFactory.getLogger(RouterAnnouncer.class);
  /** The version the CF v1 Ruby router sent; registrants never read it. */
  private static final double WIRE_VERSION = 0.98;

  private final Vertx vertx;
  private final Bus bus;
  private final RouteTable table;
  private final RouterStart document;
  private final Duration interval;
  private Subscription greet;
  private long timer = -1;
  private boolean stopped;
  // jnats reports DISCONNECTED on every failed reconnect attempt; log transitions only
  private boolean connected;

  public RouterAnnouncer(Vertx vertx, Bus bus, RouteTable table, String routerId,
      String localIp, Duration interval) {
    this.vertx = vertx;
    this.bus = bus;
    this.table = table;
    this.interval = interval;
    this.document = new RouterStart(routerId, WIRE_VERSION, List.of(localIp),
        (int) interval.toSeconds());
  }

  /** Call on the verticle's event loop: connection events then arrive on it too. */
  public void start() {
    greet = bus.subscribe(Subjects.ROUTER_GREET, Empty.class, d -> bus.reply(d, document));
    connected = bus.isConnected();
    bus.onConnectionChange(this::connectionChanged);
    announce();
    timer = vertx.setPeriodic(interval.toMillis(), id -> announce());
  }

  public void stop() {
    stopped = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    if (greet != null) {
      greet.close();
    }
  }

  /** The document sent on {@code router.start} and in answer to {@code router.greet}. */
  public RouterStart document() {
    return document;
  }

  private void announce() {
    if (!stopped && bus.isConnected()) {
      bus.publish(Subjects.ROUTER_START, document);
    }
  }

  private void connectionChanged(boolean up) {
    if (stopped || up == connected) {
      return;
    }
    connected = up;
    if (up) {
      table.touchAll();
      log.atInfo().setMessage("router.pruning.resumed").log();
      announce();
    } else {
      log.atWarn().setMessage("router.pruning.suspended")
          .addKeyValue("reason", "nats disconnected").log();
    }
  }
}
