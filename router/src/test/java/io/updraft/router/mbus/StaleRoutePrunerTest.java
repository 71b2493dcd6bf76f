package io.updraft.router.mbus;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.updraft.common.bus.fakes.FakeBus;
import io.updraft.router.metrics.RouterMetrics;
import io.updraft.router.registry.RouteTable;
import io.updraft.router.registry.RouteTableTestSupport;
import io.updraft.common.testing.MutableClock;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StaleRoutePrunerTest {

  private final Vertx vertx = Vertx.vertx();
  private final FakeBus bus = new FakeBus();
  private final MutableClock clock = new MutableClock(Instant.EPOCH);
  private final RouteTable table = new RouteTable(clock);
  private final RouterMetrics metrics = new RouterMetrics(new SimpleMeterRegistry());
  private final StaleRoutePruner pruner = new StaleRoutePruner(vertx, bus, table, metrics,
      Duration.ofSeconds(30), Duration.ofSeconds(120));

  @AfterEach
  void tearDown() {
    vertx.close();
  }

  @Test
  void prunesStaleBackendsWhileConnected() {
    table.register(RouteTableTestSupport.registration("10.0.0.1", 1, "a.vcap.me"));
    clock.advance(Duration.ofSeconds(119));
    pruner.tick();
    assertThat(table.lookup("a.vcap.me", "/")).isNotNull();
    clock.advance(Duration.ofSeconds(2));
    pruner.tick();
    assertThat(table.lookup("a.vcap.me", "/")).isNull();
    assertThat(metrics.varz()).containsEntry("pruned_backends", 1L);
  }

  @Test
  void prunesNothingWhileNatsIsDown() {
    table.register(RouteTableTestSupport.registration("10.0.0.1", 1, "a.vcap.me"));
    bus.setConnected(false);
    clock.advance(Duration.ofSeconds(600));
    pruner.tick();
    pruner.tick();
    assertThat(table.lookup("a.vcap.me", "/")).isNotNull();
    assertThat(metrics.pruneSkippedCount()).isEqualTo(2);
  }
}
