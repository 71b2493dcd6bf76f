package io.updraft.router.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.updraft.router.registry.RouteKey;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterMetricsTest {

  // the registry components run with (its histogram buckets are cumulative)
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final RouterMetrics metrics = new RouterMetrics(registry);

  @Test
  @SuppressWarnings("unchecked")
  void countsPerRouteAndStatusClassWithPercentiles() {
    RouteKey route = RouteKey.parse("app.vcap.me/api");
    for (int i = 0; i < 99; i++) {
      metrics.request(route, 200, 2_000_000);
    }
    metrics.request(route, 503, 900_000_000);
    metrics.request(null, 404, 100_000);

    Map<String, Object> varz = metrics.varz();
    assertThat(varz).containsEntry("requests", 101L).containsEntry("responses_2xx", 99L)
        .containsEntry("responses_5xx", 1L).containsEntry("responses_4xx", 1L);
    Map<String, Object> stats = (Map<String, Object>) varz.get("route_stats");
    Map<String, Object> api = (Map<String, Object>) stats.get("app.vcap.me/api");
    assertThat(api).containsEntry("2xx", 99L).containsEntry("5xx", 1L)
        .containsEntry("requests", 100L);
    assertThat((Double) api.get("p50_ms")).isBetween(2.0, 3.0);
    assertThat((Double) api.get("p99_ms")).isBetween(2.0, 3.0);
    assertThat(stats).containsKey("(none)");
    assertThat(registry.get("router.requests").tags("route", "app.vcap.me/api", "status", "5xx")
        .timer().count()).isEqualTo(1);
    assertThat(registry.scrape()).contains("router_requests_seconds_bucket");
  }
}
