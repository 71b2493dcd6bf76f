package io.updraft.controller.runner;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.updraft.common.bus.Bus;
import io.updraft.common.bus.Subscription;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.dea.DeaAdvertise;
import io.updraft.common.protocol.dea.DeaStartRequest;
import io.updraft.common.protocol.dea.DeaStopRequest;
import io.updraft.common.protocol.dea.DeaUpdateRequest;
import io.updraft.common.protocol.dea.FindDropletReply;
import io.updraft.common.protocol.dea.FindDropletRequest;
import io.updraft.common.protocol.dea.InstanceState;
import io.updraft.common.protocol.dea.Limits;
import io.updraft.common.protocol.dea.ServiceBinding;
import io.updraft.common.protocol.droplet.DropletUpdated;
import io.updraft.common.protocol.health.DeaDraining;
import io.updraft.common.protocol.health.DeaLost;
import io.updraft.common.protocol.health.HmRequest;
import io.updraft.common.protocol.health.PlacementStatus;
import io.updraft.controller.api.ApiError;
import io.updraft.controller.apps.App;
import io.updraft.controller.apps.AppStore;
import io.updraft.controller.health.BulkAppsResponder;
import io.updraft.controller.health.HealthQueries;
import io.updraft.controller.placement.DeaPool;
import io.updraft.controller.placement.Placement;
import io.updraft.controller.staging.DropletUrls;
import io.updraft.controller.staging.StagingCoordinator;
import io.updraft.controller.staging.StagingFailedException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the DEAs run what the apps' desired state says (PROTOCOL.md 4.3): stages when the
 * package changed, starts instances on DEAs chosen by {@link Placement}, stops and scales, keeps
 * instances that found no DEA waiting until one advertises room, and acts on the health
 * manager's start/stop requests (queue group {@code cc}, so one controller acts on each).
 *
 * <p>A new version of a running app rolls: its instances start and run before the old ones
 * stop, so the app stays reachable. Event-loop confined.
 */
public final class AppRunner implements Relocator {

  private static final Logger log = LoggerFactory.getLogger(AppRunner.class);

  /** An instance index of an app version that waits for a DEA with room. */
  private record Waiting(long appId, String version, int index, int memoryMb) {
  }

  private final Vertx vertx;
  private final Bus bus;
  private final AppStore apps;
  private final StagingCoordinator staging;
  private final DeaPool pool;
  private final DropletUrls droplets;
  private final String partition;
  private final Duration startTimeout;
  /** Not final: set by the services-aware constructor, which delegates to the other. */
  private BoundServices boundServices = app -> Future.succeededFuture(List.of());

  /** The {@code services} an app's start messages carry (its bindings, with credentials). */
  @FunctionalInterface
  public interface BoundServices {
    Future<List<ServiceBinding>> of(App app);
  }

  /** As the constructor below, with the source of the apps' bound services (issue 8). */
  public AppRunner(Vertx vertx, Bus bus, AppStore apps, StagingCoordinator staging, DeaPool pool,
      DropletUrls droplets, String partition, Duration startTimeout,
      BoundServices boundServices) {
    this(vertx, bus, apps, staging, pool, droplets, partition, startTimeout);
    this.boundServices = boundServices;
  }
  private final Map<Waiting, Boolean> waiting = new LinkedHashMap<>();
  /** Instances sent to each DEA recently, per app, for spreading before heartbeats tell. */
  private final Map<Long, Map<String, Integer>> placed = new HashMap<>();
  private final List<Subscription> subscriptions = new ArrayList<>();
  private final BulkAppsResponder bulk;
  private final HealthQueries health;
  private static final long PLACEMENT_REPORT_MS = 3_000;
  /** Names this controller in its placement reports. */
  private final String controllerId = java.util.UUID.randomUUID().toString();
  private long placementTimer = -1;
  private int reportedWaiting;
  private long reportedMemory;
  private volatile long failedPlacements;
  private MeterRegistry registry;

  public AppRunner(Vertx vertx, Bus bus, AppStore apps, StagingCoordinator staging, DeaPool pool,
      DropletUrls droplets, String partition, Duration startTimeout) {
    this.vertx = vertx;
    this.bus = bus;
    this.apps = apps;
    this.staging = staging;
    this.pool = pool;
    this.droplets = droplets;
    this.partition = partition;
    this.startTimeout = startTimeout;
    this.bulk = new BulkAppsResponder(bus, apps);
    this.health = new HealthQueries(bus);
  }

