package io.updraft.controller.scaling;

import static io.updraft.controller.scaling.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.updraft.common.bus.fakes.FakeBus;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.dea.DeaAdvertise;
import io.updraft.common.protocol.dea.Heartbeat;
import io.updraft.common.protocol.health.DeaDraining;
import io.updraft.common.protocol.health.ScaleRequest;
import io.updraft.controller.db.Database;
import io.updraft.controller.db.TestPostgres;
import io.updraft.controller.events.EventStore;
import io.updraft.controller.runner.Relocator;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Controllers sharing one PostgreSQL database: the one that takes a scale-down (queue group
 * {@code cc}) removes a node another launched, a restarted controller still knows its launches,
 * and one node is drained by one controller at a time. Each controller has its own bus (every
 * one hears the DEAs' adverts; a scale request reaches one), pool, scaler and drainer.
 */
class ScalerSharedNodesIT {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Heartbeat.DeaUsage USAGE = new Heartbeat.DeaUsage(0L, 0L, 0.0, 0, 2048L,
      0L, 1000L);

  @TempDir
  Path dir;
  private Vertx vertx;
  private TestPostgres postgres;
  private final List<Controller> controllers = new ArrayList<>();
  /** Node ids the platform hands out, in order, and the nodes it deleted. */
  private final List<String> toLaunch = new CopyOnWriteArrayList<>();
  private final List<String> terminated = new CopyOnWriteArrayList<>();

  /** One controller's scaling parts, on its own context. */
  private final class Controller {
    final FakeBus bus = new FakeBus();
    final Database db;
    final EventStore events;
    final ScalingNodeStore nodes;
    final Scaler scaler;
    final Drainer drainer;
    final Context context = vertx.getOrCreateContext();
    boolean closed;

    Controller() throws Exception {
      db = await(Database.open(vertx, postgres.config(), dir));
      events = new EventStore(db, Clock.systemUTC());
      nodes = new ScalingNodeStore(db, Clock.systemUTC());
      drainer = new Drainer(vertx, bus, new Relocator() {
        @Override
        public void draining(String deaId, boolean on) {
        }

        @Override
        public void forget(String deaId) {
        }

        @Override
        public Future<Relocation> relocate(String droplet, String version, int index) {
          return Future.succeededFuture(Relocation.PLACED);
        }
      }, platform(), events, Clock.systemUTC(), new Drainer.Timeouts(WAIT, WAIT, WAIT));
      scaler = new Scaler(bus, platform(), events, nodes, Clock.systemUTC())
          .withDrainer(drainer);
      on(() -> {
        drainer.start();
        scaler.start();
      });
    }

    void on(Runnable action) throws Exception {
      Promise<Void> done = Promise.promise();
      context.runOnContext(v -> {
        try {
          action.run();
          done.complete();
        } catch (Throwable e) {
          done.fail(e);
        }
      });
      await(done.future());
    }

    <T> T on(Supplier<Future<T>> action) throws Exception {
      AtomicReference<Future<T>> result = new AtomicReference<>();
      on(() -> result.set(action.get()));
      return await(result.get());
    }

    void advertised(String deaId, String nodeId) throws Exception {
      on(() -> bus.publish(Subjects.DEA_ADVERTISE, new DeaAdvertise(deaId, 4096L, List.of(),
          false, nodeId, 4096L)));
    }

    void scaleDown(String deaId) throws Exception {
      on(() -> bus.publish(Subjects.HM_SCALE_REQUESTS, new ScaleRequest(
          ScaleRequest.Op.SCALEDOWN, null, "idle", deaId, 8192L, null, 0, 3)));
    }

    /** Answers the drain's wait for the DEA's instances: it runs none. */
    void drainFinds(String deaId) throws Exception {
      await().atMost(WAIT).until(() -> !bus.published(Subjects.DEA_DRAINING,
          DeaDraining.class).isEmpty());
      on(() -> bus.publish(Subjects.DEA_HEARTBEAT, new Heartbeat(deaId, false, List.of(),
          USAGE)));
    }

    List<String> events(String kind) throws Exception {
      return await(events.recent(50, kind)).stream().map(EventStore.Event::message).toList();
    }

    void close() throws Exception {
      if (!closed) {
        closed = true;
        on(drainer::stop);
        on(scaler::stop);
        db.close();
      }
    }
  }

  private ScalingPlatform platform() {
    return new ScalingPlatform() {
      @Override
      public String name() {
        return "docker";
      }

      @Override
      public Future<List<String>> launch(int count) {
        return Future.succeededFuture(List.of(toLaunch.remove(0)));
      }

      @Override
      public Future<Void> terminate(String nodeId) {
        terminated.add(nodeId);
        return Future.succeededFuture();
      }
    };
  }

  private Controller controller() throws Exception {
    Controller c = new Controller();
    controllers.add(c);
    return c;
  }

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    postgres = TestPostgres.create();
  }

  @AfterEach
  void stop() throws Exception {
    for (Controller c : controllers) {
      c.close();
    }
    await(vertx.close());
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void aNodeOneControllerLaunchedIsRemovedByAnother() throws Exception {
    Controller a = controller();
    Controller b = controller();
    toLaunch.add("dea-1a2b3c4d");

    assertThat(a.on(() -> a.scaler.scaleUp(1, EventStore.SYSTEM, "test", Map.of())))
        .containsExactly("dea-1a2b3c4d");
    // every controller hears the new DEA; the scale-down reaches B only
    a.advertised("dea-x", "dea-1a2b3c4d");
    b.advertised("dea-x", "dea-1a2b3c4d");
    b.scaleDown("dea-x");
    b.drainFinds("dea-x");

    await().atMost(WAIT).until(() -> await(b.nodes.get("dea-1a2b3c4d")).orElseThrow()
        .removedAt() != null);
    assertThat(terminated).containsExactly("dea-1a2b3c4d");
    assertThat(b.events("scaling.removed")).singleElement().asString()
        .contains("node dea-1a2b3c4d removed from docker");
    assertThat(b.events("scaling.refused")).isEmpty();
    assertThat(await(b.nodes.get("dea-1a2b3c4d")).orElseThrow().deaId()).isEqualTo("dea-x");

    // the node is gone: asking again (on either controller) is refused and deletes nothing
    a.scaleDown("dea-x");
    await().atMost(WAIT).until(() -> a.events("scaling.refused").size() == 1);
    assertThat(a.events("scaling.refused").get(0))
        .contains("DEA dea-x was not launched by the docker scaling platform");
    assertThat(terminated).hasSize(1);
  }

  @Test
  void aRestartedControllerStillRemovesTheNodesLaunchedBeforeIt() throws Exception {
    Controller before = controller();
    toLaunch.add("dea-5e6f7a8b");
    before.on(() -> before.scaler.scaleUp(1, EventStore.SYSTEM, "test", Map.of()));
    before.advertised("dea-y", "dea-5e6f7a8b");
    await().atMost(WAIT).until(() -> "dea-y".equals(await(before.nodes.get("dea-5e6f7a8b"))
        .orElseThrow().deaId()));
    before.close();

    // the restarted controller asked before the DEA's next advert: the noted DEA id finds it
    Controller after = controller();
    after.scaleDown("dea-y");
    after.drainFinds("dea-y");

    await().atMost(WAIT).until(() -> terminated.contains("dea-5e6f7a8b"));
    await().atMost(WAIT).until(() -> await(after.nodes.get("dea-5e6f7a8b")).orElseThrow()
        .removedAt() != null);
    assertThat(after.events("scaling.refused")).isEmpty();
  }

  @Test
  void aNodeBeingDrainedByOneControllerIsRefusedByAnotherAndStaticDeasByAll()
      throws Exception {
    Controller a = controller();
    Controller b = controller();
    toLaunch.add("dea-9c0d1e2f");
    a.on(() -> a.scaler.scaleUp(1, EventStore.SYSTEM, "test", Map.of()));
    for (Controller c : List.of(a, b)) {
      c.advertised("dea-z", "dea-9c0d1e2f");
      c.advertised("static-dea", null);
    }

    a.scaleDown("dea-z");
    await().atMost(WAIT).until(() -> "dea-z".equals(a.drainer.draining()));
    // the health manager's retry lands on B while A drains
    b.scaleDown("dea-z");
    b.scaleDown("static-dea");
    await().atMost(WAIT).until(() -> b.events("scaling.refused").size() == 2);
    assertThat(b.events("scaling.refused")).anySatisfy(m -> assertThat(m)
        .contains("node dea-9c0d1e2f is being drained already"))
        .anySatisfy(m -> assertThat(m).contains("DEA static-dea was not launched by the docker")
            .contains("static DEAs are never removed"));
    assertThat(b.bus.published(Subjects.DEA_DRAINING, DeaDraining.class)).isEmpty();

    a.drainFinds("dea-z");
    await().atMost(WAIT).until(() -> terminated.contains("dea-9c0d1e2f"));
    assertThat(terminated).containsExactly("dea-9c0d1e2f");
  }
}
