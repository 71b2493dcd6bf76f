package io.updraft.common.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.updraft.common.protocol.Empty;
import io.updraft.common.protocol.dea.DeaAdvertise;
import io.updraft.common.protocol.dea.Heartbeat;
import io.updraft.common.protocol.dea.InstanceState;
import static io.updraft.common.testing.Futures.result;

import io.updraft.common.testing.NatsServer;
import io.updraft.common.testing.NatsServerExtension;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The jnats-backed bus against a real nats-server. */
@ExtendWith(NatsServerExtension.class)
class NatsBusIT {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private Vertx vertx;
  private final List<NatsBus> buses = new ArrayList<>();

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (NatsBus bus : buses) {
      result(bus.close());
    }
    result(vertx.close());
  }

  private NatsBus connect(NatsServer nats, SimpleMeterRegistry metrics) throws Exception {
    NatsBus bus = result(NatsBus.connect(vertx, nats.config(), "test", metrics));
    buses.add(bus);
    await().atMost(WAIT).until(bus::isConnected);
    return bus;
  }

  private NatsBus connect(NatsServer nats) throws Exception {
    return connect(nats, new SimpleMeterRegistry());
  }

  private static DeaAdvertise advert(String id) {
    return new DeaAdvertise(id, 1024L, List.of("java"), false);
  }

  private static Heartbeat heartbeat(String dea) {
    return new Heartbeat(dea, false, List.of(new Heartbeat.InstanceHeartbeat(
        "42", "abc-1", "i-1", 0, InstanceState.RUNNING, 1L, "default")));
  }

  /** Subscriptions are sent asynchronously; a round trip through the server orders them. */
  private static void settle(NatsBus bus) throws Exception {
    result(bus.flush());
  }

  @Test
  void publishedMessageReachesSubscriberOnItsVertxContext(NatsServer nats) throws Exception {
    NatsBus publisher = connect(nats);
    NatsBus subscriber = connect(nats);
    List<Heartbeat> received = Collections.synchronizedList(new ArrayList<>());
    AtomicReference<Context> handlerContext = new AtomicReference<>();
    Context subscriberContext = vertx.getOrCreateContext();
    subscriberContext.runOnContext(v -> subscriber.subscribe("dea.heartbeat", Heartbeat.class,
        d -> {
          handlerContext.set(Vertx.currentContext());
          received.add(d.body());
        }));
    await().atMost(WAIT).untilAsserted(() -> {
      publisher.publish("dea.heartbeat", heartbeat("dea-1"));
      assertThat(received).isNotEmpty();
    });
    assertThat(received.get(0).dea()).isEqualTo("dea-1");
    assertThat(received.get(0).droplets()).singleElement()
        .satisfies(i -> assertThat(i.state()).isEqualTo(InstanceState.RUNNING));
    assertThat(handlerContext.get()).isSameAs(subscriberContext);
  }

  @Test
  void queueGroupDeliversEachMessageToOneMember(NatsServer nats) throws Exception {
    NatsBus bus = connect(nats);
    AtomicInteger first = new AtomicInteger();
    AtomicInteger second = new AtomicInteger();
    AtomicInteger outsider = new AtomicInteger();
    bus.subscribe("staging", "staging", DeaAdvertise.class, d -> first.incrementAndGet());
    bus.subscribe("staging", "staging", DeaAdvertise.class, d -> second.incrementAndGet());
    bus.subscribe("staging", DeaAdvertise.class, d -> outsider.incrementAndGet());
    settle(bus);
    for (int i = 0; i < 40; i++) {
      bus.publish("staging", advert("d" + i));
    }
    await().atMost(WAIT).until(() -> outsider.get() == 40 && first.get() + second.get() == 40);
    // nothing more arrives later: each message went to exactly one member
    await().during(Duration.ofMillis(300)).atMost(WAIT)
        .until(() -> first.get() + second.get() == 40);
  }

  @Test
  void requestGetsReplyOrTimesOut(NatsServer nats) throws Exception {
    NatsBus responder = connect(nats);
    NatsBus requester = connect(nats);
    responder.subscribe("dea.discover", DeaAdvertise.class,
        d -> responder.reply(d, advert("answer-to-" + d.body().id())));
    settle(responder);

    DeaAdvertise reply = result(requester.request("dea.discover", advert("q1"),
        DeaAdvertise.class, Duration.ofSeconds(5)));
    assertThat(reply.id()).isEqualTo("answer-to-q1");

    // a responder that never answers: the request times out after its bound
    responder.subscribe("dea.silent", DeaAdvertise.class, d -> { });
    result(responder.flush());
    long started = System.nanoTime();
    Future<DeaAdvertise> unanswered = requester.request("dea.silent", advert("q2"),
        DeaAdvertise.class, Duration.ofMillis(300));
    assertThatThrownBy(() -> result(unanswered)).hasCauseInstanceOf(BusTimeoutException.class)
        .hasMessageContaining("no reply on dea.silent within 300 ms");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(
        Duration.ofMillis(290));
  }

  @Test
  void gatherCollectsEveryReplyWithinTheWindow(NatsServer nats) throws Exception {
    NatsBus bus = connect(nats);
    for (int i = 0; i < 3; i++) {
      String name = "dea-" + i;
      bus.subscribe("dea.discover", Empty.class, d -> bus.reply(d, advert(name)));
    }
    settle(bus);
    // the window is the whole wait (fewer than 100 replies come), so it is wide enough for
    // three local replies on a loaded machine
    List<DeaAdvertise> all = result(bus.gather("dea.discover", Empty.INSTANCE,
        DeaAdvertise.class, Duration.ofSeconds(3), 100));
    assertThat(all).extracting(DeaAdvertise::id)
        .containsExactlyInAnyOrder("dea-0", "dea-1", "dea-2");

    List<DeaAdvertise> firstTwo = result(bus.gather("dea.discover", Empty.INSTANCE,
        DeaAdvertise.class, Duration.ofSeconds(30), 2));
    assertThat(firstTwo).hasSize(2);

    List<DeaAdvertise> none = result(bus.gather("nobody.listens", Empty.INSTANCE,
        DeaAdvertise.class, Duration.ofMillis(100), 5));
    assertThat(none).isEmpty();
  }

  @Test
  void malformedMessageIsDroppedAndCountedAndTheNextOneHandled(NatsServer nats)
      throws Exception {
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    NatsBus bus = connect(nats, metrics);
    List<String> handled = Collections.synchronizedList(new ArrayList<>());
    bus.subscribe("dea.advertise", DeaAdvertise.class, d -> handled.add(d.body().id()));
    settle(bus);

    bus.publishRaw("dea.advertise", "not json at all".getBytes(StandardCharsets.UTF_8));
    bus.publishRaw("dea.advertise", "{\"available_memory\":10}".getBytes(StandardCharsets.UTF_8));
    bus.publishRaw("dea.advertise",
        "{\"id\":\"x\",\"available_memory\":\"lots\"}".getBytes(StandardCharsets.UTF_8));
    bus.publish("dea.advertise", advert("good"));

    await().atMost(WAIT).until(() -> handled.contains("good"));
    assertThat(handled).containsExactly("good");
    assertThat(metrics.counter("updraft.nats.messages.dropped", "subscription", "dea.advertise",
        "reason", "decode").count()).isEqualTo(3.0);
  }

  @Test
  void handlerFailureDoesNotEndTheSubscription(NatsServer nats) throws Exception {
    NatsBus bus = connect(nats);
    List<String> handled = Collections.synchronizedList(new ArrayList<>());
    bus.subscribe("dea.advertise", DeaAdvertise.class, d -> {
      if (d.body().id().equals("boom")) {
        throw new IllegalStateException("handler bug");
      }
      handled.add(d.body().id());
    });
    settle(bus);
    bus.publish("dea.advertise", advert("boom"));
    bus.publish("dea.advertise", advert("after"));
    await().atMost(WAIT).until(() -> handled.contains("after"));
  }

  @Test
  void subscriptionsSurviveServerRestart(NatsServer nats) throws Exception {
    NatsBus subscriber = connect(nats);
    NatsBus publisher = connect(nats);
    List<Boolean> changes = Collections.synchronizedList(new ArrayList<>());
    subscriber.onConnectionChange(changes::add);
    List<String> received = Collections.synchronizedList(new ArrayList<>());
    subscriber.subscribe("dea.advertise", DeaAdvertise.class, d -> received.add(d.body().id()));
    settle(subscriber);

    nats.stop();
    await().atMost(WAIT).until(() -> !subscriber.isConnected() && !publisher.isConnected());
    nats.restart();
    await().atMost(WAIT).until(() -> subscriber.isConnected() && publisher.isConnected());

    await().atMost(WAIT).untilAsserted(() -> {
      publisher.publish("dea.advertise", advert("after-restart"));
      assertThat(received).contains("after-restart");
    });
    assertThat(changes).containsSubsequence(false, true);
  }

  @Test
  void wrongPasswordIsRefusedWithAClearError(NatsServer nats) {
    NatsConfig wrong = NatsConfig.of(nats.url(), NatsServer.USER, "not-the-password");
    assertThatThrownBy(() -> result(NatsBus.connect(vertx, wrong, "intruder",
        new SimpleMeterRegistry())))
        .hasRootCauseInstanceOf(IllegalStateException.class)
        .hasMessageContaining("NATS closed the connection")
        .hasMessageContaining("Authorization Violation")
        .hasMessageNotContaining("not-the-password");
  }

  @Test
  void requestToASubjectNobodyListensOnFailsFast(NatsServer nats) throws Exception {
    NatsBus bus = connect(nats);
    Future<DeaAdvertise> reply = bus.request("nobody.listens", advert("q"), DeaAdvertise.class,
        Duration.ofSeconds(30));
    assertThatThrownBy(() -> result(reply)).hasCauseInstanceOf(BusTimeoutException.class)
        .hasMessageContaining("no responders on nobody.listens");
  }
}
