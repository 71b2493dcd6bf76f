package io.updraft.dea;

import io.updraft.common.bus.Bus;
import io.updraft.common.component.Component;
import io.updraft.common.component.ComponentIdentity;
import io.updraft.common.files.PrivateFiles;
import io.updraft.common.component.ComponentVerticle;
import io.updraft.common.security.FileToken;
import io.updraft.dea.droplet.DropletCache;
import io.updraft.dea.files.FileServer;
import io.updraft.dea.instance.InstanceManager;
import io.updraft.dea.instance.InstanceRegistry;
import io.updraft.dea.instance.InstanceSnapshot;
import io.updraft.dea.isolation.BackendChoice;
import io.updraft.dea.isolation.ContainerBackend;
import io.updraft.dea.isolation.InstanceBackend;
import io.updraft.dea.isolation.ProcessBackend;
import io.updraft.dea.lifecycle.Housekeeping;
import io.updraft.dea.lifecycle.Shutdown;
import io.updraft.dea.logs.LogStreamer;
import io.updraft.dea.process.CgroupMemory;
import io.updraft.dea.process.ReadinessProbe;
import io.updraft.dea.resources.PlacementPolicy;
import io.updraft.dea.resources.ResourceManager;
import io.updraft.dea.resources.UsageSummary;
import io.updraft.dea.responders.AdvertiseResponder;
import io.updraft.dea.responders.DeaIdentity;
import io.updraft.dea.responders.DiscoverResponder;
import io.updraft.dea.responders.DropletExitedResponder;
import io.updraft.dea.responders.FindDropletResponder;
import io.updraft.dea.responders.HeartbeatResponder;
import io.updraft.dea.responders.Responder;
import io.updraft.dea.responders.RouterResponder;
import io.updraft.dea.responders.StartResponder;
import io.updraft.dea.responders.StatusResponder;
import io.updraft.dea.responders.StopResponder;
import io.updraft.dea.responders.UpdateResponder;
import io.vertx.core.Future;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DEA's bootstrap (CONVENTIONS lesson 5): the only class that knows the whole graph. It
 * builds, in this order, the registry, resource accounting and placement policy, the droplet
 * cache, the instance manager, the responders (whose registry listeners announce exits,
 * routes, heartbeats and adverts), the file server and the lifecycle parts; re-adopts the
 * snapshot; then starts the responders (adverts last, once everything can serve). It stops
 * in reverse, after the shutdown action (evacuate or leave running).
 */
public final class DeaVerticle extends ComponentVerticle {

  private static final Logger log = LoggerFactory.getLogger(DeaVerticle.class);

  private final DeaConfig config;
  private final Clock clock;
  private final List<Responder> responders = new ArrayList<>();
  private InstanceRegistry registry;
  private InstanceManager manager;
  private InstanceSnapshot snapshot;
  private Future<Void> lastSave = Future.succeededFuture();
  private DropletCache droplets;
  private ReadinessProbe probe;
  private FileServer files;
  private Housekeeping housekeeping;
  private Shutdown shutdown;
  private RouterResponder router;
  private HeartbeatResponder heartbeat;

  public DeaVerticle(Bus bus, Component component, DeaConfig config, Clock clock) {
    super(bus, component);
    this.config = config;
    this.clock = clock;
  }

  @Override
  protected Future<?> startResponders() {
    Path base = config.basePath();
    snapshot = new InstanceSnapshot(base.resolve("db").resolve("instances.json"));
    return vertx.executeBlocking(() -> {
      // passable for process-mode instance uids (apps/ itself is 0711 or, for containers,
      // 0700); the droplet cache and the instance table are the DEA's alone
      PrivateFiles.createDirectories(base);
      PrivateFiles.setMode(base, PrivateFiles.PASSABLE_DIR);
      Files.createDirectories(base.resolve("apps"));
      PrivateFiles.createDirectories(base.resolve("staged"));
      PrivateFiles.createDirectories(base.resolve("db"));
      // apps' files and the containers' root skeletons keep their modes: apps read them
      PrivateFiles.tighten(base, List.of(base, base.resolve("apps"), base.resolve("containers")),
          List.of(base.resolve("apps"), base.resolve("containers")));
      Optional<CgroupMemory> cgroup = config.memoryLimits() == DeaConfig.MemoryLimits.RSS
          ? Optional.empty() : CgroupMemory.detect(Path.of("/sys/fs/cgroup"));
      return new Boot(cgroup, BackendChoice.choose(config, component.identity().localIp(),
          cgroup), loadSnapshot(), UsageSummary.diskTotalMb(base));
    }, false).compose(this::wire);
  }

