package io.updraft.healthmanager;

import static io.updraft.common.testing.Futures.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.updraft.common.bus.NatsBus;
import io.updraft.common.component.ComponentLauncher;
import io.updraft.common.config.ConfigLoader;
import io.updraft.common.fixtures.AppFixture;
import io.updraft.common.protocol.Empty;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.dea.Heartbeat;
import io.updraft.common.protocol.dea.Heartbeat.InstanceHeartbeat;
import io.updraft.common.protocol.dea.InstanceState;
import io.updraft.common.protocol.health.CrashesStatusReply;
import io.updraft.common.protocol.droplet.DropletExited;
import io.updraft.common.protocol.health.DeaLost;
import io.updraft.common.protocol.health.HealthDropletReply;
import io.updraft.common.protocol.health.HealthReply;
import io.updraft.common.protocol.health.HealthRequest;
import io.updraft.common.protocol.health.HealthStatusRequest;
import io.updraft.common.protocol.health.HmRequest;
import io.updraft.common.testing.NatsServer;
import io.updraft.common.testing.NatsServerExtension;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The health manager on a real nats-server, with simulated DEAs heartbeating and a fake
 * controller serving desired state and taking requests. Timings are shortened by config.
 */
@ExtendWith(NatsServerExtension.class)
class HealthManagerIT {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private NatsServer nats;
  private Vertx vertx;
  private NatsBus bus;
  private FakeController controller;
  private final List<ComponentLauncher.Running<HealthManagerConfig>> hms = new ArrayList<>();
  private final Map<ComponentLauncher.Running<HealthManagerConfig>, HealthManagerVerticle>
      verticles = new ConcurrentHashMap<>();
  /** DEA id to the entries it heartbeats; a DEA removed from here goes silent. */
  private final Map<String, List<InstanceHeartbeat>> deas = new ConcurrentHashMap<>();
  private final List<DeaLost> lost = new CopyOnWriteArrayList<>();
  private final List<Long> hmStarts = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp(NatsServer server) throws Exception {
    nats = server;
    vertx = Vertx.vertx();
    bus = result(NatsBus.connect(vertx, nats.config(), "hm-it", new SimpleMeterRegistry()));
    controller = new FakeController(bus);
    bus.subscribe(Subjects.HM_DEA_LOST, DeaLost.class, d -> lost.add(d.body()));
    bus.subscribe(Subjects.HM_START, Empty.class, d -> hmStarts.add(System.nanoTime()));
    vertx.setPeriodic(300, id -> deas.forEach((dea, entries) ->
        bus.publish(Subjects.DEA_HEARTBEAT, new Heartbeat(dea, false, entries))));
    result(bus.flush());
  }

  @AfterEach
  void tearDown() throws Exception {
    hms.forEach(ComponentLauncher.Running::stop);
    result(bus.close());
    result(vertx.close());
  }

  private Map<String, String> env(Map<String, String> extra) {
    Map<String, String> env = new HashMap<>();
    env.put("UPDRAFT__NATS__SERVERS", "[" + nats.url() + "]");
    env.put("UPDRAFT__NATS__USER", NatsServer.USER);
    env.put("UPDRAFT__NATS__PASSWORD", NatsServer.PASSWORD);
    env.put("UPDRAFT__LOCAL_IP", "127.0.0.1");
    env.put("UPDRAFT__ANALYSIS_INTERVAL_MS", "200");
    env.put("UPDRAFT__DEA_LOST_SECONDS", "2");
    env.put("UPDRAFT__STARTUP_GRACE_SECONDS", "1");
    env.put("UPDRAFT__TAKEOVER_GRACE_SECONDS", "1");
    env.put("UPDRAFT__START_PENDING_SECONDS", "3");
    env.put("UPDRAFT__DESIRED_STATE_INTERVAL_SECONDS", "2");
    env.putAll(extra);
    return env;
  }

  private ComponentLauncher.Running<HealthManagerConfig> healthManager(Map<String, String> extra)
      throws Exception {
    HealthManagerConfig config = ConfigLoader.load(null, env(extra), HealthManagerConfig.class);
    HealthManagerVerticle[] created = new HealthManagerVerticle[1];
    var running = result(ComponentLauncher.start(HealthManagerMain.TYPE, config, rt -> {
      created[0] = (HealthManagerVerticle) HealthManagerMain.verticle(rt);
      return created[0];
    }));
    hms.add(running);
    verticles.put(running, created[0]);
    return running;
  }

