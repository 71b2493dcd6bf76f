package io.updraft.router.mbus;

import static org.assertj.core.api.Assertions.assertThat;

import io.updraft.common.bus.fakes.FakeBus;
import io.updraft.common.fixtures.AppFixture;
import io.updraft.common.protocol.Subjects;
import io.updraft.router.registry.RouteTable;
import io.updraft.common.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RegistrationSubscriberTest {

  private final FakeBus bus = new FakeBus();
  private final RouteTable table = new RouteTable(new MutableClock(Instant.EPOCH));
  private final RegistrationSubscriber subscriber = new RegistrationSubscriber(bus, table);
  private final AppFixture app = AppFixture.create();

  @Test
  void registerAndUnregisterMessagesChangeTheTable() {
    subscriber.start();
    bus.publish(Subjects.ROUTER_REGISTER, app.routeRegistration(0, "0-dea", "10.0.0.7"));
    bus.publish(Subjects.ROUTER_REGISTER, app.routeRegistration(1, "0-dea", "10.0.0.7"));
    assertThat(table.lookup(app.uri(), "/").backends()).hasSize(2);

    bus.publish(Subjects.ROUTER_UNREGISTER, app.routeRegistration(0, "0-dea", "10.0.0.7"));
    assertThat(table.lookup(app.uri(), "/").backends()).hasSize(1);
  }

  @Test
  void malformedRegistrationsAreDroppedWithoutTouchingTheTable() {
    subscriber.start();
    bus.publishRaw(Subjects.ROUTER_REGISTER,
        "{\"uris\":[\"x.vcap.me\"]}".getBytes(StandardCharsets.UTF_8));
    bus.publishRaw(Subjects.ROUTER_REGISTER, "not json".getBytes(StandardCharsets.UTF_8));
    assertThat(bus.dropped()).isEqualTo(2);
    assertThat(table.routeCount()).isZero();
  }

  @Test
  void stopUnsubscribes() {
    subscriber.start();
    subscriber.stop();
    bus.publish(Subjects.ROUTER_REGISTER, app.routeRegistration(0, "0-dea", "10.0.0.7"));
    assertThat(table.routeCount()).isZero();
  }
}
