package io.updraft.controller.services;

import static org.assertj.core.api.Assertions.assertThat;

import io.updraft.common.bus.fakes.FakeBus;
import io.updraft.common.protocol.Empty;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.services.NodeAnnouncement;
import io.updraft.common.protocol.services.ServiceType;
import io.updraft.common.testing.MutableClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Freshness and node choice of the gateway's view of the services nodes. */
class ServiceRegistryTest {

  private final FakeBus bus = new FakeBus();
  private final MutableClock clock = MutableClock.at("2026-11-24T00:00:00Z");
  private ServiceRegistry registry;

  @BeforeEach
  void start() {
    registry = new ServiceRegistry(bus, clock, Duration.ofSeconds(30));
    registry.start();
  }

  private void announce(ServiceType type, String node, String plan, long capacity) {
    bus.publish(Subjects.serviceAnnounce(type.busName()), new NodeAnnouncement(node, plan,
        List.of("15"), capacity, 1L));
  }

  @Test
  void asksEveryTypeToAnnounceAtStart() {
    for (ServiceType type : ServiceType.values()) {
      assertThat(bus.published(Subjects.serviceDiscover(type.busName()), Empty.class))
          .hasSize(1);
    }
  }

  @Test
  void aTypeIsAvailableOnlyWithinTheFreshnessWindow() {
    assertThat(registry.available(ServiceType.POSTGRESQL)).isFalse();
    announce(ServiceType.POSTGRESQL, "pg0", "free", 10);
    assertThat(registry.available(ServiceType.POSTGRESQL)).isTrue();
    assertThat(registry.available(ServiceType.MYSQL)).isFalse();
    assertThat(registry.version(ServiceType.POSTGRESQL)).hasValue("15");

    clock.advance(Duration.ofSeconds(29));
    assertThat(registry.available(ServiceType.POSTGRESQL)).isTrue();
    clock.advance(Duration.ofSeconds(2));
    assertThat(registry.available(ServiceType.POSTGRESQL)).isFalse();
    assertThat(registry.plans(ServiceType.POSTGRESQL)).isEmpty();
    assertThat(registry.pick(ServiceType.POSTGRESQL, "free")).isEmpty();

    assertThat(registry.sweep()).as("a silent node is reported once")
        .extracting(n -> n.announcement().id()).containsExactly("pg0");
    assertThat(registry.sweep()).isEmpty();

    announce(ServiceType.POSTGRESQL, "pg0", "free", 10);
    assertThat(registry.available(ServiceType.POSTGRESQL)).isTrue();
    assertThat(registry.sweep()).isEmpty();
  }

  @Test
  void picksTheFreshNodeOfThePlanWithTheMostRoomAndCountsProvisions() {
    announce(ServiceType.POSTGRESQL, "pg0", "free", 2);
    announce(ServiceType.POSTGRESQL, "pg1", "free", 3);
    announce(ServiceType.POSTGRESQL, "pg2", "gold", 50);
    assertThat(registry.plans(ServiceType.POSTGRESQL)).containsExactly("free", "gold");
    assertThat(registry.pick(ServiceType.POSTGRESQL, "free")).get()
        .extracting(n -> n.announcement().id()).isEqualTo("pg1");

    registry.consumed(ServiceType.POSTGRESQL, "pg1");
    registry.consumed(ServiceType.POSTGRESQL, "pg1");
    assertThat(registry.pick(ServiceType.POSTGRESQL, "free")).get()
        .extracting(n -> n.announcement().id()).isEqualTo("pg0");
    registry.consumed(ServiceType.POSTGRESQL, "pg0");
    registry.consumed(ServiceType.POSTGRESQL, "pg0");
    registry.consumed(ServiceType.POSTGRESQL, "pg1");
    assertThat(registry.pick(ServiceType.POSTGRESQL, "free")).as("every node full").isEmpty();
    assertThat(registry.available(ServiceType.POSTGRESQL)).isTrue();
  }
}