  private static List<InstanceHeartbeat> running(AppFixture app, int... indices) {
    List<InstanceHeartbeat> out = new ArrayList<>();
    for (int i : indices) {
      out.add(app.instanceHeartbeat(i, InstanceState.RUNNING));
    }
    return out;
  }

  @Test
  void aSilentDeaIsDeclaredLostAndOnlyItsInstancesAreAskedForAgain() throws Exception {
    AppFixture app = AppFixture.create().withInstances(4);
    controller.put(app.bulkApp());
    deas.put("dea-1", running(app, 0, 1));
    deas.put("dea-2", running(app, 2, 3));
    healthManager(Map.of());
    await().atMost(WAIT).until(() -> !hmStarts.isEmpty());
    // healthy for a while: nothing asked
    await().during(Duration.ofMillis(1500)).atMost(WAIT)
        .until(() -> controller.requests.isEmpty());

    deas.remove("dea-1");
    long silent = System.nanoTime();
    await().atMost(WAIT).until(() -> !lost.isEmpty());
    assertThat(lost).singleElement().satisfies(d -> {
      assertThat(d.dea()).isEqualTo("dea-1");
      assertThat(d.instances()).isEqualTo(2);
    });
    await().atMost(WAIT).until(() -> controller.startedIndices(app.id()).size() == 2);
    long tookMs = (System.nanoTime() - silent) / 1_000_000;
    assertThat(controller.startedIndices(app.id())).containsExactlyInAnyOrder(0, 1);
    assertThat(controller.starts()).allSatisfy(s -> assertThat(s.version())
        .isEqualTo(app.version()));
    // lost after 2 s of silence, asked for within the next passes
    assertThat(tookMs).isBetween(1_500L, 6_000L);
    // and on /metrics
    await().atMost(WAIT).untilAsserted(() -> assertThat(hms.get(0).runtime().metrics().scrape())
        .containsPattern("updraft_hm_deas_lost_total\\{[^}]*} 1.0")
        .containsPattern("updraft_hm_deas\\{[^}]*} 1.0")
        .containsPattern("updraft_hm_start_requests_total\\{[^}]*} 2.0"));
  }

  @Test
  void aCrashIsRestartedAtOnceAndTheHealthManagerAnswersQueries() throws Exception {
    AppFixture app = AppFixture.create().withInstances(2);
    controller.put(app.bulkApp());
    deas.put("dea-1", running(app, 0, 1));
    healthManager(Map.of());
    await().atMost(WAIT).untilAsserted(() -> {
      List<HealthReply> replies = result(bus.gather(Subjects.HM_HEALTH,
          new HealthRequest(List.of(new HealthRequest.AppVersion(app.id(), app.version()))),
          HealthReply.class, Duration.ofMillis(500), 1));
      assertThat(replies).singleElement().satisfies(r -> assertThat(r.healthy()).isEqualTo(2));
    });
    // past the grace period, index 1 crashes
    await().during(Duration.ofMillis(1200)).atMost(WAIT)
        .until(() -> controller.requests.isEmpty());
    deas.put("dea-1", running(app, 0));
    long crashed = System.nanoTime();
    // crashed now (the fixture's crash time is years ago and would be pruned at once)
    var exit = app.crashed(1);
    bus.publish(Subjects.DROPLET_EXITED, new DropletExited(exit.droplet(), exit.version(),
        exit.instance(), exit.index(), exit.reason(), System.currentTimeMillis() / 1000,
        exit.ccPartition(), 137, "killed"));
    await().atMost(WAIT).until(() -> !controller.starts().isEmpty());
    long tookMs = (System.nanoTime() - crashed) / 1_000_000;
    assertThat(controller.starts()).containsExactly(app.startMissing(1));
    assertThat(tookMs).as("crash to start request").isLessThan(1_000);

    CrashesStatusReply crashes = result(bus.request(Subjects.HM_STATUS,
        HealthStatusRequest.crashes(app.id()), CrashesStatusReply.class, Duration.ofSeconds(2)));
    assertThat(crashes.instances()).extracting(CrashesStatusReply.Crash::instance)
        .containsExactly(app.instanceId(1));

    // the whole record, for tools
    List<HealthDropletReply> records = result(bus.gather(Subjects.HM_DROPLET,
        new HealthRequest(List.of(new HealthRequest.AppVersion(app.id(), null),
            new HealthRequest.AppVersion("no-such-app", null))), HealthDropletReply.class,
        Duration.ofMillis(500), 2));
    assertThat(records).singleElement().satisfies(r -> {
      assertThat(r.droplet()).isEqualTo(app.id());
      assertThat(r.desired().version()).isEqualTo(app.version());
      assertThat(r.crashes()).isEqualTo(1);
      assertThat(r.instances()).extracting(HealthDropletReply.Instance::index).contains(0);
    });
  }

