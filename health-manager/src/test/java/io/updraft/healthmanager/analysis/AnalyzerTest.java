package io.updraft.healthmanager.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import io.updraft.common.bus.fakes.FakeBus;
import io.updraft.common.fixtures.AppFixture;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.dea.Heartbeat;
import io.updraft.common.protocol.dea.InstanceState;
import io.updraft.common.protocol.droplet.ExitReason;
import io.updraft.common.protocol.health.BulkAppsReply.BulkApp;
import io.updraft.common.protocol.health.HmRequest;
import io.updraft.common.config.ConfigLoader;
import io.updraft.healthmanager.HealthManagerConfig;
import io.updraft.healthmanager.state.ActualState;
import io.updraft.healthmanager.state.DesiredState;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AnalyzerTest {

  private static final long T0_MS = AppFixture.T0 * 1000;

  private final FakeBus bus = new FakeBus();
  private HealthManagerConfig config;
  private DesiredState desired;
  private ActualState actual;
  private RequestQueue queue;
  private Analyzer analyzer;
  private long now;

  @BeforeEach
  void setUp() {
    build(Map.of());
  }

  private void build(Map<String, String> env) {
    config = (HealthManagerConfig) ConfigLoader.load(null, env, HealthManagerConfig.class)
        .validate();
    desired = new DesiredState();
    actual = new ActualState();
    queue = new RequestQueue(bus, Subjects.HM_REQUESTS, config.maxStartsPerInterval());
    analyzer = new Analyzer(config, desired, actual, new CrashPolicy(config.crash()), queue);
    now = T0_MS;
  }

  private void want(BulkApp... apps) {
    Map<String, BulkApp> all = new HashMap<>();
    for (BulkApp a : apps) {
      all.put(a.id(), a);
    }
    desired.replaceAll(all, now);
  }

  private void heartbeat(Heartbeat hb) {
    analyzer.onRetainedCrashes(actual.heartbeat(hb, now));
  }

  private List<HmRequest> requests() {
    return bus.published(Subjects.HM_REQUESTS, HmRequest.class);
  }

  private List<HmRequest> starts() {
    return requests().stream().filter(r -> r.op() == HmRequest.Op.START).toList();
  }

  private List<HmRequest> stops() {
    return requests().stream().filter(r -> r.op() == HmRequest.Op.STOP).toList();
  }

  @Test
  void aHealthyAppGetsNoRequests() {
    AppFixture app = AppFixture.create();
    want(app.bulkApp());
    heartbeat(app.heartbeat("dea-1", InstanceState.RUNNING));
    analyzer.analyze(now, true);
    flush();
    assertThat(requests()).isEmpty();
    assertThat(analyzer.healthy(app.id(), app.version())).isEqualTo(2);
  }

  @Test
  void aMissingIndexIsStartedOnceUntilTheStartIsOverdue() {
    AppFixture app = AppFixture.create().withInstances(3);
    want(app.bulkApp());
    heartbeat(AppFixture.heartbeatOf("dea-1", app.instanceHeartbeat(0, InstanceState.RUNNING)));
    analyzer.analyze(now, true);
    flush();
    assertThat(starts()).containsExactly(app.startMissing(1, 2));
    now += 5_000;
    heartbeat(AppFixture.heartbeatOf("dea-1", app.instanceHeartbeat(0, InstanceState.RUNNING)));
    analyzer.analyze(now, true);
    flush();
    assertThat(starts()).hasSize(1);
    now += config.startPendingSeconds() * 1000L;
    heartbeat(AppFixture.heartbeatOf("dea-1", app.instanceHeartbeat(0, InstanceState.RUNNING)));
    analyzer.analyze(now, true);
    flush();
    assertThat(starts()).hasSize(2);
  }

  @Test
  void aLostDeasInstancesAreAllAskedForInTheSamePass() {
    AppFixture a = AppFixture.create().withInstances(2);
    AppFixture b = AppFixture.create().withInstances(1);
    want(a.bulkApp(), b.bulkApp());
    heartbeat(AppFixture.heartbeatOf("dea-1", a.instanceHeartbeat(0, InstanceState.RUNNING),
        b.instanceHeartbeat(0, InstanceState.RUNNING)));
    heartbeat(AppFixture.heartbeatOf("dea-2", a.instanceHeartbeat(1, InstanceState.RUNNING)));
    for (int s = 0; s < config.deaLostSeconds(); s += 2) {
      now += 2_000;
      heartbeat(AppFixture.heartbeatOf("dea-2", a.instanceHeartbeat(1, InstanceState.RUNNING)));
      assertThat(analyzer.analyze(now, true)).isEmpty();
    }
    now += 1_000;
    var lost = analyzer.analyze(now, true);
    flush();
    assertThat(lost).singleElement().satisfies(d -> {
      assertThat(d.id()).isEqualTo("dea-1");
      assertThat(d.instances()).hasSize(2);
    });
    assertThat(starts()).containsExactlyInAnyOrder(a.startMissing(0), b.startMissing(0));
    assertThat(analyzer.lostDeas()).isEqualTo(1);
  }

  @Test
  void crashesRestartAtOnceThenBackOffThenFlap() {
    build(Map.of("UPDRAFT__CRASH", "{immediate_restarts: 2, backoff_min_ms: 1000, "
        + "flapping_crashes: 4, flapping_delay_seconds: 60}"));
    AppFixture app = AppFixture.create().withInstances(1);
    want(app.bulkApp());
    // crashes 1 and 2: restarted the moment the exit arrives
    for (int i = 1; i <= 2; i++) {
      analyzer.onExit(app.crashed(0), now, true);
      flush();
      assertThat(starts()).hasSize(i);
      now += 500;
    }
    // crash 3: waits 1 s
    analyzer.onExit(app.crashed(0), now, true);
    flush();
    assertThat(starts()).hasSize(2);
    now += 500;
    analyzer.analyze(now, true);
    flush();
    assertThat(starts()).hasSize(2);
    now += 600;
    analyzer.analyze(now, true);
    flush();
    assertThat(starts()).hasSize(3);
    assertThat(starts().get(2).flapping()).isNull();
    // crash 4: FLAPPING, restarted only after 60 s, flagged
    now += 100;
    analyzer.onExit(app.crashed(0), now, true);
    assertThat(analyzer.flapping(app.id(), app.version())).singleElement()
        .satisfies(f -> assertThat(f.index()).isZero());
    now += 59_000;
    analyzer.analyze(now, true);
    flush();
    assertThat(starts()).hasSize(3);
    now += 1_100;
    analyzer.analyze(now, true);
    flush();
    assertThat(starts()).hasSize(4);
    assertThat(starts().get(3).flapping()).isTrue();
    assertThat(analyzer.crashes(app.id())).hasSize(4);
  }

  @Test
  void aCrashAfterAQuietWindowCountsAsTheFirst() {
    build(Map.of("UPDRAFT__CRASH", "{immediate_restarts: 1, window_seconds: 60}"));
    AppFixture app = AppFixture.create().withInstances(1);
    want(app.bulkApp());
    analyzer.onExit(app.crashed(0), now, true);
    now += 61_000;
    analyzer.onExit(app.crashed(0), now, true);
    flush();
    assertThat(starts()).hasSize(2);
  }

  @Test
  void evacuatedInstancesAreReplacedAtOnceAndFirst() {
    build(Map.of("UPDRAFT__MAX_STARTS_PER_INTERVAL", "1"));
    AppFixture busy = AppFixture.create().withInstances(1);
    AppFixture evacuated = AppFixture.create().withInstances(1);
    want(busy.bulkApp(), evacuated.bulkApp());
    heartbeat(evacuated.heartbeat("dea-1", InstanceState.RUNNING));
    analyzer.analyze(now, true);
    analyzer.onExit(evacuated.exited(0, ExitReason.DEA_EVACUATION), now, true);
    flush();
    // the budget of one went to the urgent one, the missing one waits
    assertThat(starts()).containsExactly(evacuated.startMissing(0));
    now += 1_000;
    queue.newInterval();
    assertThat(starts()).containsExactly(evacuated.startMissing(0), busy.startMissing(0));
  }

  @Test
  void startsAreLimitedPerInterval() {
    build(Map.of("UPDRAFT__MAX_STARTS_PER_INTERVAL", "3"));
    AppFixture app = AppFixture.create().withInstances(5);
    want(app.bulkApp());
    analyzer.analyze(now, true);
    flush();
    assertThat(starts()).containsExactly(app.startMissing(0, 1, 2));
    queue.newInterval();
    assertThat(starts()).containsExactly(app.startMissing(0, 1, 2), app.startMissing(3, 4));
  }

  @Test
  void extraInstancesAreStopped() {
    AppFixture app = AppFixture.create().withInstances(3);
    AppFixture scaledDown = app.withInstances(1);
    want(scaledDown.bulkApp());
    heartbeat(app.heartbeat("dea-1", InstanceState.RUNNING));
    analyzer.analyze(now, true);
    assertThat(stops()).containsExactly(app.stopExtra(1, 2));
    // asked once, not every pass
    now += 1_000;
    heartbeat(app.heartbeat("dea-1", InstanceState.RUNNING));
    analyzer.analyze(now, true);
    assertThat(stops()).hasSize(1);
  }

  @Test
  void aStoppedAppsInstancesAreStopped() {
    AppFixture app = AppFixture.create();
    BulkApp b = app.bulkApp();
    want(new BulkApp(b.id(), b.name(), b.instances(), "STOPPED", null, null, null, "STAGED",
        b.updatedAt(), b.version()));
    heartbeat(app.heartbeat("dea-1", InstanceState.RUNNING));
    analyzer.analyze(now, true);
    assertThat(stops()).containsExactly(app.stopExtra(0, 1));
    assertThat(starts()).isEmpty();
  }

  @Test
  void theOldVersionStaysUntilTheNewOneRunsInFull() {
    AppFixture old = AppFixture.create().withInstances(2);
    AppFixture current = old.restarted();
    want(current.bulkApp());
    heartbeat(old.heartbeat("dea-1", InstanceState.RUNNING));
    heartbeat(AppFixture.heartbeatOf("dea-2", current.instanceHeartbeat(0,
        InstanceState.RUNNING), current.instanceHeartbeat(1, InstanceState.STARTING)));
    analyzer.analyze(now, true);
    assertThat(stops()).isEmpty();
    heartbeat(current.heartbeat("dea-2", InstanceState.RUNNING));
    analyzer.analyze(now, true);
    assertThat(stops()).singleElement().satisfies(s -> assertThat(s.instances())
        .containsExactlyInAnyOrder(old.instanceId(0), old.instanceId(1)));
  }

  @Test
  void aDuplicateOfAnIndexIsStoppedKeepingTheFirst() {
    AppFixture app = AppFixture.create().withInstances(1);
    want(app.bulkApp());
    heartbeat(app.heartbeat("dea-1", InstanceState.RUNNING));
    now += 1_000;
    var twin = new Heartbeat.InstanceHeartbeat(app.id(), app.version(), "twin-instance", 0,
        InstanceState.RUNNING, AppFixture.T0, null);
    heartbeat(AppFixture.heartbeatOf("dea-2", twin));
    analyzer.analyze(now, true);
    assertThat(stops()).singleElement().satisfies(s -> assertThat(s.instances())
        .containsExactly("twin-instance"));
  }

  @Test
  void aCopyOnADrainingDeaStaysWhileItsReplacementStartsAndGoesOnceItRuns() {
    analyzer.draining("dea-1"::equals);
    AppFixture app = AppFixture.create().withInstances(1);
    want(app.bulkApp());
    heartbeat(app.heartbeat("dea-1", InstanceState.RUNNING));
    now += 1_000;
    var replacement = new Heartbeat.InstanceHeartbeat(app.id(), app.version(), "replacement",
        0, InstanceState.STARTING, AppFixture.T0, null);
    heartbeat(AppFixture.heartbeatOf("dea-2", replacement));
    analyzer.analyze(now, true);
    // the old copy serves until the replacement runs; the replacement is never stopped
    assertThat(stops()).isEmpty();
    now += 1_000;
    heartbeat(AppFixture.heartbeatOf("dea-2", new Heartbeat.InstanceHeartbeat(app.id(),
        app.version(), "replacement", 0, InstanceState.RUNNING, AppFixture.T0, null)));
    analyzer.analyze(now, true);
    assertThat(stops()).singleElement().satisfies(s -> assertThat(s.instances())
        .containsExactly(app.instanceId(0)));
  }

  @Test
  void anUnknownAppIsStoppedOnlyAfterAScanThatBeganAfterItWasHeard() {
    AppFixture ghost = AppFixture.create();
    want();
    now += 1_000;
    heartbeat(ghost.heartbeat("dea-1", InstanceState.RUNNING));
    analyzer.analyze(now, true);
    assertThat(stops()).isEmpty();
    now += 1_000;
    want();
    analyzer.analyze(now, true);
    assertThat(stops()).singleElement().satisfies(s -> {
      assertThat(s.droplet()).isEqualTo(ghost.id());
      assertThat(s.instances()).isEmpty();
    });
  }

  @Test
  void appsBeingStagedOrJustChangedAreLeftToTheController() {
    AppFixture staging = AppFixture.create();
    AppFixture justScaled = AppFixture.create();
    BulkApp s = staging.bulkApp();
    BulkApp j = justScaled.bulkApp();
    want(new BulkApp(s.id(), s.name(), 2, "STARTED", null, null, null, "PENDING",
        s.updatedAt(), s.version()),
        new BulkApp(j.id(), j.name(), 2, "STARTED", null, null, null, "STAGED",
            now / 1000 - 2, j.version()));
    analyzer.analyze(now, true);
    analyzer.onExit(staging.crashed(0), now, true);
    flush();
    assertThat(requests()).isEmpty();
  }

  @Test
  void aStaleAppIsSkippedUntilReRead() {
    AppFixture app = AppFixture.create();
    want(app.bulkApp());
    desired.markStale(app.id(), now);
    analyzer.analyze(now, true);
    flush();
    assertThat(requests()).isEmpty();
    desired.refreshed(app.id(), Optional.of(app.bulkApp()), now);
    analyzer.analyze(now, true);
    flush();
    assertThat(starts()).containsExactly(app.startMissing(0, 1));
  }

  @Test
  void withoutLeaveToActNothingIsSentButStateIsKept() {
    AppFixture app = AppFixture.create().withInstances(1);
    want(app.bulkApp());
    analyzer.onExit(app.crashed(0), now, false);
    analyzer.analyze(now, false);
    flush();
    assertThat(requests()).isEmpty();
    assertThat(analyzer.crashes(app.id())).hasSize(1);
  }

  /** Sends what the pass queued, as the health manager does after each pass. */
  private void flush() {
    queue.send();
  }
}
