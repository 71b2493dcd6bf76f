package io.updraft.dea.responders;

import static io.updraft.common.testing.Futures.result;
import static org.assertj.core.api.Assertions.assertThat;

import io.updraft.common.bus.fakes.FakeBus;
import io.updraft.common.fixtures.AppFixture;
import io.updraft.common.protocol.Empty;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.dea.DeaAdvertise;
import io.updraft.common.protocol.dea.DeaDiscoverRequest;
import io.updraft.common.protocol.dea.DeaStatusReply;
import io.updraft.common.protocol.dea.DeaUpdateRequest;
import io.updraft.common.protocol.dea.FindDropletReply;
import io.updraft.common.protocol.dea.FindDropletRequest;
import io.updraft.common.protocol.dea.Heartbeat;
import io.updraft.common.protocol.dea.InstanceStats;
import io.updraft.common.protocol.dea.Limits;
import io.updraft.common.protocol.droplet.DropletExited;
import io.updraft.common.protocol.droplet.ExitReason;
import io.updraft.common.protocol.router.RouteRegistration;
import io.updraft.common.protocol.router.RouterStart;
import io.updraft.common.testing.MutableClock;
import io.updraft.dea.instance.Instance;
import io.updraft.dea.instance.InstanceRegistry;
import io.updraft.dea.instance.InstanceState;
import io.updraft.dea.instance.TestInstances;
import io.updraft.dea.resources.PlacementPolicy;
import io.updraft.dea.resources.ResourceManager;
import io.updraft.dea.resources.UsageSummary;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each conversation against the in-memory bus, with a hand-driven clock. */
class RespondersTest {

  private static final long HOUR = 3_600_000;
  private final Vertx vertx = Vertx.vertx();
  private final FakeBus bus = new FakeBus();
  private final MutableClock clock = TestInstances.clock();
  private final InstanceRegistry registry = new InstanceRegistry(clock);
  private final ResourceManager resources = new ResourceManager(registry, 512, 4);
  private final PlacementPolicy policy = new PlacementPolicy(List.of("java17"), false);
  private final DeaIdentity dea = new DeaIdentity("0-dea", "10.0.0.7", () -> 12345,
      () -> List.of("u", "p"), false);
  private final AppFixture app = AppFixture.create();

  @AfterEach
  void tearDown() throws Exception {
    result(vertx.close());
  }

  private Instance running(int index) {
    Instance i = TestInstances.of(app, index, clock);
    registry.add(i);
    i.port(61000 + index);
    registry.transition(i, InstanceState.RUNNING);
    return i;
  }

  @Test
  void heartbeatsOnRunningOnHmStartAndWithCrashRecords() {
    HeartbeatResponder hb = new HeartbeatResponder(vertx, bus, registry, dea, HOUR,
        resources::shuttingDown);
    hb.start();
    Instance a = running(0);
    assertThat(bus.published(Subjects.DEA_HEARTBEAT, Heartbeat.class)).hasSize(1)
        .first().satisfies(h -> assertThat(h.droplets()).singleElement()
            .satisfies(e -> assertThat(e.instance()).isEqualTo(a.id())));
    Instance b = running(1);
    registry.transition(b, InstanceState.CRASHED);
    bus.clear();

    bus.publish(Subjects.HM_START, Empty.INSTANCE);

    Heartbeat full = bus.published(Subjects.DEA_HEARTBEAT, Heartbeat.class).get(0);
    assertThat(full.dea()).isEqualTo("0-dea");
    assertThat(full.droplets()).extracting(Heartbeat.InstanceHeartbeat::state)
        .containsExactly(io.updraft.common.protocol.dea.InstanceState.RUNNING,
            io.updraft.common.protocol.dea.InstanceState.CRASHED);
    assertThat(full.droplets().get(0)).isEqualTo(app.instanceHeartbeat(0,
        io.updraft.common.protocol.dea.InstanceState.RUNNING));
    hb.stop();
  }

  @Test
  void fullHeartbeatsCarryTheInstancesMeasuredUse() {
    HeartbeatResponder hb = new HeartbeatResponder(vertx, bus, registry, dea, HOUR,
        resources::shuttingDown).usage(new UsageSummary(registry, resources, 40_960)::current);
    hb.start();
    running(0).usage(new Instance.Usage(clock.instant(), 150.0, 300 * 1024, 20L << 20));
    running(1).usage(new Instance.Usage(clock.instant(), 50.5, 100 * 1024, 4L << 20));
    Instance crashed = running(2);
    crashed.usage(new Instance.Usage(clock.instant(), 99.0, 999 * 1024, 99L << 20));
    registry.transition(crashed, InstanceState.CRASHED);
    bus.clear();

    bus.publish(Subjects.HM_START, Empty.INSTANCE);

    Heartbeat.DeaUsage usage = bus.published(Subjects.DEA_HEARTBEAT, Heartbeat.class).get(0)
        .usage();
    assertThat(usage.memMb()).isEqualTo(400);
    assertThat(usage.diskMb()).isEqualTo(24);
    assertThat(usage.cpuPercent()).isEqualTo(200.5);
    assertThat(usage.maxMemoryMb()).isEqualTo(512);
    assertThat(usage.reservedMemoryMb()).isEqualTo(256);
    assertThat(usage.diskTotalMb()).isEqualTo(40_960);
    assertThat(usage.cores()).isPositive();
    hb.stop();
  }

