package io.updraft.healthmanager.scaling;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The policy on recorded pool histories (one sample every 5 s). */
class ScalingPolicyTest {

  private static final long T0 = 1_700_000_000_000L;
  private static final AutoscaleSettings S = new AutoscaleSettings(1024L, 3, 5, 60, 60, 120, 1,
      5, 2048L, 3, 180);

  /** Samples every 5 s with these free-memory figures, 2 DEAs, nothing waiting. */
  private static List<PoolSample> free(long... mb) {
    List<PoolSample> out = new ArrayList<>();
    for (int i = 0; i < mb.length; i++) {
      out.add(new PoolSample(T0 + i * 5_000L, mb[i], 2, 0, 0, 0));
    }
    return out;
  }

  private static long end(List<PoolSample> h) {
    return h.get(h.size() - 1).atMs();
  }

  @Test
  void aSteadyPoolWithRoomStaysAsItIs() {
    var h = free(3000, 3000, 3000, 3000, 3000);
    var d = ScalingPolicy.decide(h, S, 0, false, end(h));
    assertThat(d.scaleUp()).isFalse();
    assertThat(d.projectedFreeMb()).isEqualTo(3000);
  }

  @Test
  void aFallingTrendScalesBeforeTheBufferIsReached() {
    // falling 200 MB per 5 s, 2400 MB per minute: 1800 free now projects to -600
    var h = free(3400, 3200, 3000, 2800, 2600, 2400, 2200, 2000, 1800);
    var d = ScalingPolicy.decide(h, S, 0, false, end(h));
    assertThat(d.scaleUp()).isTrue();
    assertThat(d.count()).isEqualTo(1);
    assertThat(d.projectedFreeMb()).isEqualTo(-600);
    assertThat(d.shortfallMb()).isEqualTo(1624);
    assertThat(d.reason()).contains("below the 1024 MB buffer for 3 samples");
  }

  @Test
  void aGentleTrendThatStaysAboveTheBufferDoesNotScale() {
    // 20 MB/s: 2600 projects to 1400, above the buffer
    var h = free(3400, 3300, 3200, 3100, 3000, 2900, 2800, 2700, 2600);
    var d = ScalingPolicy.decide(h, S, 0, false, end(h));
    assertThat(d.scaleUp()).isFalse();
    assertThat(d.projectedFreeMb()).isEqualTo(1400);
  }

  @Test
  void oneDipIsNotEnough() {
    var h = free(3000, 3000, 3000, 3000, 900);
    var d = ScalingPolicy.decide(h, S, 0, false, end(h));
    assertThat(d.scaleUp()).isFalse();
  }

  @Test
  void aRisingTrendIsNotCountedOn() {
    var h = free(200, 400, 600, 800, 1000);
    var d = ScalingPolicy.decide(h, S, 0, false, end(h));
    assertThat(d.projectedFreeMb()).isEqualTo(1000);
    assertThat(d.scaleUp()).isTrue();
  }

  @Test
  void waitingInstancesScaleAtOnceSizedToTheShortfall() {
    var h = new ArrayList<>(free(3000, 3000));
    h.add(new PoolSample(T0 + 10_000, 100, 2, 0, 5, 5 * 1024));
    var d = ScalingPolicy.decide(h, S, 0, false, end(h));
    // 5120 MB waiting + 1024 buffer - 100 free = 6044 MB: 3 DEAs of 2048
    assertThat(d.count()).isEqualTo(3);
    assertThat(d.shortfallMb()).isEqualTo(6044);
    assertThat(d.reason()).startsWith("5 instances waiting for 5120 MB");
  }

  @Test
  void bootingDeasCountAsCapacity() {
    var h = List.of(new PoolSample(T0, 100, 2, 1, 1, 512),
        new PoolSample(T0 + 5_000, 100, 2, 1, 1, 512));
    var d = ScalingPolicy.decide(h, S, 0, false, end(h));
    // 512 waiting: max(512, 512 + 1024 - (100 + 2048)) = 512 -> 1 DEA
    assertThat(d.count()).isEqualTo(1);
    assertThat(ScalingPolicy.projected(h, 1, S)).isEqualTo(2148);
  }

