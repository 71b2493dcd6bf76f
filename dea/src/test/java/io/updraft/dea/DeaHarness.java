package io.updraft.dea;

import static io.updraft.common.testing.Futures.result;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.updraft.common.bus.NatsBus;
import io.updraft.common.component.ComponentLauncher;
import io.updraft.common.fixtures.AppFixture;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.dea.DeaAdvertise;
import io.updraft.common.protocol.dea.DeaStartRequest;
import io.updraft.common.protocol.dea.Heartbeat;
import io.updraft.common.protocol.droplet.DropletExited;
import io.updraft.common.protocol.router.RouteRegistration;
import io.updraft.common.testing.NatsServer;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A DEA in this JVM plus an observer on the bus recording what it publishes, and a droplet
 * server. Short intervals keep the integration tests fast.
 */
final class DeaHarness implements AutoCloseable {

  static final String SECRET = "files-secret-for-tests-0123456789";

  final Vertx vertx = Vertx.vertx();
  final NatsBus observer;
  final DropletServer droplets;
  final NatsServer nats;
  final Path base;
  final List<Heartbeat> heartbeats = new CopyOnWriteArrayList<>();
  final List<RouteRegistration> registered = new CopyOnWriteArrayList<>();
  final List<RouteRegistration> unregistered = new CopyOnWriteArrayList<>();
  final List<DropletExited> exited = new CopyOnWriteArrayList<>();
  final List<DeaAdvertise> adverts = new CopyOnWriteArrayList<>();
  ComponentLauncher.Running<DeaConfig> dea;
  AtomicReference<DeaVerticle> verticle;

  DeaHarness(NatsServer nats, Path base) throws Exception {
    this.nats = nats;
    this.base = base;
    observer = result(NatsBus.connect(vertx, nats.config(), "observer", new SimpleMeterRegistry()));
    observer.subscribe(Subjects.DEA_HEARTBEAT, Heartbeat.class, d -> heartbeats.add(d.body()));
    observer.subscribe(Subjects.ROUTER_REGISTER, RouteRegistration.class,
        d -> registered.add(d.body()));
    observer.subscribe(Subjects.ROUTER_UNREGISTER, RouteRegistration.class,
        d -> unregistered.add(d.body()));
    observer.subscribe(Subjects.DROPLET_EXITED, DropletExited.class, d -> exited.add(d.body()));
    observer.subscribe(Subjects.DEA_ADVERTISE, DeaAdvertise.class, d -> adverts.add(d.body()));
    droplets = new DropletServer(vertx);
  }

  DeaConfig.Isolation isolation = DeaConfig.Isolation.process(DeaConfig.Isolation.Users.OFF);

  /** RSS by default: only the memory test touches the machine's cgroups. */
  DeaConfig.MemoryLimits memoryLimits = DeaConfig.MemoryLimits.RSS;
  String localIp = "127.0.0.1";

  DeaConfig config(DeaConfig.ShutdownAction action) {
    return new DeaConfig(nats.config(), null, 0, localIp, base.toString(), 1024L, 10,
        null, null, null, new DeaConfig.Intervals(500L, 500L, 300L, 500L), 4_000L, 1_000L,
        300L, 3_600_000L, null, null, memoryLimits, action,
        new DeaConfig.Files("127.0.0.1", 0, null, null, SECRET, 600L), isolation, null);
  }

  String startDea(DeaConfig.ShutdownAction action) throws Exception {
    verticle = new AtomicReference<>();
    dea = result(DeaMain.start(config(action), verticle));
    String id = deaId();
    // its first advert follows its subscriptions on the same connection: once the observer
    // sees it, the server knows every subscription and no start request can be missed
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
        .until(() -> adverts.stream().anyMatch(a -> id.equals(a.id())));
    return id;
  }

  String deaId() {
    return dea.runtime().component().identity().uuid();
  }

  void stopDea() {
    if (dea != null) {
      dea.stop();
      dea = null;
    }
  }

  /** A start request for {@code app}'s instance {@code index} that runs {@code droplet}. */
  DeaStartRequest startRequest(AppFixture app, int index, byte[] droplet) {
    String uri = droplets.put(app.id() + "-" + index, droplet);
    return startRequest(app, index, DropletServer.sha1(droplet), uri);
  }

  static DeaStartRequest startRequest(AppFixture app, int index, String sha1, String uri) {
    DeaStartRequest r = app.startRequest(index);
    return new DeaStartRequest(r.droplet(), r.index(), r.name(), r.uris(), r.runtime(),
        r.runtimeInfo(), r.framework(), r.prod(), sha1, r.executableFile(), uri, r.version(),
        r.services(), r.limits(), List.of("GREETING=hello world"), r.users(), r.debug(),
        r.console(), r.flapping(), r.ccPartition());
  }

  void start(DeaStartRequest request) {
    observer.publish(Subjects.deaStart(deaId()), request);
  }

  boolean running(String droplet, int index) {
    return state(droplet, index) == io.updraft.common.protocol.dea.InstanceState.RUNNING;
  }

  /** The state of the latest heartbeat entry for this droplet and index. */
  io.updraft.common.protocol.dea.InstanceState state(String droplet, int index) {
    for (int i = heartbeats.size() - 1; i >= 0; i--) {
      for (Heartbeat.InstanceHeartbeat e : heartbeats.get(i).droplets()) {
        if (e.droplet().equals(droplet) && e.index() == index) {
          return e.state();
        }
      }
    }
    return null;
  }

  String instanceId(String droplet, int index) {
    for (int i = heartbeats.size() - 1; i >= 0; i--) {
      for (Heartbeat.InstanceHeartbeat e : heartbeats.get(i).droplets()) {
        if (e.droplet().equals(droplet) && e.index() == index) {
          return e.instance();
        }
      }
    }
    return null;
  }

  /** The pid the DEA recorded for an instance, from its snapshot on disk. */
  @SuppressWarnings("unchecked")
  Long pid(String instanceId) throws Exception {
    List<Map<String, Object>> entries = Json.mapper().readValue(
        base.resolve("db/instances.json").toFile(), List.class);
    return entries.stream().filter(e -> instanceId.equals(e.get("id")))
        .map(e -> e.get("pid") == null ? null : ((Number) e.get("pid")).longValue())
        .findFirst().orElse(null);
  }

  /** The crash note the DEA appended to the instance's {@code logs/stderr.log}, or "". */
  String crashNote(String instanceId) throws Exception {
    try (var dirs = java.nio.file.Files.list(base.resolve("apps"))) {
      Path dir = dirs.filter(d -> d.getFileName().toString().endsWith("-" + instanceId))
          .findFirst().orElse(null);
      Path log = dir == null ? null : dir.resolve("logs/stderr.log");
      return log == null || !java.nio.file.Files.exists(log) ? ""
          : java.nio.file.Files.readString(log);
    }
  }

  /** {@code request} with other limits. */
  static DeaStartRequest withLimits(DeaStartRequest r, io.updraft.common.protocol.dea.Limits l) {
    return new DeaStartRequest(r.droplet(), r.index(), r.name(), r.uris(), r.runtime(),
        r.runtimeInfo(), r.framework(), r.prod(), r.sha1(), r.executableFile(),
        r.executableUri(), r.version(), r.services(), l, r.env(), r.users(), r.debug(),
        r.console(), r.flapping(), r.ccPartition());
  }

  @Override
  public void close() throws Exception {
    stopDea();
    droplets.close();
    result(observer.close());
    result(vertx.close());
  }
}