  @Test
  void advertsCarryTheNodeIdOfALaunchedDea() {
    AdvertiseResponder ad = new AdvertiseResponder(vertx, bus, registry, resources, policy, dea,
        HOUR).nodeId("local-dea-1");
    ad.start();
    assertThat(bus.published(Subjects.DEA_ADVERTISE, DeaAdvertise.class)).singleElement()
        .satisfies(a -> assertThat(a.nodeId()).isEqualTo("local-dea-1"));
    ad.stop();
  }

  @Test
  void anEmptyDeaStillHeartbeatsSoItIsNotTakenForLost() {
    HeartbeatResponder hb = new HeartbeatResponder(vertx, bus, registry, dea, HOUR,
        resources::shuttingDown);
    hb.start();
    bus.publish(Subjects.HM_START, Empty.INSTANCE);
    assertThat(bus.published(Subjects.DEA_HEARTBEAT, Heartbeat.class))
        .singleElement().satisfies(h -> {
          assertThat(h.dea()).isEqualTo(dea.id());
          assertThat(h.droplets()).isEmpty();
        });
    hb.stop();
  }

  @Test
  void exitsAreAnnouncedOnceWithTheirReason() {
    new DropletExitedResponder(bus, registry);
    Instance a = running(0);
    Instance b = running(1);
    registry.transition(a, InstanceState.CRASHED);
    b.exitReason(ExitReason.STOPPED);
    registry.transition(b, InstanceState.STOPPING);
    registry.transition(a, InstanceState.DELETED);

    List<DropletExited> exits = bus.published(Subjects.DROPLET_EXITED, DropletExited.class);
    assertThat(exits).containsExactly(app.crashed(0), app.exited(1, ExitReason.STOPPED));
  }

  @Test
  void evacuationIsNotAnnouncedTwice() {
    DropletExitedResponder exits = new DropletExitedResponder(bus, registry);
    Instance a = running(0);
    assertThat(exits.announce(a, ExitReason.DEA_EVACUATION)).isTrue();
    a.exitReason(ExitReason.DEA_SHUTDOWN);
    registry.transition(a, InstanceState.STOPPING);
    assertThat(bus.published(Subjects.DROPLET_EXITED, DropletExited.class))
        .extracting(DropletExited::reason).containsExactly(ExitReason.DEA_EVACUATION);
  }

  @Test
  void routesFollowRunningUpdatesAndRouterRestarts() {
    RouterResponder router = new RouterResponder(vertx, bus, registry, dea);
    router.start();
    new UpdateResponder(vertx, bus, registry, router).start();
    Instance a = running(0);
    assertThat(bus.published(Subjects.ROUTER_REGISTER, RouteRegistration.class))
        .containsExactly(app.routeRegistration(0, "0-dea", "10.0.0.7"));
    bus.clear();

    bus.publish(Subjects.DEA_UPDATE, new DeaUpdateRequest(app.id(), List.of("new.vcap.me")));
    assertThat(bus.published(Subjects.ROUTER_UNREGISTER, RouteRegistration.class))
        .singleElement().satisfies(r -> assertThat(r.uris()).containsExactly(app.uri()));
    assertThat(bus.published(Subjects.ROUTER_REGISTER, RouteRegistration.class))
        .singleElement().satisfies(r -> assertThat(r.uris()).containsExactly("new.vcap.me"));
    bus.clear();

    bus.publish(Subjects.ROUTER_START, new RouterStart("r1", null, List.of(), null));
    assertThat(bus.published(Subjects.ROUTER_REGISTER, RouteRegistration.class))
        .singleElement().satisfies(r -> assertThat(r.port()).isEqualTo(61000));
    bus.clear();

    registry.transition(a, InstanceState.CRASHED);
    assertThat(bus.published(Subjects.ROUTER_UNREGISTER, RouteRegistration.class))
        .singleElement().satisfies(r -> assertThat(r.uris()).containsExactly("new.vcap.me"));
  }

