package io.updraft.controller.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.updraft.common.bus.fakes.FakeBus;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.node.NodeStatus;
import io.updraft.common.testing.MutableClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The latest status per node, and silence after three intervals. */
class NodeRegistryTest {

  private final FakeBus bus = new FakeBus();
  private final MutableClock clock = MutableClock.at("2026-11-25T00:00:00Z");

  private static NodeStatus status(String id, String name, boolean core, String state) {
    return new NodeStatus(id, name, "10.0.0." + id.length(), core, 10,
        List.of(core ? "controller" : "dea"),
        List.of(new NodeStatus.Process(core ? "controller" : "dea", state, 42L, 60L, 0)),
        new NodeStatus.HostStats(12.5, 2, List.of(0.5, 0.4, 0.3), 4096L, 1024L, 10_000L,
            2_000L, 1L, 2L), 1_764_000_000L);
  }

  @Test
  void keepsTheLatestStatusPerNodeCoreFirstAndMarksSilentNodes() {
    NodeRegistry registry = new NodeRegistry(bus, clock);
    registry.start();
    bus.publish(Subjects.NODE_STATUS, status("b2", "worker", false, "STARTING"));
    bus.publish(Subjects.NODE_STATUS, status("a1", "core", true, "RUNNING"));
    bus.publish(Subjects.NODE_STATUS, status("b2", "worker", false, "RUNNING"));
    bus.publishRaw(Subjects.NODE_STATUS, "{\"name\":\"no id\"}".getBytes());

    assertThat(registry.nodes()).extracting(n -> n.status().node()).containsExactly("a1", "b2");
    assertThat(registry.nodes().get(1).status().processes().get(0).state()).isEqualTo("RUNNING");
    assertThat(registry.nodes()).allMatch(NodeRegistry.Node::reporting);

    clock.advance(Duration.ofSeconds(20));
    bus.publish(Subjects.NODE_STATUS, status("a1", "core", true, "RUNNING"));
    clock.advance(Duration.ofSeconds(11));
    assertThat(registry.nodes()).as("worker silent for 31 s of a 10 s interval")
        .extracting(NodeRegistry.Node::reporting).containsExactly(true, false);

    registry.stop();
    bus.publish(Subjects.NODE_STATUS, status("c3", "late", false, "RUNNING"));
    assertThat(registry.nodes()).hasSize(2);
  }
}
