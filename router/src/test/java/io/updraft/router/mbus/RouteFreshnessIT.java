package io.updraft.router.mbus;

import static io.updraft.common.testing.Futures.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.updraft.common.protocol.Empty;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.router.RouterStart;
import io.updraft.common.testing.NatsServer;
import io.updraft.common.testing.NatsServerExtension;
import io.updraft.router.testing.RouterHarness;
import io.updraft.router.testing.TestBackend;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The keep-alive conversation with a real nats-server: router.start, re-registration, pruning
 * of what is not renewed, and no pruning while the bus is down.
 */
@ExtendWith(NatsServerExtension.class)
class RouteFreshnessIT {

  /**
   * Fast timings: announce every second, stale after 3 s (two missed rounds of slack on a
   * busy machine), prune every second.
   */
  private static final Map<String, String> FAST = Map.of("START_INTERVAL_SECONDS", "1",
      "PRUNE_STALE_AFTER_SECONDS", "3", "PRUNE_INTERVAL_SECONDS", "1");

  private RouterHarness router;
  private TestBackend backend;

  @AfterEach
  void tearDown() throws Exception {
    if (backend != null) {
      backend.close();
    }
    if (router != null) {
      router.close();
    }
  }

  @Test
  void announcesRouterStartAndAnswersGreet(NatsServer nats) throws Exception {
    router = RouterHarness.start(nats, FAST);
    List<RouterStart> starts = new CopyOnWriteArrayList<>();
    router.observer().subscribe(Subjects.ROUTER_START, RouterStart.class,
        d -> starts.add(d.body()));
    await().atMost(Duration.ofSeconds(10)).until(() -> starts.size() >= 2);
    assertThat(starts.get(0).minimumRegisterIntervalInSeconds()).isEqualTo(1);
    assertThat(starts.get(0).hosts()).containsExactly("127.0.0.1");

    RouterStart greeting = result(router.observer().request(Subjects.ROUTER_GREET,
        Empty.INSTANCE, RouterStart.class, Duration.ofSeconds(5)));
    assertThat(greeting.id()).isEqualTo(starts.get(0).id());
  }

  @Test
  void prunesRoutesThatAreNotRenewedAndKeepsThoseThatAre(NatsServer nats) throws Exception {
    router = RouterHarness.start(nats, FAST);
    backend = TestBackend.named(router.vertx(), "kept");
    TestBackend stale = TestBackend.named(router.vertx(), "stale");
    try {
      // a DEA-like registrant that answers every router.start
      router.observer().subscribe(Subjects.ROUTER_START, RouterStart.class,
          d -> router.observer().publish(Subjects.ROUTER_REGISTER,
              RouterHarness.registration("kept.vcap.me", backend.port(), null)));
      router.register("kept.vcap.me", backend);
      router.register("stale.vcap.me", stale);

      await().atMost(Duration.ofSeconds(15)).until(
          () -> router.get("stale.vcap.me", "/").status() == 404);
      assertThat(router.get("kept.vcap.me", "/").body()).isEqualTo("kept");
      assertThat((long) router.router().metrics().varz().get("pruned_backends")).isEqualTo(1);
    } finally {
      stale.close();
    }
  }

  @Test
  void keepsRoutingWithoutPruningWhileNatsIsDownAndAsksForRegistrationsAfter(NatsServer nats)
      throws Exception {
    router = RouterHarness.start(nats, FAST);
    backend = TestBackend.named(router.vertx(), "survivor");
    router.register("survivor.vcap.me", backend);

    nats.stop();
    long skippedBefore = router.router().metrics().pruneSkippedCount();
    // five prune ticks (4 s or more) pass: the registration is older than the 3 s threshold
    await().atMost(Duration.ofSeconds(15))
        .until(() -> router.router().metrics().pruneSkippedCount() >= skippedBefore + 5);
    assertThat(router.get("survivor.vcap.me", "/").body()).isEqualTo("survivor");
    assertThat(router.router().metrics().varz()).containsEntry("pruned_backends", 0L);

    List<RouterStart> starts = new CopyOnWriteArrayList<>();
    nats.restart();
    router.observer().subscribe(Subjects.ROUTER_START, RouterStart.class, d -> {
      starts.add(d.body());
      router.observer().publish(Subjects.ROUTER_REGISTER,
          RouterHarness.registration("survivor.vcap.me", backend.port(), null));
    });
    await().atMost(Duration.ofSeconds(15)).until(() -> !starts.isEmpty());
    // re-registered in answer to router.start: still routed after several prune ticks
    long skippedAfter = router.router().metrics().pruneSkippedCount();
    await().atMost(Duration.ofSeconds(10)).during(Duration.ofSeconds(3))
        .until(() -> router.get("survivor.vcap.me", "/").status() == 200);
    assertThat(router.router().metrics().pruneSkippedCount()).isEqualTo(skippedAfter);
  }
}
