package io.updraft.dea.resources;

import static org.assertj.core.api.Assertions.assertThat;

import io.updraft.common.fixtures.AppFixture;
import io.updraft.common.testing.MutableClock;
import io.updraft.dea.instance.Instance;
import io.updraft.dea.instance.InstanceRegistry;
import io.updraft.dea.instance.InstanceState;
import io.updraft.dea.instance.TestInstances;
import org.junit.jupiter.api.Test;

class ResourceManagerTest {

  private final MutableClock clock = TestInstances.clock();
  private final InstanceRegistry registry = new InstanceRegistry(clock);
  private final ResourceManager resources = new ResourceManager(registry, 300, 3);
  private final AppFixture app = AppFixture.create(); // 128 MB per instance

  @Test
  void reservesFromAcceptanceUntilStoppedOrCrashed() {
    Instance a = TestInstances.of(app, 0, clock);
    Instance b = TestInstances.of(app, 1, clock);
    registry.add(a);
    registry.add(b);
    assertThat(resources.reservedMemoryMb()).isEqualTo(256);
    assertThat(resources.availableMemoryMb()).isEqualTo(44);
    assertThat(resources.canAccept(128)).isFalse();
    assertThat(resources.canAccept(44)).isTrue();

    registry.transition(a, InstanceState.STOPPING);
    assertThat(resources.reservedMemoryMb()).isEqualTo(256); // still dying
    registry.transition(b, InstanceState.CRASHED);
    assertThat(resources.reservedMemoryMb()).isEqualTo(128); // crash records give it back
    assertThat(resources.usedSlots()).isEqualTo(1);
  }

  @Test
  void slotsAreLimitedToo() {
    for (int i = 0; i < 3; i++) {
      registry.add(TestInstances.of(AppFixture.create().withInstances(1), i, clock));
    }
    ResourceManager big = new ResourceManager(registry, 100_000, 3);
    assertThat(big.canAccept(1)).isFalse();
    assertThat(big.hasRoom()).isFalse();
  }

  @Test
  void aShuttingDownDeaHasNoRoom() {
    assertThat(resources.hasRoom()).isTrue();
    resources.shuttingDown(true);
    assertThat(resources.hasRoom()).isFalse();
    assertThat(resources.canAccept(1)).isFalse();
  }

  @Test
  void aFullDeaHasNoRoom() {
    ResourceManager exact = new ResourceManager(registry, 128, 10);
    registry.add(TestInstances.of(app, 0, clock));
    assertThat(exact.hasRoom()).isFalse();
    assertThat(exact.availableMemoryMb()).isZero();
  }
}