  @Test
  void cooldownInFlightAndMaximumHoldBack() {
    var h = List.of(new PoolSample(T0, 0, 2, 0, 4, 4096));
    assertThat(ScalingPolicy.decide(h, S, T0 - 60_000, false, T0).reason())
        .startsWith("cooldown: 60 s left");
    assertThat(ScalingPolicy.decide(h, S, T0 - 121_000, false, T0).scaleUp()).isTrue();
    assertThat(ScalingPolicy.decide(h, S, 0, true, T0).reason()).contains("in flight");
    var full = List.of(new PoolSample(T0, 0, 4, 1, 4, 4096));
    assertThat(ScalingPolicy.decide(full, S, 0, false, T0).reason())
        .contains("maximum of 5");
    var nearlyFull = List.of(new PoolSample(T0, 0, 4, 0, 9, 9 * 2048));
    assertThat(ScalingPolicy.decide(nearlyFull, S, 0, false, T0).count()).isEqualTo(1);
  }

  @Test
  void aPoolBelowItsMinimumGrows() {
    var settings = new AutoscaleSettings(0L, 3, 5, 60, 60, 120, 3, 5, 2048L, 3, 180);
    var h = List.of(new PoolSample(T0, 9000, 1, 0, 0, 0));
    assertThat(ScalingPolicy.decide(h, settings, 0, false, T0).count()).isEqualTo(2);
  }

  // ---- measured use (recorded from lightningcast eating CPU on a 2-DEA pool of 4 cores each)

  private static final AutoscaleSettings.Measured CPU_ON = new AutoscaleSettings.Measured(null,
      null, null, null, true, 80);

  /** Samples every 5 s with plenty of free memory and these CPU figures (percent of a core). */
  private static List<PoolSample> cpu(double... percent) {
    List<PoolSample> out = new ArrayList<>();
    for (int i = 0; i < percent.length; i++) {
      out.add(new PoolSample(T0 + i * 5_000L, 3000, 2, 0, 0, 0,
          new PoolSample.MeasuredUse(900, 4096, 100, 40_960, percent[i], 8), null));
    }
    return out;
  }

  @Test
  void cpuEatenAboveItsThresholdGrowsThePoolWhenCpuCounts() {
    var h = cpu(20, 350, 700, 710, 705);
    var on = ScalingPolicy.decide(h, S.with(CPU_ON, null), 0, false, end(h));
    assertThat(on.count()).isEqualTo(1);
    assertThat(on.reason()).contains("measured CPU at 88% of the pool, above 80% for 3 samples");
    // reserved memory alone sees nothing wrong
    assertThat(ScalingPolicy.decide(h, S, 0, false, end(h)).scaleUp()).isFalse();
  }

