package io.updraft.dea.instance;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InstanceStateTest {

  @Test
  void followsTheV1LifeCycle() {
    assertThat(InstanceState.STARTING.canBecome(InstanceState.RUNNING)).isTrue();
    assertThat(InstanceState.STARTING.canBecome(InstanceState.CRASHED)).isTrue();
    assertThat(InstanceState.STARTING.canBecome(InstanceState.STOPPING)).isTrue();
    assertThat(InstanceState.RUNNING.canBecome(InstanceState.STOPPING)).isTrue();
    assertThat(InstanceState.RUNNING.canBecome(InstanceState.CRASHED)).isTrue();
    assertThat(InstanceState.STOPPING.canBecome(InstanceState.STOPPED)).isTrue();
    assertThat(InstanceState.CRASHED.canBecome(InstanceState.DELETED)).isTrue();
  }

  @Test
  void refusesEverythingElse() {
    assertThat(InstanceState.RUNNING.canBecome(InstanceState.STARTING)).isFalse();
    assertThat(InstanceState.CRASHED.canBecome(InstanceState.RUNNING)).isFalse();
    assertThat(InstanceState.STOPPED.canBecome(InstanceState.RUNNING)).isFalse();
    assertThat(InstanceState.STOPPING.canBecome(InstanceState.CRASHED)).isFalse();
    assertThat(InstanceState.DELETED.canBecome(InstanceState.CRASHED)).isFalse();
    assertThat(InstanceState.STARTING.canBecome(InstanceState.DELETED)).isFalse();
  }

  @Test
  void mapsToWireStates() {
    assertThat(InstanceState.STOPPING.wire())
        .isEqualTo(io.updraft.common.protocol.dea.InstanceState.STOPPED);
    assertThat(InstanceState.RUNNING.wire())
        .isEqualTo(io.updraft.common.protocol.dea.InstanceState.RUNNING);
    assertThat(InstanceState.CRASHED.isReported()).isTrue();
    assertThat(InstanceState.STOPPING.isReported()).isFalse();
    assertThat(InstanceState.CRASHED.holdsResources()).isFalse();
    assertThat(InstanceState.STOPPING.holdsResources()).isTrue();
  }
}
