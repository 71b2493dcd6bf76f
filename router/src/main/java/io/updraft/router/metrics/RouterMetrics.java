package io.updraft.router.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The router's own figures: per-route request timers by status class (Micrometer, so on
 * {@code /metrics} as {@code router_requests_seconds{route,status}} with histogram buckets
 * for percentiles) and totals for {@code /varz}. Thread-safe; called from every event loop.
 */
public final class RouterMetrics {

  /** Label of requests that matched no route (404, 400). */
  static final String NO_ROUTE = "(none)";
  private static final String[] CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};

  private final MeterRegistry registry;
  // route -> one timer per status class, created on first use (meters are cached by the
  // registry too, but building tags per request costs more than this lookup)
  private final Map<Object, Timer[]> timers = new ConcurrentHashMap<>();
  private final LongAdder requests = new LongAdder();
  private final LongAdder[] byClass = new LongAdder[CLASSES.length];
  private final LongAdder badRequests = new LongAdder();
  private final LongAdder connectFailures = new LongAdder();
  private final LongAdder retries = new LongAdder();
  private final LongAdder timeouts = new LongAdder();
  private final LongAdder websockets = new LongAdder();
  private final LongAdder prunedBackends = new LongAdder();
  private final LongAdder pruneSkipped = new LongAdder();
  private final Counter connectFailureCounter;
  private final Counter prunedCounter;

  public RouterMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (int i = 0; i < byClass.length; i++) {
      byClass[i] = new LongAdder();
    }
    connectFailureCounter = Counter.builder("router.backend.connect.failures")
        .description("Connections to backends that failed").register(registry);
    prunedCounter = Counter.builder("router.routes.pruned")
        .description("Backends dropped because they were not re-registered").register(registry);
  }

  /**
   * One finished request: its route ({@code RouteKey}, or null when none matched), status and
   * how long it took end to end.
   */
  public void request(Object route, int status, long durationNanos) {
    requests.increment();
    int cls = Math.min(Math.max(status / 100, 1), 5) - 1;
    byClass[cls].increment();
    Object key = route == null ? NO_ROUTE : route;
    Timer[] perClass = timers.computeIfAbsent(key, r -> new Timer[CLASSES.length]);
    Timer timer = perClass[cls];
    if (timer == null) {
      timer = Timer.builder("router.requests").description("Proxied requests by route")
          .tag("route", key.toString()).tag("status", CLASSES[cls])
          .publishPercentileHistogram()
          .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(1))
          .register(registry);
      perClass[cls] = timer;
    }
    timer.record(durationNanos, TimeUnit.NANOSECONDS);
  }

  public void badRequest() {
    badRequests.increment();
  }

  public void connectFailure() {
    connectFailures.increment();
    connectFailureCounter.increment();
  }

  public void retry() {
    retries.increment();
  }

  public void timeout() {
    timeouts.increment();
  }

  public void websocket() {
    websockets.increment();
  }

  public void pruned(int count) {
    prunedBackends.add(count);
    prunedCounter.increment(count);
  }

  /** A prune tick skipped because NATS was down. */
  public void pruneSkipped() {
    pruneSkipped.increment();
  }

  public long pruneSkippedCount() {
    return pruneSkipped.sum();
  }

  /** Router figures for {@code /varz} (merged into the shared document). */
  public Map<String, Object> varz() {
    Map<String, Object> responses = new LinkedHashMap<>();
    for (int i = 0; i < CLASSES.length; i++) {
      responses.put("responses_" + CLASSES[i], byClass[i].sum());
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("requests", requests.sum());
    doc.putAll(responses);
    doc.put("bad_requests", badRequests.sum());
    doc.put("backend_connect_failures", connectFailures.sum());
    doc.put("backend_retries", retries.sum());
    doc.put("backend_timeouts", timeouts.sum());
    doc.put("websocket_upgrades", websockets.sum());
    doc.put("pruned_backends", prunedBackends.sum());
    doc.put("prune_ticks_skipped", pruneSkipped.sum());
    doc.put("route_stats", routeStats());
    return doc;
  }

  /**
   * Per route: requests by status class and latency percentiles estimated from the histogram
   * buckets (upper bound of the bucket holding the percentile), in milliseconds.
   */
  private Map<String, Object> routeStats() {
    Map<String, Object> stats = new java.util.TreeMap<>();
    timers.forEach((route, perClass) -> {
      Map<String, Object> figures = new LinkedHashMap<>();
      long total = 0;
      java.util.NavigableMap<Double, Long> buckets = new java.util.TreeMap<>();
      for (int i = 0; i < perClass.length; i++) {
        Timer t = perClass[i];
        if (t == null) {
          continue;
        }
        HistogramSnapshot snapshot = t.takeSnapshot();
        figures.put(CLASSES[i], snapshot.count());
        total += snapshot.count();
        for (CountAtBucket b : snapshot.histogramCounts()) {
          buckets.merge(b.bucket(TimeUnit.MILLISECONDS), (long) b.count(), Long::sum);
        }
      }
      figures.put("requests", total);
      figures.put("p50_ms", percentile(buckets, total, 0.50));
      figures.put("p99_ms", percentile(buckets, total, 0.99));
      stats.put(route.toString(), figures);
    });
    return stats;
  }

  /**
   * The Prometheus registry (the one components run with) keeps bucket counts cumulative: the
   * first bucket reaching q of all requests holds the percentile.
   */
  private static Double percentile(java.util.NavigableMap<Double, Long> buckets, long total,
      double q) {
    if (total == 0) {
      return null;
    }
    for (Map.Entry<Double, Long> b : buckets.entrySet()) {
      if (b.getValue() >= q * total) {
        return b.getKey();
      }
    }
    return null;
  }
}