  public void start() {
    subscriptions.add(bus.subscribe(Subjects.DEA_ADVERTISE, DeaAdvertise.class, d -> {
      pool.advertised(d.body());
      placeWaiting();
    }));
    // PROTOCOL.md decision 3: the plain subject, one controller of the group acts
    subscriptions.add(bus.subscribe(Subjects.HM_REQUESTS, Subjects.QUEUE_CC,
        HmRequest.class, d -> onHealthManager(d.body())));
    // a DEA drained for a scale-down gets nothing more (whichever controller drains it)
    subscriptions.add(bus.subscribe(Subjects.DEA_DRAINING, DeaDraining.class, d -> {
      pool.draining(d.body().dea(), d.body().draining());
      log.atInfo().setMessage("placement.dea_draining").addKeyValue("dea", d.body().dea())
          .addKeyValue("draining", d.body().draining()).log();
    }));
    // a lost DEA gets nothing more, even before its last advertisement expires
    subscriptions.add(bus.subscribe(Subjects.HM_DEA_LOST, DeaLost.class, d -> {
      pool.forget(d.body().dea());
      log.atInfo().setMessage("placement.dea_lost").addKeyValue("dea", d.body().dea()).log();
    }));
    bulk.start();
    placementTimer = vertx.setPeriodic(PLACEMENT_REPORT_MS, id -> reportPlacement(true));
  }

  public void stop() {
    vertx.cancelTimer(placementTimer);
    bulk.stop();
    subscriptions.forEach(Subscription::close);
    subscriptions.clear();
  }

  /**
   * Puts the runner's figures on {@code /metrics}: instances waiting for room, placements that
   * found no DEA, and staging durations by outcome.
   */
  public void instrument(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("updraft.placement.waiting.instances", this, AppRunner::waitingInstances)
        .description("Instances waiting for a DEA with room").register(registry);
    FunctionCounter.builder("updraft.placement.failures", this, r -> r.failedPlacements)
        .description("Placements that found no DEA with room").register(registry);
  }

  /** Instances that wait for a DEA with room (the autoscaler watches this). */
  public int waitingInstances() {
    return waiting.size();
  }

  /**
   * Tells the health managers' autoscaler what waits for room ({@code cloudcontroller.placement}):
   * when the figure changes, and every few seconds while it is not zero.
   */
  private void reportPlacement(boolean always) {
    long memory = waiting.keySet().stream().mapToLong(Waiting::memoryMb).sum();
    if (!always && waiting.size() == reportedWaiting && memory == reportedMemory) {
      return;
    }
    if (always && waiting.isEmpty() && reportedWaiting == 0) {
      return;
    }
    reportedWaiting = waiting.size();
    reportedMemory = memory;
    bus.publish(Subjects.PLACEMENT_STATUS, new PlacementStatus(controllerId, waiting.size(),
        memory, failedPlacements));
  }

  /**
   * Carries out the change from {@code before} (null for a new app) to the stored
   * {@code after}; completes with the app as finally stored.
   */
  public Future<App> apply(App before, App after) {
    boolean wasStarted = before != null && before.started();
    if (!after.started()) {
      if (wasStarted) {
        bus.publish(Subjects.DEA_STOP, stopAll(after));
        dropWaiting(after.id());
        updated(after);
      }
      return Future.succeededFuture(after);
    }
    boolean newBits = !App.STAGED.equals(after.packageState());
    if (!wasStarted || newBits) {
      return deploy(after, wasStarted ? before : null);
    }
    if (after.instances() > before.instances()) {
      place(after, IntStream.range(before.instances(), after.instances()).boxed().toList());
    } else if (after.instances() < before.instances()) {
      bus.publish(Subjects.DEA_STOP, new DeaStopRequest(String.valueOf(after.id()),
          after.version(), null,
          IntStream.range(after.instances(), before.instances()).boxed().toList(), null));
    }
    if (!after.uris().equals(before.uris())) {
      bus.publish(Subjects.DEA_UPDATE, new DeaUpdateRequest(String.valueOf(after.id()),
          after.uris()));
    }
    updated(after);
    return Future.succeededFuture(after);
  }

  /** Restarts a running app as a new version, rolling (the v1 {@code /update} route). */
  public Future<App> redeploy(App app) {
    return deploy(app, app);
  }

