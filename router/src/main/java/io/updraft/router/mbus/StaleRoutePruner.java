package io.updraft.router.mbus;

import io.updraft.common.bus.Bus;
import io.updraft.router.metrics.RouterMetrics;
import io.updraft.router.registry.RouteTable;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops backends whose registrations stopped (PROTOCOL.md 6.2: every 30 s, older than 120 s).
 * It lives with the bus adapters because it depends on the bus: while NATS is down nobody can
 * renew, so a tick does nothing and the router keeps routing with the table it has.
 */
public final class StaleRoutePruner {

  private static final Logger log = LoggerFactory.getLogger(StaleRoutePruner.class);

  private final Vertx vertx;
  private final Bus bus;
  private final RouteTable table;
  private final RouterMetrics metrics;
  private final Duration interval;
  private final Duration staleAfter;
  private long timer = -1;

  public StaleRoutePruner(Vertx vertx, Bus bus, RouteTable table, RouterMetrics metrics,
      Duration interval, Duration staleAfter) {
    this.vertx = vertx;
    this.bus = bus;
    this.table = table;
    this.metrics = metrics;
    this.interval = interval;
    this.staleAfter = staleAfter;
  }

  public void start() {
    timer = vertx.setPeriodic(interval.toMillis(), id -> tick());
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** One pruning pass, unless the bus is down. */
  void tick() {
    if (!bus.isConnected()) {
      metrics.pruneSkipped();
      return;
    }
    List<RouteTable.Pruned> pruned = table.prune(staleAfter);
    if (!pruned.isEmpty()) {
      metrics.pruned(pruned.size());
      for (RouteTable.Pruned p : pruned) {
        log.atInfo().setMessage("router.route.pruned").addKeyValue("route", p.route())
            .addKeyValue("backend", p.backend().address()).log();
      }
    }
  }
}
