package io.updraft.dea.instance;

import static org.assertj.core.api.Assertions.assertThat;

import io.updraft.common.protocol.dea.Limits;
import io.updraft.dea.process.UsageSampler.Sample;
import org.junit.jupiter.api.Test;

class LimitBreachTest {

  private final Limits limits = new Limits(64, 10, 256);

  @Test
  void memoryOverTheLimitIsOutOfMemoryUnlessTheKernelEnforcesIt() {
    Sample fat = new Sample(64 * 1024 + 1, 0, 0);
    assertThat(InstanceManager.limitBreach(limits, fat, false)).isEqualTo("out of memory");
    assertThat(InstanceManager.limitBreach(limits, fat, true)).isNull();
    assertThat(InstanceManager.limitBreach(limits, new Sample(64 * 1024, 0, 0), false)).isNull();
  }

  @Test
  void diskOverTheQuota() {
    assertThat(InstanceManager.limitBreach(limits, new Sample(1, 0, 10L * 1024 * 1024 + 1),
        false)).isEqualTo("disk quota exceeded");
    assertThat(InstanceManager.limitBreach(limits, new Sample(1, 0, 10L * 1024 * 1024),
        false)).isNull();
  }
}
