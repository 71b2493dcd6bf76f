package io.updraft.router.mbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.updraft.common.bus.fakes.FakeBus;
import io.updraft.common.protocol.Empty;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.router.RouterStart;
import io.updraft.router.registry.RouteTable;
import io.updraft.router.registry.RouteTableTestSupport;
import io.updraft.common.testing.MutableClock;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RouterAnnouncerTest {

  private final Vertx vertx = Vertx.vertx();
  private final FakeBus bus = new FakeBus();
  private final MutableClock clock = new MutableClock(Instant.EPOCH);
  private final RouteTable table = new RouteTable(clock);
  private RouterAnnouncer announcer;

  @AfterEach
  void tearDown() {
    announcer.stop();
    vertx.close();
  }

  private void start(Duration interval) {
    announcer = new RouterAnnouncer(vertx, bus, table, "0-abc", "10.0.0.3", interval);
    announcer.start();
  }

  @Test
  void announcesAtStartWithTheReRegisterIntervalAndAnswersGreet() throws Exception {
    start(Duration.ofSeconds(30));
    assertThat(bus.published(Subjects.ROUTER_START, RouterStart.class)).singleElement()
        .satisfies(s -> {
          assertThat(s.id()).isEqualTo("0-abc");
          assertThat(s.hosts()).containsExactly("10.0.0.3");
          assertThat(s.minimumRegisterIntervalInSeconds()).isEqualTo(30);
        });
    RouterStart greeting = bus.request(Subjects.ROUTER_GREET, Empty.INSTANCE,
        RouterStart.class, Duration.ofSeconds(1)).toCompletionStage().toCompletableFuture()
        .get();
    assertThat(greeting).isEqualTo(announcer.document());
  }

  @Test
  void announcesAgainEveryInterval() {
    start(Duration.ofSeconds(1));
    await().atMost(Duration.ofSeconds(5)).until(
        () -> bus.published(Subjects.ROUTER_START, RouterStart.class).size() >= 3);
  }

  @Test
  void staysQuietWhileDisconnectedAndOnReconnectRefreshesTheTableAndAnnounces() {
    start(Duration.ofSeconds(30));
    table.register(RouteTableTestSupport.registration("10.0.0.1", 1, "a.vcap.me"));
    bus.clear();
    bus.setConnected(false);
    assertThat(bus.published(Subjects.ROUTER_START, RouterStart.class)).isEmpty();

    clock.advance(Duration.ofSeconds(500));
    bus.setConnected(true);

    assertThat(bus.published(Subjects.ROUTER_START, RouterStart.class)).hasSize(1);
    assertThat(table.prune(Duration.ofSeconds(120))).isEmpty();
  }
}