  /**
   * Stages if needed, bumps the version and starts every index; with {@code running} (the old
   * version) still up, stops it once the new instances run.
   */
  private Future<App> deploy(App app, App running) {
    Future<App> staged = App.STAGED.equals(app.packageState()) ? Future.succeededFuture(app)
        : stage(app);
    return staged
        .compose(a -> apps.update(a.toBuilder().runCount(a.runCount() + 1).build()))
        .map(a -> {
          dropWaiting(a.id());
          placed.remove(a.id());
          place(a, IntStream.range(0, a.instances()).boxed().toList());
          updated(a);
          if (running != null) {
            retireWhenRunning(a, running.version());
          }
          return a;
        });
  }

  private Future<App> stage(App app) {
    if (app.packageSha1() == null) {
      return Future.failedFuture(ApiError.invalidApp("no application bits uploaded yet"));
    }
    long started = System.nanoTime();
    return staging.stage(app)
        .andThen(result -> {
          if (registry != null) {
            Timer.builder("updraft.staging.duration").description("Staging, request to droplet")
                .tag("result", result.succeeded() ? "staged" : "failed").register(registry)
                .record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
          }
        })
        .compose(sha1 -> apps.findById(app.id()).compose(current -> apps.update(current
            .orElseThrow(ApiError::appNotFound).toBuilder().droplet(sha1).build())))
        .recover(e -> {
          if (!(e instanceof StagingFailedException failed)) {
            return Future.failedFuture(e);
          }
          // v1: a failed staging leaves the app stopped, its package FAILED
          return apps.findById(app.id())
              .compose(current -> current.isEmpty() ? Future.<App>succeededFuture(null)
                  : apps.update(current.get().toBuilder().state(App.STOPPED)
                      .packageState(App.FAILED).build()))
              .compose(x -> Future.failedFuture(new ApiError(500, 310,
                  failed.getMessage())));
        });
  }

  /** Stops the old version once every index of the new one runs (or gives up, leaving both). */
  private void retireWhenRunning(App app, String oldVersion) {
    if (oldVersion.equals(app.version())) {
      return;
    }
    Instant deadline = Instant.now().plus(startTimeout);
    vertx.setPeriodic(500, timer -> running(app).onSuccess(count -> {
      if (count >= app.instances()) {
        vertx.cancelTimer(timer);
        bus.publish(Subjects.DEA_STOP, new DeaStopRequest(String.valueOf(app.id()), oldVersion,
            null, null, null));
        log.atInfo().setMessage("app.rolled").addKeyValue("app", app.id())
            .addKeyValue("version", app.version()).log();
      } else if (Instant.now().isAfter(deadline)) {
        vertx.cancelTimer(timer);
        log.atWarn().setMessage("app.roll.incomplete").addKeyValue("app", app.id())
            .addKeyValue("running", count).addKeyValue("wanted", app.instances()).log();
      }
    }));
  }

  /** The health manager's answers about apps. */
  public HealthQueries health() {
    return health;
  }

  /** RUNNING instances of the app's current version, as the DEAs report them. */
  public Future<Integer> running(App app) {
    if (!app.started() || app.instances() == 0) {
      return Future.succeededFuture(0);
    }
    return find(app, List.of(InstanceState.RUNNING), false, Duration.ofMillis(500))
        .map(List::size);
  }

  /** The app's instances on every DEA (one reply per instance), within a short window. */
  public Future<List<FindDropletReply>> find(App app, List<InstanceState> states,
      boolean stats, Duration window) {
    FindDropletRequest request = new FindDropletRequest(String.valueOf(app.id()), app.version(),
        null, null, null, states, stats);
    return bus.gather(Subjects.DEA_FIND_DROPLET, request, FindDropletReply.class, window,
        Math.max(1, app.instances()));
  }

  private void place(App app, List<Integer> indices) {
    for (int index : indices) {
      if (!placeOne(app, index, false)) {
        waiting.put(new Waiting(app.id(), app.version(), index, app.memoryMb()), Boolean.TRUE);
        log.atInfo().setMessage("placement.waiting").addKeyValue("app", app.id())
            .addKeyValue("index", index).addKeyValue("memory_mb", app.memoryMb()).log();
      }
    }
    reportPlacement(false);
  }

  @Override
  public void draining(String deaId, boolean on) {
    pool.draining(deaId, on);
  }

  @Override
  public void forget(String deaId) {
    pool.forget(deaId);
  }

  @Override
  public Future<Relocation> relocate(String droplet, String version, int index) {
    long appId;
    try {
      appId = Long.parseLong(droplet);
    } catch (NumberFormatException e) {
      return Future.succeededFuture(Relocation.NOT_WANTED);
    }
    return apps.findById(appId).map(found -> {
      if (found.isEmpty() || !found.get().started() || index >= found.get().instances()
          || !found.get().version().equals(version)) {
        return Relocation.NOT_WANTED;
      }
      return placeOne(found.get(), index, false) ? Relocation.PLACED : Relocation.NO_ROOM;
    });
  }

