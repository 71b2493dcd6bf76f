package io.updraft.healthmanager;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The health manager's figures as Prometheus meters on {@code /metrics} (the same numbers
 * {@code /varz} shows): gauges for what is, counters for what happened. Read at scrape time
 * from the latest figures, so nothing is counted twice.
 */
final class HealthMetrics {

  private HealthMetrics() {
  }

  static void register(MeterRegistry registry, HealthManager figures) {
    gauge(registry, figures, "updraft.hm.active", "active", "1 on the active health manager");
    gauge(registry, figures, "updraft.hm.apps", "total_apps", "Apps in the desired state");
    gauge(registry, figures, "updraft.hm.instances.running", "running_instances",
        "STARTING and RUNNING instances heard in heartbeats");
    gauge(registry, figures, "updraft.hm.deas", "deas", "DEAs heartbeating");
    gauge(registry, figures, "updraft.hm.queue.length", "queue_length",
        "Start requests waiting for the per-interval budget");
    gauge(registry, figures, "updraft.pool.free.memory.mb", "pool_free_memory_mb",
        "Memory the DEA pool advertises as free");
    gauge(registry, figures, "updraft.pool.waiting.instances", "pool_waiting_instances",
        "Instances waiting for a DEA with room");
    counter(registry, figures, "updraft.hm.crashes", "crashes", "Crashed instances heard");
    counter(registry, figures, "updraft.hm.deas.lost", "lost_deas", "DEAs declared lost");
    counter(registry, figures, "updraft.hm.start.requests", "start_requests",
        "Instances asked to start");
    counter(registry, figures, "updraft.hm.stop.requests", "stop_requests",
        "Instances (or apps) asked to stop");
    counter(registry, figures, "updraft.scaling.requests", "scale_requests",
        "Scale-up requests sent to the controllers");
  }

  private static void gauge(MeterRegistry registry, HealthManager figures,
      String name, String key, String description) {
    // the registry holds its object weakly: the health manager, which the verticle holds
    Gauge.builder(name, figures, f -> number(f.snapshot().get(key))).description(description)
        .register(registry);
  }

  private static void counter(MeterRegistry registry, HealthManager figures,
      String name, String key, String description) {
    FunctionCounter.builder(name, figures, f -> number(f.snapshot().get(key)))
        .description(description).register(registry);
  }

  private static double number(Object value) {
    if (value instanceof Number n) {
      return n.doubleValue();
    }
    if (value instanceof Boolean b) {
      return b ? 1 : 0;
    }
    return Double.NaN;
  }
}
