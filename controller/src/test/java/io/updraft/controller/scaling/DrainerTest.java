package io.updraft.controller.scaling;

import static io.updraft.controller.scaling.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.updraft.common.bus.fakes.FakeBus;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.dea.DeaStopRequest;
import io.updraft.common.protocol.dea.Heartbeat;
import io.updraft.common.protocol.dea.Heartbeat.InstanceHeartbeat;
import io.updraft.common.protocol.dea.InstanceState;
import io.updraft.common.protocol.health.DeaDraining;
import io.updraft.controller.db.Database;
import io.updraft.controller.db.DatabaseConfig;
import io.updraft.controller.events.EventStore;
import io.updraft.controller.runner.Relocator;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drain's order on a fake bus: nothing is stopped before every replacement runs, the node
 * goes only once the DEA is empty, and a drain that cannot move an instance is given up with
 * the DEA back in placement.
 */
class DrainerTest {

  private static final Heartbeat.DeaUsage USAGE = new Heartbeat.DeaUsage(0L, 0L, 0.0, 4, 2048L,
      256L, 1000L);

  @TempDir
  Path dir;
  private Vertx vertx;
  private Database db;
  private EventStore events;
  private final FakeBus bus = new FakeBus();
  private final Map<String, Relocator.Relocation> outcomes = new ConcurrentHashMap<>();
  private final List<String> calls = new CopyOnWriteArrayList<>();
  private final List<String> terminated = new CopyOnWriteArrayList<>();
  private Context context;
  private Drainer drainer;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    db = await(Database.open(vertx, DatabaseConfig.defaults(), dir.resolve("data")));
    events = new EventStore(db, Clock.systemUTC());
    Relocator relocator = new Relocator() {
      @Override
      public void draining(String deaId, boolean on) {
        calls.add("draining " + deaId + " " + on);
      }

      @Override
      public void forget(String deaId) {
        calls.add("forget " + deaId);
      }

      @Override
      public Future<Relocation> relocate(String droplet, String version, int index) {
        calls.add("relocate " + droplet + "/" + index);
        return Future.succeededFuture(outcomes.getOrDefault(droplet, Relocation.PLACED));
      }
    };
    ScalingPlatform platform = new ScalingPlatform() {
      @Override
      public String name() {
        return "local";
      }

      @Override
      public Future<List<String>> launch(int count) {
        return Future.failedFuture("not in this test");
      }

      @Override
      public Future<Void> terminate(String nodeId) {
        terminated.add(nodeId);
        return Future.succeededFuture();
      }
    };
    drainer = new Drainer(vertx, bus, relocator, platform, events, Clock.systemUTC(),
        new Drainer.Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(10),
            Duration.ofSeconds(10)));
    context = vertx.getOrCreateContext();
  }

  @AfterEach
  void tearDown() throws Exception {
    db.close();
    await(vertx.close());
  }

  private void on(Runnable action) throws Exception {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      action.run();
      done.complete();
    });
    await(done.future());
  }

  private static InstanceHeartbeat instance(String app, String id, InstanceState state) {
    return new InstanceHeartbeat(app, "v1", id, 0, state, 1L, null);
  }

  private List<String> kinds() throws Exception {
    return await(events.recent(20, "scaling.")).stream().map(EventStore.Event::kind).toList();
  }

  @Test
  void replacementsRunBeforeTheOldInstancesStopAndTheNodeGoesOnceTheDeaIsEmpty()
      throws Exception {
    outcomes.put("2", Relocator.Relocation.NOT_WANTED);
    AtomicReference<Future<Void>> drained = new AtomicReference<>();
    on(() -> drained.set(drainer.drain("dea-x", "node-1", EventStore.SYSTEM, "idle")));
    assertThat(bus.published(Subjects.DEA_DRAINING, DeaDraining.class)).singleElement()
        .isEqualTo(new DeaDraining("dea-x", true, "node-1"));
    assertThat(calls).containsExactly("draining dea-x true");

    on(() -> bus.publish(Subjects.DEA_HEARTBEAT, new Heartbeat("dea-x", false, List.of(
        instance("1", "old-1", InstanceState.RUNNING),
        instance("2", "old-2", InstanceState.RUNNING)), USAGE)));
    await().atMost(Duration.ofSeconds(10)).until(() -> calls.contains("relocate 2/0"));
    assertThat(calls).contains("relocate 1/0");
    // the replacement starts elsewhere: nothing is stopped yet
    on(() -> bus.publish(Subjects.DEA_HEARTBEAT, new Heartbeat("dea-y", false, List.of(
        instance("1", "new-1", InstanceState.STARTING)))));
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
        .until(() -> bus.published(Subjects.DEA_STOP, DeaStopRequest.class).isEmpty());

    on(() -> bus.publish(Subjects.DEA_HEARTBEAT, new Heartbeat("dea-y", false, List.of(
        instance("1", "new-1", InstanceState.RUNNING)))));
    await().atMost(Duration.ofSeconds(10)).until(() -> bus.published(Subjects.DEA_STOP,
        DeaStopRequest.class).size() == 2);
    assertThat(bus.published(Subjects.DEA_STOP, DeaStopRequest.class))
        .extracting(DeaStopRequest::instances)
        .containsExactlyInAnyOrder(List.of("old-1"), List.of("old-2"));
    assertThat(terminated).isEmpty();

    // the DEA reports itself empty: the node is removed
    on(() -> bus.publish(Subjects.DEA_HEARTBEAT, new Heartbeat("dea-x", false, List.of(),
        USAGE)));
    await(drained.get());
    assertThat(terminated).containsExactly("node-1");
    assertThat(calls).contains("forget dea-x").doesNotContain("draining dea-x false");
    await().atMost(Duration.ofSeconds(10)).until(() -> kinds().contains("scaling.removed"));
    assertThat(kinds()).contains("scaling.drain_started", "scaling.drain_moved");
    EventStore.Event removed = await(events.recent(20, "scaling.removed")).get(0);
    assertThat(removed.details()).containsEntry("instances", 2).containsEntry("relocated", 1)
        .containsEntry("node", "node-1");
    assertThat(drainer.draining()).isNull();
  }

  @Test
  void aDrainThatFindsNoRoomIsGivenUpAndTheDeaTakesPlacementsAgain() throws Exception {
    outcomes.put("1", Relocator.Relocation.NO_ROOM);
    AtomicReference<Future<Void>> drained = new AtomicReference<>();
    on(() -> drained.set(drainer.drain("dea-x", "node-1", EventStore.SYSTEM, "idle")));
    on(() -> bus.publish(Subjects.DEA_HEARTBEAT, new Heartbeat("dea-x", false, List.of(
        instance("1", "old-1", InstanceState.RUNNING)), USAGE)));
    await().atMost(Duration.ofSeconds(10)).until(() -> drained.get().failed());
    assertThat(drained.get().cause()).hasMessageContaining("no other DEA has room for app 1");
    assertThat(calls).containsExactly("draining dea-x true", "relocate 1/0",
        "draining dea-x false");
    assertThat(bus.published(Subjects.DEA_DRAINING, DeaDraining.class)).last()
        .isEqualTo(new DeaDraining("dea-x", false, "node-1"));
    assertThat(bus.published(Subjects.DEA_STOP, DeaStopRequest.class)).isEmpty();
    assertThat(terminated).isEmpty();
    await().atMost(Duration.ofSeconds(10)).until(() -> kinds().contains("scaling.drain_failed"));
    // the next drain may start
    assertThat(drainer.draining()).isNull();
  }
}
