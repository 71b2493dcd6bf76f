package io.updraft.common.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Slot arithmetic: each container a /30 of the subnet, never overlapping another's. */
class ContainerNetworkTest {

  @Test
  void slotsAreConsecutiveSlash30s() {
    ContainerNetwork n = new ContainerNetwork("10.254.7.9/16");
    assertThat(n.subnet()).isEqualTo("10.254.0.0/16");
    ContainerNetwork.Attachment first = n.attachment(0);
    assertThat(first.hostAddress()).isEqualTo("10.254.0.1");
    assertThat(first.containerAddress()).isEqualTo("10.254.0.2");
    ContainerNetwork.Attachment later = n.attachment(64);
    assertThat(later.hostAddress()).isEqualTo("10.254.1.1");
    assertThat(later.containerAddress()).isEqualTo("10.254.1.2");
    assertThat(later.netnsName()).isEqualTo("updraft-s64");
    assertThat(later.netnsPath()).isEqualTo(Path.of("/run/netns/updraft-s64"));
  }

  @Test
  void chainsAreNamedAfterTheSubnetSoUsersOfOtherSubnetsKeepTheirs() {
    assertThat(new ContainerNetwork("10.253.0.0/16").chainPrefix())
        .isEqualTo("UPDRAFT-0AFD0000-16");
    assertThat(new ContainerNetwork("10.254.9.9/16").chainPrefix())
        .isEqualTo("UPDRAFT-0AFE0000-16");
    // iptables takes chain names up to 28 characters
    assertThat(new ContainerNetwork("192.168.128.0/20").chainPrefix() + "-FWD")
        .hasSizeLessThan(29);
  }

  @Test
  void aSubnetThatIsNotOneIsRefusedWithTheReason() {
    assertThatThrownBy(() -> new ContainerNetwork("10.254.0.0")).hasMessageContaining(
        "not an IPv4 CIDR");
    assertThatThrownBy(() -> new ContainerNetwork("10.300.0.0/16")).hasMessageContaining(
        "not an IPv4 CIDR");
    assertThatThrownBy(() -> new ContainerNetwork("10.0.0.0/30")).hasMessageContaining(
        "/8 to /28");
  }
}
