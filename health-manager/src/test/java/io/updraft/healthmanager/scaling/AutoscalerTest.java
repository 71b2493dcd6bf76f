package io.updraft.healthmanager.scaling;

import static io.updraft.common.testing.Futures.result;
import static org.assertj.core.api.Assertions.assertThat;

import io.updraft.common.bus.fakes.FakeBus;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.dea.DeaAdvertise;
import io.updraft.common.protocol.health.DeaDraining;
import io.updraft.common.protocol.health.PlacementStatus;
import io.updraft.common.protocol.health.ScaleRequest;
import io.updraft.common.testing.MutableClock;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AutoscalerTest {

  private static final AutoscaleSettings S = new AutoscaleSettings(512L, 2, 5, 60, 60, 30, 1, 4,
      2048L, 3, 60);

  private final FakeBus bus = new FakeBus();
  private final MutableClock clock = MutableClock.at("2026-11-25T00:00:00Z");
  private final Set<String> live = ConcurrentHashMap.newKeySet();
  private Vertx vertx;
  private boolean active = true;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws Exception {
    result(vertx.close());
  }

  private Autoscaler autoscaler(boolean enabled) {
    Autoscaler a = new Autoscaler(vertx, bus, enabled, S, () -> live, () -> active, clock);
    a.start();
    return a;
  }

  private List<ScaleRequest> requests() {
    return bus.published(Subjects.HM_SCALE_REQUESTS, ScaleRequest.class);
  }

  private void advertise(String dea, long freeMb) {
    live.add(dea);
    bus.publish(Subjects.DEA_ADVERTISE, new DeaAdvertise(dea, freeMb, List.of(), false));
  }

  private void waiting(int instances, long mb) {
    bus.publish(Subjects.PLACEMENT_STATUS, new PlacementStatus("cc-1", instances, mb, 0L));
  }

  @Test
  void waitingInstancesAskForDeasOnceUntilTheyJoinThenCoolDown() {
    Autoscaler a = autoscaler(true);
    advertise("dea-1", 100);
    waiting(3, 768);
    assertThat(a.tick().count()).isEqualTo(1);
    assertThat(requests()).singleElement().satisfies(r -> {
      assertThat(r.op()).isEqualTo(ScaleRequest.Op.SCALEUP);
      assertThat(r.count()).isEqualTo(1);
      assertThat(r.waitingInstances()).isEqualTo(3);
      assertThat(r.freeMemoryMb()).isEqualTo(100);
      assertThat(r.deas()).isEqualTo(1);
      assertThat(r.reason()).contains("3 instances waiting for 768 MB");
    });
    // still waiting, but the DEA asked for is booting: in flight, nothing more
    clock.advance(Duration.ofSeconds(5));
    advertise("dea-1", 100);
    waiting(3, 768);
    assertThat(a.tick().reason()).contains("in flight");
    // the new DEA joins; the instances are placed; cooldown
    clock.advance(Duration.ofSeconds(5));
    advertise("dea-1", 100);
    advertise("dea-2", 1280);
    waiting(0, 0);
    assertThat(a.tick().reason()).startsWith("cooldown");
    assertThat(requests()).hasSize(1);
    assertThat(a.figures()).containsEntry("scale_requests", 1L)
        .containsEntry("scaling_in_flight", false);
  }

  @Test
  void aLaunchThatNeverJoinsTimesOutAndMayBeRetriedAfterTheCooldown() {
    Autoscaler a = autoscaler(true);
    advertise("dea-1", 0);
    waiting(1, 256);
    a.tick();
    clock.advance(Duration.ofSeconds(61));
    advertise("dea-1", 0);
    waiting(1, 256);
    assertThat(a.tick().scaleUp()).isTrue();
    assertThat(requests()).hasSize(2);
  }

  @Test
  void aStandbyOrADisabledAutoscalerOnlyWatches() {
    active = false;
    Autoscaler standby = autoscaler(true);
    Autoscaler disabled = autoscaler(false);
    advertise("dea-1", 0);
    waiting(2, 512);
    assertThat(standby.tick().scaleUp()).isTrue();
    assertThat(disabled.tick().scaleUp()).isTrue();
    assertThat(requests()).isEmpty();
    assertThat(disabled.figures()).containsEntry("autoscaling_enabled", false)
        .containsEntry("pool_waiting_instances", 2);
  }

  @Test
  void anIdleLaunchedDeaIsAskedToBeDrainedOnceAndTheDrainIsFollowed() {
    var settings = new AutoscaleSettings(512L, 2, 5, 60, 60, 30, 1, 4, 2048L, 3, 60)
        .with(null, new AutoscaleSettings.ScaleDown(true, 0L, 20, 120));
    Autoscaler a = new Autoscaler(vertx, bus, true, settings, () -> live, () -> active, clock);
    a.start();
    for (int i = 0; i <= 5; i++) {
      live.add("static");
      live.add("launched");
      bus.publish(Subjects.DEA_ADVERTISE, new DeaAdvertise("static", 1024L, List.of(), false,
          null, 2048L));
      bus.publish(Subjects.DEA_ADVERTISE, new DeaAdvertise("launched", 2048L, List.of(), false,
          "local-dea-7", 2048L));
      a.tick();
      clock.advance(Duration.ofSeconds(5));
    }
    assertThat(requests()).singleElement().satisfies(r -> {
      assertThat(r.op()).isEqualTo(ScaleRequest.Op.SCALEDOWN);
      assertThat(r.deaId()).isEqualTo("launched");
      assertThat(r.reason()).contains("reserved at most 0 MB for 20 s");
    });
    assertThat(a.figures()).containsEntry("scaling_in_flight", true);
    // the controller announces the drain: the analysis learns it; still one action
    bus.publish(Subjects.DEA_DRAINING, new DeaDraining("launched", true, "local-dea-7"));
    assertThat(a.isDraining("launched")).isTrue();
    clock.advance(Duration.ofSeconds(40));
    a.tick();
    assertThat(requests()).hasSize(1);
    // removed: out of the pool, the action ends (then the cooldown runs)
    live.remove("launched");
    bus.publish(Subjects.DEA_ADVERTISE, new DeaAdvertise("static", 1024L, List.of(), false,
        null, 2048L));
    a.tick();
    assertThat(a.figures()).containsEntry("scaling_in_flight", false)
        .containsEntry("scale_down_requests", 1L).containsEntry("draining_deas", 0);
    assertThat(requests()).hasSize(1);
  }

  @Test
  void aScaleDownNoControllerTakesUpEndsAfterAWhile() {
    var settings = new AutoscaleSettings(512L, 2, 5, 60, 60, 1, 1, 4, 2048L, 3, 60)
        .with(null, new AutoscaleSettings.ScaleDown(true, 0L, 10, 120));
    Autoscaler a = new Autoscaler(vertx, bus, true, settings, () -> live, () -> active, clock);
    a.start();
    live.add("static");
    live.add("launched");
    for (int i = 0; i < 12; i++) {
      bus.publish(Subjects.DEA_ADVERTISE, new DeaAdvertise("static", 1024L, List.of(), false,
          null, 2048L));
      bus.publish(Subjects.DEA_ADVERTISE, new DeaAdvertise("launched", 2048L, List.of(), false,
          "local-dea-7", 2048L));
      a.tick();
      clock.advance(Duration.ofSeconds(5));
    }
    // asked at 10 s; nobody announced a drain within 30 s; asked again after that
    assertThat(requests()).hasSize(2)
        .allSatisfy(r -> assertThat(r.op()).isEqualTo(ScaleRequest.Op.SCALEDOWN));
  }
}