  /** A snapshot that cannot be read is moved aside, not a reason to stay down. Blocking. */
  private List<InstanceSnapshot.Entry> loadSnapshot() throws java.io.IOException {
    try {
      return snapshot.load();
    } catch (java.io.IOException e) {
      Path aside = snapshot.file().resolveSibling(snapshot.file().getFileName() + ".unreadable");
      Files.move(snapshot.file(), aside, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      log.atWarn().setMessage("dea.snapshot.unreadable").addKeyValue("moved_to", aside)
          .addKeyValue("error", e.getMessage()).log();
      return List.of();
    }
  }

  private record Boot(Optional<CgroupMemory> cgroup, BackendChoice.Choice isolation,
      List<InstanceSnapshot.Entry> entries, long diskTotalMb) {
  }

  private Future<?> wire(Boot boot) {
    ComponentIdentity identity = component.identity();
    String host = identity.localIp();
    // 1. state and policies
    registry = new InstanceRegistry(clock);
    ResourceManager resources = new ResourceManager(registry, config.maxMemoryMb(),
        config.maxInstances());
    PlacementPolicy policy = new PlacementPolicy(config.runtimes(), config.prod());
    // 2. droplets and instances
    droplets = new DropletCache(vertx, config.basePath().resolve("staged"),
        config.dropletCacheMb() * 1024 * 1024);
    probe = new ReadinessProbe(vertx);
    manager = new InstanceManager(vertx, context, config, host, registry, resources, policy,
        droplets, probe);
    InstanceBackend backend = boot.isolation().backend();
    manager.backend(backend, boot.cgroup().isPresent() || backend instanceof ContainerBackend);
    registry.onChange(this::saveSnapshot);
    // 3. file server identity (port known once it listens)
    String filesUser = config.files().user() != null ? config.files().user()
        : ComponentIdentity.secureId();
    String filesPassword = config.files().password() != null ? config.files().password()
        : ComponentIdentity.secureId();
    Optional<FileToken> tokens = Optional.ofNullable(config.files().secret())
        .map(s -> new FileToken(s, config.files().tokenMaxTtlSeconds()));
    files = new FileServer(vertx, registry, filesUser, filesPassword, tokens);
    DeaIdentity dea = new DeaIdentity(identity.uuid(), host, files::port, files::credentials,
        config.prod());
    // 4. responders; listeners fire in this order: exit notice, then routes, then heartbeat
    DropletExitedResponder exits = new DropletExitedResponder(bus, registry);
    router = new RouterResponder(vertx, bus, registry, dea);
    heartbeat = new HeartbeatResponder(vertx, bus, registry, dea,
        config.intervals().heartbeatMs(), resources::shuttingDown)
        .usage(new UsageSummary(registry, resources, boot.diskTotalMb())::current);
    responders.add(exits);
    responders.add(router);
    responders.add(heartbeat);
    responders.add(new StartResponder(vertx, bus, dea.id(), manager));
    responders.add(new StopResponder(vertx, bus, registry, manager));
    responders.add(new UpdateResponder(vertx, bus, registry, router));
    responders.add(new FindDropletResponder(vertx, bus, registry, dea));
    // app stdout/stderr lines on logs.<app_id> (issue 10)
    responders.add(new LogStreamer(vertx, bus, registry, clock, LogStreamer.Settings.DEFAULTS));
    responders.add(new StatusResponder(vertx, bus, registry, resources, dea));
    responders.add(new DiscoverResponder(vertx, bus, registry, resources, policy, dea));
    responders.add(new AdvertiseResponder(vertx, bus, registry, resources, policy, dea,
        config.intervals().advertiseMs()).nodeId(config.nodeId()));
    // 5. lifecycle
    housekeeping = new Housekeeping(vertx, manager, config.intervals().monitorMs(),
        config.intervals().reaperMs());
    shutdown = new Shutdown(vertx, registry, manager, resources, exits, config.shutdownAction(),
        config.evacuationDelayMs());
    component.varzFigures(() -> {
      Map<String, Object> figures = new LinkedHashMap<>();
      figures.put("max_memory", resources.maxMemoryMb());
      figures.put("reserved_memory", resources.reservedMemoryMb());
      figures.put("available_memory", resources.availableMemoryMb());
      figures.put("num_clients", resources.usedSlots());
      figures.put("instances", registry.size());
      figures.put("state", resources.shuttingDown() ? "SHUTTING_DOWN" : "RUNNING");
      figures.put("memory_limits", memoryLimits(boot.cgroup()));
      figures.put("files_port", files.port());
      figures.put("isolated_users", isolatedUsers(backend));
      figures.put("isolation", Map.of("backend", backend.name(),
          "reason", boot.isolation().reason()));
      return figures;
    });
    // 6. re-adopt, serve files, then talk
    return manager.adopt(boot.entries())
        .compose(adopted -> files.start(config.files().host(), config.files().port())
            .map(port -> adopted))
        .map(adopted -> {
          responders.forEach(Responder::start);
          router.registerAll();
          heartbeat.sendFull();
          housekeeping.start();
          log.atInfo().setMessage("dea.started").addKeyValue("dea", dea.id())
              .addKeyValue("host", host).addKeyValue("files_port", files.port())
              .addKeyValue("adopted", adopted.size())
              .addKeyValue("memory_limits", memoryLimits(boot.cgroup()))
              .addKeyValue("isolation", backend.name())
              .addKeyValue("isolated_users", isolatedUsers(backend)).log();
          return null;
        });
  }

  private static boolean isolatedUsers(InstanceBackend backend) {
    return !(backend instanceof ProcessBackend p) || p.isolatedUsers();
  }

  private static String memoryLimits(Optional<CgroupMemory> cgroup) {
    return cgroup.map(c -> "cgroup-" + c.version().name().toLowerCase()).orElse("rss");
  }

  /**
   * The shutdown action (evacuation by default); DeaMain runs it before the launcher's
   * bounded stop so the evacuation delay is not cut short. Safe from any thread.
   */
  public Future<Void> shutdown() {
    return shutdown(config.shutdownAction());
  }

  /** The shutdown with a given action (a restart leaves instances running). */
  public Future<Void> shutdown(DeaConfig.ShutdownAction action) {
    if (shutdown == null) {
      return Future.succeededFuture();
    }
    return Future.<Future<Void>>future(p -> context.runOnContext(v ->
        p.complete(shutdown.run(action)))).compose(f -> f);
  }

  @Override
  protected Future<?> stopResponders() {
    if (shutdown == null) {
      return Future.succeededFuture();
    }
    return shutdown.run().eventually(() -> {
      housekeeping.stop();
      for (int i = responders.size() - 1; i >= 0; i--) {
        responders.get(i).stop();
      }
      saveSnapshot();
      Future<Void> backend = vertx.executeBlocking(() -> {
        manager.backend().close();
        return null;
      }, false);
      return Future.join(files.stop(), lastSave, droplets.close(), probe.close(), backend);
    });
  }

  private void saveSnapshot() {
    List<InstanceSnapshot.Entry> entries = InstanceSnapshot.entries(registry.all());
    lastSave = vertx.executeBlocking(() -> {
      snapshot.save(entries);
      return null;
    }, true).onFailure(e -> log.atWarn().setMessage("dea.snapshot.failed")
        .addKeyValue("error", e.getMessage()).log()).mapEmpty();
  }

  /** For tests: the live registry and manager (touch only on the DEA's context). */
  InstanceRegistry registry() {
    return registry;
  }

  InstanceManager manager() {
    return manager;
  }
}