  @Test
  void nothingIsAskedDuringTheStartupGrace() throws Exception {
    AppFixture app = AppFixture.create().withInstances(1);
    controller.put(app.bulkApp());
    long started = System.nanoTime();
    healthManager(Map.of("UPDRAFT__STARTUP_GRACE_SECONDS", "3"));
    await().atMost(WAIT).until(() -> !controller.starts().isEmpty());
    assertThat((System.nanoTime() - started) / 1_000_000).isGreaterThanOrEqualTo(3_000);
    assertThat(controller.starts()).containsExactly(app.startMissing(0));
  }

  @Test
  void aScaleDownIsCompletedByStoppingTheExtraInstances() throws Exception {
    AppFixture app = AppFixture.create().withInstances(3);
    controller.put(app.withInstances(1).bulkApp());
    deas.put("dea-1", running(app, 0, 1, 2));
    healthManager(Map.of());
    await().atMost(WAIT).until(() -> !controller.stops().isEmpty());
    assertThat(controller.stops()).first().isEqualTo(app.stopExtra(1, 2));
    assertThat(controller.starts()).isEmpty();
  }

  @Test
  void ofTwoHealthManagersOneActsAndTheOtherTakesOverWhenItStops() throws Exception {
    int p1 = NatsServer.freePort();
    int p2 = NatsServer.freePort();
    String members = "[\"127.0.0.1:" + p1 + "\", \"127.0.0.1:" + p2 + "\"]";
    Map<String, String> cluster = Map.of("UPDRAFT__CLUSTER__MODE", "member",
        "UPDRAFT__CLUSTER__NAME", "hm-it-" + p1, "UPDRAFT__CLUSTER__MEMBERS", members,
        "UPDRAFT__CLUSTER__HOST", "127.0.0.1", "UPDRAFT__LEADER_LEASE_SECONDS", "3");
    AppFixture app = AppFixture.create().withInstances(2);
    controller.put(app.bulkApp());
    deas.put("dea-1", running(app, 0, 1));
    Map<String, String> first = new HashMap<>(cluster);
    first.put("UPDRAFT__CLUSTER__PORT", String.valueOf(p1));
    Map<String, String> second = new HashMap<>(cluster);
    second.put("UPDRAFT__CLUSTER__PORT", String.valueOf(p2));
    var hm1 = healthManager(first);
    var hm2 = healthManager(second);
    await().atMost(WAIT).until(() -> active(hm1) ^ active(hm2));
    await().during(Duration.ofMillis(1500)).atMost(WAIT)
        .until(() -> controller.requests.isEmpty());

    deas.put("dea-1", running(app, 0));
    bus.publish(Subjects.DROPLET_EXITED, app.crashed(1));
    await().atMost(WAIT).until(() -> !controller.starts().isEmpty());
    deas.put("dea-1", running(app, 0, 1));
    // one request, from the active one only
    await().during(Duration.ofSeconds(1)).atMost(WAIT)
        .until(() -> controller.starts().size() == 1);

    var active = active(hm1) ? hm1 : hm2;
    var standby = active == hm1 ? hm2 : hm1;
    active.stop();
    hms.remove(active);
    await().atMost(WAIT).until(() -> active(standby));
    deas.put("dea-1", running(app, 1));
    bus.publish(Subjects.DROPLET_EXITED, app.crashed(0));
    await().atMost(WAIT).until(() -> controller.starts().size() == 2);
    await().during(Duration.ofSeconds(1)).atMost(WAIT)
        .until(() -> controller.starts().size() == 2);
    assertThat(controller.starts()).containsExactly(app.startMissing(1), app.startMissing(0));
  }

  private boolean active(ComponentLauncher.Running<HealthManagerConfig> hm) {
    return verticles.get(hm).active();
  }
}
