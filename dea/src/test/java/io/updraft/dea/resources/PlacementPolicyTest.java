package io.updraft.dea.resources;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlacementPolicyTest {

  @Test
  void taintGrowsWithTheAppsInstancesAndTheLoadUpTo250Ms() {
    assertThat(PlacementPolicy.taint(0, 0, 4096)).isEqualTo(Duration.ZERO);
    assertThat(PlacementPolicy.taint(2, 0, 4096)).isEqualTo(Duration.ofMillis(20));
    assertThat(PlacementPolicy.taint(0, 2048, 4096)).isEqualTo(Duration.ofMillis(50));
    assertThat(PlacementPolicy.taint(3, 4096, 4096)).isEqualTo(Duration.ofMillis(130));
    assertThat(PlacementPolicy.taint(40, 4096, 4096)).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void runtimesAndProd() {
    PlacementPolicy any = new PlacementPolicy(List.of(), false);
    assertThat(any.refusal("ruby19", null)).isNull();
    PlacementPolicy java = new PlacementPolicy(List.of("java17"), true);
    assertThat(java.refusal("ruby19", true)).contains("runtime ruby19");
    assertThat(java.refusal("java17", false)).contains("prod");
    assertThat(java.refusal("java17", true)).isNull();
  }
}
