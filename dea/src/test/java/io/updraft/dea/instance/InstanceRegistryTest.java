package io.updraft.dea.instance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.updraft.common.fixtures.AppFixture;
import io.updraft.common.protocol.dea.DeaStopRequest;
import io.updraft.common.protocol.dea.FindDropletRequest;
import io.updraft.common.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InstanceRegistryTest {

  private final MutableClock clock = TestInstances.clock();
  private final InstanceRegistry registry = new InstanceRegistry(clock);
  private final AppFixture app = AppFixture.create();

  @Test
  void transitionsTellListenersAndStampTheTime() {
    List<Transition> seen = new ArrayList<>();
    int[] changes = {0};
    registry.onTransition(seen::add);
    registry.onChange(() -> changes[0]++);
    Instance i = TestInstances.of(app, 0, clock);
    registry.add(i);
    clock.advance(Duration.ofSeconds(5));

    registry.transition(i, InstanceState.RUNNING);

    assertThat(seen).containsExactly(new Transition(i, InstanceState.STARTING,
        InstanceState.RUNNING));
    assertThat(i.stateSince()).isEqualTo(clock.instant());
    assertThat(changes[0]).isEqualTo(2);
  }

  @Test
  void aForbiddenTransitionThrowsAndChangesNothing() {
    Instance i = TestInstances.of(app, 0, clock);
    registry.add(i);
    registry.transition(i, InstanceState.CRASHED);

    assertThatThrownBy(() -> registry.transition(i, InstanceState.RUNNING))
        .isInstanceOf(InvalidTransitionException.class)
        .hasMessageContaining("CRASHED to RUNNING");
    assertThat(i.state()).isEqualTo(InstanceState.CRASHED);
    assertThat(registry.tryTransition(i, InstanceState.RUNNING)).isFalse();
  }

  @Test
  void selectsByEveryPresentFilter() {
    Instance i0 = TestInstances.of(app, 0, clock);
    Instance i1 = TestInstances.of(app, 1, clock);
    Instance other = TestInstances.of(AppFixture.create(), 0, clock);
    registry.add(i0);
    registry.add(i1);
    registry.add(other);
    registry.transition(i1, InstanceState.RUNNING);

    assertThat(registry.select(DeaStopRequest.all(app.id()))).containsExactly(i0, i1);
    assertThat(registry.select(new DeaStopRequest(app.id(), app.version(), null, List.of(1),
        null))).containsExactly(i1);
    assertThat(registry.select(new DeaStopRequest(app.id(), "other-version", null, null,
        null))).isEmpty();
    assertThat(registry.select(new DeaStopRequest(app.id(), null, null, null,
        List.of(io.updraft.common.protocol.dea.InstanceState.RUNNING)))).containsExactly(i1);
    // the controller's instance_ids key works like instances
    assertThat(registry.select(new FindDropletRequest(app.id(), null, null,
        List.of(i0.id()), null, null, null))).containsExactly(i0);
    assertThat(registry.select(new FindDropletRequest(app.id(), null, List.of(), null, null,
        null, null))).isEmpty();
  }

  @Test
  void refusesDuplicateIds() {
    Instance i = TestInstances.of(app, 0, clock);
    registry.add(i);
    assertThatThrownBy(() -> registry.add(i)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void directoryNamesAreSafe() {
    assertThat(Instance.dirName("blog", 2, "abc")).isEqualTo("blog-2-abc");
    assertThat(Instance.dirName("../x y", 0, "abc")).isEqualTo("app.._x_y-0-abc");
    assertThat(Instance.dirName(null, 0, "abc")).isEqualTo("app-0-abc");
  }
}