  private boolean placeOne(App app, int index, boolean flapping) {
    Map<String, Integer> counts = placed.computeIfAbsent(app.id(), k -> new HashMap<>());
    var dea = Placement.choose(pool.fresh(), new Placement.Need(app.memoryMb(), app.runtime(),
        false), counts);
    if (dea.isEmpty()) {
      failedPlacements++;
      return false;
    }
    String deaId = dea.get().id();
    pool.reserve(deaId, app.memoryMb());
    counts.merge(deaId, 1, Integer::sum);
    // the bindings are read at each start, so a restart after (un)binding carries the change
    boundServices.of(app)
        .onSuccess(services -> bus.publish(Subjects.deaStart(deaId),
            startRequest(app, index, flapping, services)))
        .onFailure(e -> log.atError().setMessage("placement.services.failed")
            .addKeyValue("app", app.id()).addKeyValue("index", index)
            .addKeyValue("error", String.valueOf(e.getMessage())).log());
    log.atInfo().setMessage("placement.started").addKeyValue("app", app.id())
        .addKeyValue("index", index).addKeyValue("dea", deaId).log();
    return true;
  }

  private DeaStartRequest startRequest(App app, int index, boolean flapping,
      List<ServiceBinding> services) {
    String id = String.valueOf(app.id());
    return new DeaStartRequest(id, index, app.name(), app.uris(), app.runtime(), null,
        app.framework(), false, app.dropletSha1(), null,
        droplets.url(id, app.dropletSha1()), app.version(), services,
        new Limits(app.memoryMb(), app.diskMb(), app.fds()), app.env(), List.of(), null, null,
        flapping ? Boolean.TRUE : null, partition);
  }

  /** Places waiting instances whose app still wants them (same version, still started). */
  private void placeWaiting() {
    if (waiting.isEmpty()) {
      return;
    }
    for (Waiting w : List.copyOf(waiting.keySet())) {
      apps.findById(w.appId()).onSuccess(found -> {
        if (!waiting.containsKey(w)) {
          return;
        }
        if (found.isEmpty() || !found.get().started()
            || !found.get().version().equals(w.version())
            || w.index() >= found.get().instances()) {
          waiting.remove(w);
        } else if (placeOne(found.get(), w.index(), false)) {
          waiting.remove(w);
        }
        reportPlacement(false);
      });
    }
  }

  private void dropWaiting(long appId) {
    waiting.keySet().removeIf(w -> w.appId() == appId);
    reportPlacement(false);
  }

  private void onHealthManager(HmRequest request) {
    long appId;
    try {
      appId = Long.parseLong(request.droplet());
    } catch (NumberFormatException e) {
      return;
    }
    apps.findById(appId).onSuccess(found -> {
      if (found.isEmpty()) {
        if (request.op() == HmRequest.Op.STOP) {
          bus.publish(Subjects.DEA_STOP, new DeaStopRequest(request.droplet(), null, null, null,
              null));
        }
        return;
      }
      App app = found.get();
      switch (request.op()) {
        case START -> {
          // v1: a start for another version than the current one is stale, not an error
          if (app.started() && app.version().equals(request.version())) {
            for (int index : request.indices()) {
              if (index < app.instances() && !placeOne(app, index,
                  Boolean.TRUE.equals(request.flapping()))) {
                waiting.put(new Waiting(app.id(), app.version(), index, app.memoryMb()),
                    Boolean.TRUE);
              }
            }
            reportPlacement(false);
          }
        }
        case STOP -> {
          if (request.lastUpdated() == null || request.lastUpdated() == app.updatedAt()) {
            bus.publish(Subjects.DEA_STOP, new DeaStopRequest(request.droplet(), null,
                request.instances(), null, null));
          }
        }
        case SPINDOWN -> apps.update(app.toBuilder().state(App.STOPPED).build())
            .onSuccess(stopped -> apply(app, stopped));
        default -> { }
      }
    });
  }

  private DeaStopRequest stopAll(App app) {
    return new DeaStopRequest(String.valueOf(app.id()), null, null, null, null);
  }

  private void updated(App app) {
    bus.publish(Subjects.DROPLET_UPDATED, new DropletUpdated(String.valueOf(app.id()),
        partition));
  }
}
