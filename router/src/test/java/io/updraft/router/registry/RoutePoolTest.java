package io.updraft.router.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RoutePoolTest {

  private static final long NOW = 1_000_000;

  private static Backend backend(int port) {
    return new Backend("10.0.0.1", port, "id-" + port, null, Map.of(), 0);
  }

  private final RoutePool pool = new RoutePool(new RouteKey("a.vcap.me", ""),
      List.of(backend(1), backend(2), backend(3)), new AtomicInteger());

  @Test
  void roundRobinVisitsEveryBackendInTurn() {
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ports.add(pool.next(NOW).port());
    }
    assertThat(ports).containsExactly(1, 2, 3, 1, 2, 3);
  }

  @Test
  void retryPicksAnotherBackend() {
    Backend first = pool.next(NOW);
    for (int i = 0; i < 10; i++) {
      assertThat(pool.nextExcept(first, NOW)).isNotNull().isNotSameAs(first);
    }
  }

  @Test
  void noRetryWhenTheFailedBackendIsTheOnlyOne() {
    RoutePool single = new RoutePool(new RouteKey("a.vcap.me", ""), List.of(backend(1)),
        new AtomicInteger());
    assertThat(single.nextExcept(single.next(NOW), NOW)).isNull();
  }

  @Test
  void emptyPoolHasNoBackend() {
    RoutePool empty = new RoutePool(new RouteKey("a.vcap.me", ""), List.of(),
        new AtomicInteger());
    assertThat(empty.next(NOW)).isNull();
    assertThat(empty.byPrivateId("id-1")).isNull();
  }

  @Test
  void stickyLookupByPrivateInstanceId() {
    assertThat(pool.byPrivateId("id-2").port()).isEqualTo(2);
    assertThat(pool.byPrivateId("")).isNull();
    assertThat(pool.byPrivateId(null)).isNull();
  }

  @Test
  void rotationSurvivesAChangeOfBackends() {
    pool.next(NOW);
    RoutePool grown = pool.with(backend(4), null);
    assertThat(grown.next(NOW).port()).isEqualTo(2);
    assertThat(grown.backends()).hasSize(4);
    assertThat(pool.backends()).hasSize(3);
  }

  @Test
  void passesOverARecentlyFailedBackendUntilItsCooldownEnds() {
    Backend failed = pool.backends().get(1);
    failed.markFailed(NOW + 10_000);
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ports.add(pool.next(NOW).port());
    }
    assertThat(ports).doesNotContain(2).contains(1, 3);
    assertThat(pool.nextExcept(pool.backends().get(0), NOW).port()).isEqualTo(3);
    boolean seen = false;
    for (int i = 0; i < 3; i++) {
      seen |= pool.next(NOW + 10_000).port() == 2;
    }
    assertThat(seen).isTrue();
  }

  @Test
  void whenEveryBackendFailedRecentlyStillOffersOne() {
    pool.backends().forEach(b -> b.markFailed(NOW + 10_000));
    assertThat(pool.next(NOW)).isNotNull();
    assertThat(pool.nextExcept(pool.backends().get(0), NOW)).isNotNull()
        .isNotSameAs(pool.backends().get(0));
  }
}
