package io.updraft.router;

import io.updraft.common.component.ComponentLauncher.Runtime;
import io.updraft.common.component.ComponentVerticle;
import io.updraft.router.mbus.RegistrationSubscriber;
import io.updraft.router.mbus.RouterAnnouncer;
import io.updraft.router.mbus.StaleRoutePruner;
import io.updraft.router.metrics.AccessLog;
import io.updraft.router.metrics.RouterMetrics;
import io.updraft.router.proxy.ProxyServer;
import io.updraft.router.registry.RouteTable;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's bootstrap, the only class that knows the whole graph. Start order: route
 * table, metrics and access log, registration subscriber (so no register is missed), pruner,
 * proxy event loops (listening), then the {@code router.start} announcer (registrants
 * re-register into a table that is already serving). Stop is the reverse.
 */
public final class RouterVerticle extends ComponentVerticle {

  private static final Logger log = LoggerFactory.getLogger(RouterVerticle.class);

  private final RouterConfig config;
  private final Runtime<RouterConfig> runtime;
  private final Clock clock;
  private volatile int httpPort;
  private ProxyServer proxy;
  private RouteTable table;
  private RouterMetrics metrics;
  private AccessLog accessLog;
  private RegistrationSubscriber subscriber;
  private StaleRoutePruner pruner;
  private RouterAnnouncer announcer;

  public RouterVerticle(Runtime<RouterConfig> runtime) {
    this(runtime, Clock.systemUTC());
  }

  RouterVerticle(Runtime<RouterConfig> runtime, Clock clock) {
    super(runtime.bus(), runtime.component());
    this.runtime = runtime;
    this.config = runtime.config();
    this.clock = clock;
  }

  @Override
  protected Future<?> startResponders() {
    table = new RouteTable(clock);
    metrics = new RouterMetrics(runtime.metrics());
    try {
      accessLog = AccessLog.open(config.accessLog());
    } catch (IllegalStateException e) {
      return Future.failedFuture(e);
    }
    subscriber = new RegistrationSubscriber(bus, table);
    subscriber.start();
    pruner = new StaleRoutePruner(vertx, bus, table, metrics, config.pruneInterval(),
        config.pruneStaleAfter());
    pruner.start();
    announcer = new RouterAnnouncer(vertx, bus, table, component.identity().uuid(),
        component.identity().localIp(), config.startInterval());
    component.varzFigures(this::varz);
    proxy = new ProxyServer(config, table, metrics, accessLog);
    // binding blocks (briefly): not on the event loop
    return vertx.executeBlocking(proxy::start)
        .map(port -> {
          httpPort = port;
          announcer.start();
          log.atInfo().setMessage("router.listening").addKeyValue("host", config.host())
              .addKeyValue("port", port)
              .addKeyValue("event_loops", config.eventLoops()).log();
          return null;
        });
  }

  @Override
  protected Future<?> stopResponders() {
    if (announcer != null) {
      announcer.stop();
    }
    if (pruner != null) {
      pruner.stop();
    }
    if (subscriber != null) {
      subscriber.stop();
    }
    // waits for the proxy's loops and joins the access log's writer: not on the event loop
    return vertx.executeBlocking(() -> {
      if (proxy != null) {
        proxy.stop();
      }
      if (accessLog != null) {
        accessLog.close();
      }
      return null;
    });
  }

  /** The port the proxy listens on (after start). */
  public int httpPort() {
    return httpPort;
  }

  /** The route table (tests and tools read it). */
  public RouteTable table() {
    return table;
  }

  /** The router's own counters. */
  public RouterMetrics metrics() {
    return metrics;
  }

  private Map<String, Object> varz() {
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("http_port", httpPort);
    figures.put("routes", table.routeCount());
    figures.put("backends", table.backendCount());
    figures.putAll(metrics.varz());
    figures.put("access_log_dropped", accessLog.dropped());
    return figures;
  }
}
