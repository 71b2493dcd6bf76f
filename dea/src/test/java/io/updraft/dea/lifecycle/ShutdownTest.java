package io.updraft.dea.lifecycle;

import static io.updraft.common.testing.Futures.result;
import static org.assertj.core.api.Assertions.assertThat;

import io.updraft.common.bus.fakes.FakeBus;
import io.updraft.common.fixtures.AppFixture;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.droplet.DropletExited;
import io.updraft.common.protocol.droplet.ExitReason;
import io.updraft.common.testing.MutableClock;
import io.updraft.dea.DeaConfig.ShutdownAction;
import io.updraft.dea.DeaConfig;
import io.updraft.dea.droplet.DropletCache;
import io.updraft.dea.instance.Instance;
import io.updraft.dea.instance.InstanceManager;
import io.updraft.dea.instance.InstanceRegistry;
import io.updraft.dea.instance.InstanceState;
import io.updraft.dea.instance.TestInstances;
import io.updraft.dea.process.ReadinessProbe;
import io.updraft.dea.resources.PlacementPolicy;
import io.updraft.dea.resources.ResourceManager;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Evacuation order and the leave-running action, on instances without processes. */
class ShutdownTest {

  @TempDir
  Path base;
  private final Vertx vertx = Vertx.vertx();
  private final FakeBus bus = new FakeBus();
  private final MutableClock clock = TestInstances.clock();
  private final InstanceRegistry registry = new InstanceRegistry(clock);
  private final ResourceManager resources = new ResourceManager(registry, 1024, 10);
  private final AppFixture app = AppFixture.create();
  private InstanceManager manager;
  private io.updraft.dea.responders.DropletExitedResponder exits;

  @BeforeEach
  void setUp() {
    DeaConfig config = new DeaConfig(null, null, null, null, base.toString(), null, null, null,
        null, null, null, null, 100L, null, null, null, null, null, null, null, null, null);
    manager = new InstanceManager(vertx, vertx.getOrCreateContext(), config, "127.0.0.1",
        registry, resources, new PlacementPolicy(List.of(), false),
        new DropletCache(vertx, base.resolve("staged")), new ReadinessProbe(vertx));
    exits = new io.updraft.dea.responders.DropletExitedResponder(bus, registry);
  }

  @AfterEach
  void tearDown() throws Exception {
    result(vertx.close());
  }

  private Instance running(int index) {
    Instance i = TestInstances.of(app, index, clock);
    registry.add(i);
    registry.transition(i, InstanceState.RUNNING);
    return i;
  }

  @Test
  void evacuatesFirstThenStopsWithoutASecondNotice() throws Exception {
    running(0);
    running(1);
    Shutdown shutdown = new Shutdown(vertx, registry, manager, resources, exits,
        ShutdownAction.EVACUATE, 50);
    List<InstanceState> statesAtNotice = new java.util.ArrayList<>();
    bus.subscribe(Subjects.DROPLET_EXITED, DropletExited.class, d -> registry.get(
        d.body().instance()).ifPresent(i -> statesAtNotice.add(i.state())));

    var done = shutdown.run();
    assertThat(resources.hasRoom()).isFalse();
    assertThat(bus.published(Subjects.DROPLET_EXITED, DropletExited.class))
        .containsExactly(app.exited(0, ExitReason.DEA_EVACUATION),
            app.exited(1, ExitReason.DEA_EVACUATION));
    // announced while still serving: replacements start before these stop
    assertThat(statesAtNotice).containsExactly(InstanceState.RUNNING, InstanceState.RUNNING);

    result(done);
    assertThat(registry.size()).isZero();
    assertThat(bus.published(Subjects.DROPLET_EXITED, DropletExited.class)).hasSize(2);
    assertThat(shutdown.run()).isSameAs(done);
  }

  @Test
  void leaveRunningTouchesNothing() throws Exception {
    Instance i = running(0);
    result(new Shutdown(vertx, registry, manager, resources, exits,
        ShutdownAction.LEAVE_RUNNING, 50).run());
    assertThat(i.state()).isEqualTo(InstanceState.RUNNING);
    assertThat(bus.published()).isEmpty();
    assertThat(resources.shuttingDown()).isTrue();
  }
}