  @Test
  void aShortCpuSpikeOrABootingDeaIsNotABreach() {
    var spike = cpu(20, 20, 20, 700, 20);
    assertThat(ScalingPolicy.decide(spike, S.with(CPU_ON, null), 0, false, end(spike))
        .scaleUp()).isFalse();
    // 700% of 800 is a breach; with a third DEA booting (1200) it is not
    List<PoolSample> booting = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      booting.add(new PoolSample(T0 + i * 5_000L, 3000, 2, 1, 0, 0,
          new PoolSample.MeasuredUse(900, 4096, 100, 40_960, 700, 8), null));
    }
    assertThat(ScalingPolicy.deasFor(booting.get(2), 2, 80)).isZero();
  }

  @Test
  void measuredMemoryCountsOnlyWhenEnabledAndSizesTheStep() {
    // 3900 of 4096 MB resident: 95%; at 80% the pool needs 4875 MB: one more 2048 MB DEA
    List<PoolSample> h = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      h.add(new PoolSample(T0 + i * 5_000L, 3000, 2, 0, 0, 0,
          new PoolSample.MeasuredUse(3900, 4096, 0, 0, 0, 8), null));
    }
    var memoryOn = new AutoscaleSettings.Measured(true, 80, null, null, null, null);
    assertThat(ScalingPolicy.decide(h, S.with(memoryOn, null), 0, false, end(h)).count())
        .isEqualTo(1);
    assertThat(ScalingPolicy.decide(h, S, 0, false, end(h)).scaleUp()).isFalse();
  }

  // ---- scale-down (recorded: a static DEA running the apps, a launched one idle)

  private static final AutoscaleSettings.ScaleDown DOWN = new AutoscaleSettings.ScaleDown(true,
      0L, 60, 300);
  private static final AutoscaleSettings DOWN_ON = S.with(null, DOWN);

  /** 13 samples (60 s) of a static DEA reserving 1536 of 4096 MB and a launched idle one. */
  private static List<PoolSample> idlePool(long launchedReservedAt30s) {
    List<PoolSample> out = new ArrayList<>();
    for (int i = 0; i <= 12; i++) {
      long reserved = i == 6 ? launchedReservedAt30s : 0;
      out.add(new PoolSample(T0 + i * 5_000L, 2560 + 2048 - reserved, 2, 0, 0, 0, null,
          List.of(new PoolSample.DeaSample("static", null, 1536, 2560),
              new PoolSample.DeaSample("launched", "local-dea-1", reserved, 2048 - reserved))));
    }
    return out;
  }

  @Test
  void aLaunchedDeaIdleForTheWholeWindowIsRemoved() {
    var h = idlePool(0);
    var d = ScalingPolicy.decideScaleDown(h, DOWN_ON, 0, false, end(h));
    assertThat(d.remove()).isTrue();
    assertThat(d.deaId()).isEqualTo("launched");
    assertThat(d.nodeId()).isEqualTo("local-dea-1");
    assertThat(d.reason()).contains("4608 MB free", "2560 MB without it");
  }

  @Test
  void scaleDownIsOffByDefaultAndNeedsTheWholeIdleWindow() {
    var h = idlePool(0);
    assertThat(ScalingPolicy.decideScaleDown(h, S, 0, false, end(h)).remove()).isFalse();
    var shortHistory = h.subList(4, h.size());
    assertThat(ScalingPolicy.decideScaleDown(shortHistory, DOWN_ON, 0, false,
        end(shortHistory)).reason()).contains("60 s of samples");
    // it ran an instance 30 s ago: not idle for the window
    var busy = idlePool(256);
    assertThat(ScalingPolicy.decideScaleDown(busy, DOWN_ON, 0, false, end(busy)).reason())
        .startsWith("no DEA launched from the template idle");
  }

  @Test
  void aStaticDeaIsNeverChosenEvenWhenIdle() {
    List<PoolSample> h = new ArrayList<>();
    for (int i = 0; i <= 12; i++) {
      h.add(new PoolSample(T0 + i * 5_000L, 8192, 2, 0, 0, 0, null,
          List.of(new PoolSample.DeaSample("static-1", null, 0, 4096),
              new PoolSample.DeaSample("static-2", null, 0, 4096))));
    }
    assertThat(ScalingPolicy.decideScaleDown(h, DOWN_ON, 0, false, end(h)).remove()).isFalse();
  }

  @Test
  void noScaleDownThatWouldBreachTheBufferOrWhileAnythingIsPending() {
    var h = idlePool(0);
    long now = end(h);
    // without the launched DEA 2560 MB stay free: a 3000 MB buffer forbids it
    var bigBuffer = new AutoscaleSettings(3000L, 3, 5, 60, 60, 120, 1, 5, 2048L, 3, 180)
        .with(null, DOWN);
    assertThat(ScalingPolicy.decideScaleDown(h, bigBuffer, 0, false, now).reason())
        .contains("below the 3000 MB buffer");
    assertThat(ScalingPolicy.decideScaleDown(h, DOWN_ON, 0, true, now).reason())
        .contains("in flight");
    assertThat(ScalingPolicy.decideScaleDown(h, DOWN_ON, now - 10_000, false, now).reason())
        .isEqualTo("cooldown");
    var minTwo = new AutoscaleSettings(1024L, 3, 5, 60, 60, 120, 2, 5, 2048L, 3, 180)
        .with(null, DOWN);
    assertThat(ScalingPolicy.decideScaleDown(h, minTwo, 0, false, now).reason())
        .contains("minimum of 2");
    List<PoolSample> waiting = new ArrayList<>(h);
    PoolSample last = h.get(h.size() - 1);
    waiting.set(h.size() - 1, new PoolSample(last.atMs(), last.freeMemoryMb(), 2, 0, 1, 256,
        null, last.pool()));
    assertThat(ScalingPolicy.decideScaleDown(waiting, DOWN_ON, 0, false, now).remove())
        .isFalse();
  }

  @Test
  void noScaleDownThatWouldPushMeasuredCpuOverItsThreshold() {
    List<PoolSample> h = new ArrayList<>();
    for (PoolSample p : idlePool(0)) {
      h.add(new PoolSample(p.atMs(), p.freeMemoryMb(), 2, 0, 0, 0,
          new PoolSample.MeasuredUse(900, 6144, 0, 0, 500, 8), p.pool()));
    }
    var cpuAndDown = S.with(CPU_ON, DOWN);
    // 500% of 800 is fine; of the 400 left without one DEA it is not
    assertThat(ScalingPolicy.decideScaleDown(h, cpuAndDown, 0, false, end(h)).reason())
        .contains("measured CPU would be 125%");
  }
}