  @Test
  void advertisesOnlyWithRoomAndOnEveryChange() {
    AdvertiseResponder ad = new AdvertiseResponder(vertx, bus, registry, resources, policy, dea,
        HOUR);
    ad.start();
    assertThat(bus.published(Subjects.DEA_ADVERTISE, DeaAdvertise.class)).containsExactly(
        new DeaAdvertise("0-dea", 512L, List.of("java17"), false, null, 512L));
    Instance a = running(0);
    assertThat(bus.published(Subjects.DEA_ADVERTISE, DeaAdvertise.class)).last()
        .satisfies(d -> assertThat(d.availableMemoryMb()).isEqualTo(384L));
    bus.clear();
    bus.publish(Subjects.DEA_LOCATE, Empty.INSTANCE);
    assertThat(bus.published(Subjects.DEA_ADVERTISE, DeaAdvertise.class)).hasSize(1);

    bus.clear();
    resources.shuttingDown(true);
    bus.publish(Subjects.DEA_LOCATE, Empty.INSTANCE);
    assertThat(bus.published(Subjects.DEA_ADVERTISE, DeaAdvertise.class)).isEmpty();
    ad.stop();
    assertThat(a.state()).isEqualTo(InstanceState.RUNNING);
  }

  @Test
  void discoverIsAnsweredAfterTheTaintOnlyWhenItFits() {
    DiscoverResponder discover = new DiscoverResponder(vertx, bus, registry, resources, policy,
        dea);
    running(0);
    running(1);
    DeaDiscoverRequest fits = new DeaDiscoverRequest(app.id(), app.name(),
        new Limits(128, null, null), "java17", null, false, null);
    // 2 instances of the app here: 20 ms; 256 of 512 MB reserved: 50 ms
    assertThat(discover.delay(fits)).isEqualTo(Duration.ofMillis(70));
    assertThat(discover.delay(new DeaDiscoverRequest("other", "x", new Limits(128, null, null),
        "java17", null, false, null))).isEqualTo(Duration.ofMillis(50));
    assertThat(discover.delay(new DeaDiscoverRequest(app.id(), app.name(),
        new Limits(300, null, null), "java17", null, false, null))).isNull();
    assertThat(discover.delay(new DeaDiscoverRequest(app.id(), app.name(),
        new Limits(64, null, null), "ruby19", null, false, null))).isNull();
  }

  @Test
  void findDropletRepliesPerInstanceWithStats() throws Exception {
    new FindDropletResponder(vertx, bus, registry, dea).start();
    Instance a = running(0);
    a.usage(new Instance.Usage(clock.instant(), 1.5, 2048, 4096));
    Instance b = TestInstances.of(app, 1, clock);
    registry.add(b);
    clock.advance(Duration.ofSeconds(30));

    List<FindDropletReply> all = result(bus.gather(Subjects.DEA_FIND_DROPLET,
        new FindDropletRequest(app.id(), null, null, null, null, null, true),
        FindDropletReply.class, Duration.ofSeconds(1), 10));
    assertThat(all).hasSize(2);
    FindDropletReply ra = all.get(0);
    assertThat(ra.fileUri()).isEqualTo("http://10.0.0.7:12345/droplets/");
    assertThat(ra.credentials()).containsExactly("u", "p");
    assertThat(ra.staged()).isEqualTo(a.dirName());
    InstanceStats stats = ra.stats();
    assertThat(stats.uptimeSeconds()).isEqualTo(30.0);
    assertThat(stats.usage().memKb()).isEqualTo(2048.0);
    assertThat(stats.memQuotaBytes()).isEqualTo(128L * 1024 * 1024);
    assertThat(all.get(1).stats()).isNull(); // STARTING: no stats

    List<FindDropletReply> byId = result(bus.gather(Subjects.DEA_FIND_DROPLET,
        new FindDropletRequest(app.id(), null, null, List.of(b.id()), null, null, null),
        FindDropletReply.class, Duration.ofSeconds(1), 10));
    assertThat(byId).extracting(FindDropletReply::instance).containsExactly(b.id());
  }

  @Test
  void statusReportsMemoryAndShutdown() throws Exception {
    new StatusResponder(vertx, bus, registry, resources, dea).start();
    running(0);
    DeaStatusReply status = result(bus.request(Subjects.DEA_STATUS, Empty.INSTANCE,
        DeaStatusReply.class, Duration.ofSeconds(1)));
    assertThat(status.reservedMemoryMb()).isEqualTo(128L);
    assertThat(status.numClients()).isEqualTo(1);
    assertThat(status.state()).isEqualTo(DeaStatusReply.State.RUNNING);
    resources.shuttingDown(true);
    assertThat(result(bus.request(Subjects.DEA_STATUS, Empty.INSTANCE, DeaStatusReply.class,
        Duration.ofSeconds(1))).state()).isEqualTo(DeaStatusReply.State.SHUTTING_DOWN);
    assertThat(result(bus.gather(Subjects.DROPLET_STATUS, Empty.INSTANCE, InstanceStats.class,
        Duration.ofSeconds(1), 10))).hasSize(1);
  }
}
