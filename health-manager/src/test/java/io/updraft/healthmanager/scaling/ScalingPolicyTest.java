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
}
