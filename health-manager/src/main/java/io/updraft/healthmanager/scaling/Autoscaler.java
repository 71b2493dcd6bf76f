package io.updraft.healthmanager.scaling;

import io.updraft.common.bus.Bus;
import io.updraft.common.bus.Subscription;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.dea.DeaAdvertise;
import io.updraft.common.protocol.dea.Heartbeat;
import io.updraft.common.protocol.health.DeaDraining;
import io.updraft.common.protocol.health.PlacementStatus;
import io.updraft.common.protocol.health.ScaleRequest;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the DEA pool and asks the controllers for more DEAs (Stackato's autoscaling,
 * PROTOCOL.md decision 4): every sample interval it records the pool (free memory from fresh
 * {@code dea.advertise}, live DEAs from heartbeats, waiting instances from the controllers'
 * {@code cloudcontroller.placement}), runs the {@link ScalingPolicy} and, when that says so and
 * this health manager is active, publishes a {@code scaleup} with the figures behind it. The
 * DEAs asked for count as booting until the pool has grown by that many or the launch times
 * out; only then may the next action start.
 *
 * <p>With {@code scale_down.enabled} it also asks a controller to drain and remove an idle DEA
 * (a {@code scaledown}); that action is in flight until the DEA is gone from the pool, the
 * drain is given up ({@code cloudcontrollers.dea_draining} false), no controller took it up
 * within {@link #DRAIN_CONFIRM_MS}, or {@code drain_timeout_seconds} passed. The DEAs being
 * drained are known from those notices ({@link #isDraining}), so the analysis stops their copies
 * of moved instances and not the new ones. Measured use comes from the DEAs' full heartbeats.
 * Event-loop confined.
 */
public final class Autoscaler {

  private static final Logger log = LoggerFactory.getLogger(Autoscaler.class);
  /** An advertisement older than this no longer counts as free memory. */
  private static final long ADVERT_FRESH_MS = 15_000;
  /** A controller's placement figure older than this is stale (it stopped or recovered). */
  private static final long PLACEMENT_FRESH_MS = 20_000;
  /** A scale-down no controller announced a drain for within this was refused or lost. */
  static final long DRAIN_CONFIRM_MS = 30_000;

  private record Advert(long freeMb, String nodeId, Long maxMemoryMb, long atMs) {
  }

  private record Usage(Heartbeat.DeaUsage usage, long atMs) {
  }

  private record Drain(String dea, long atMs, boolean confirmed) {
  }

  private record Launch(long atMs, int count, int poolBefore) {
  }

  private final Vertx vertx;
  private final Bus bus;
  private final boolean enabled;
  private final AutoscaleSettings settings;
  private final Supplier<Set<String>> liveDeas;
  private final BooleanSupplier mayAct;
  private final Clock clock;
  private final Map<String, Advert> adverts = new HashMap<>();
  private final Map<String, PlacementStatus> placements = new HashMap<>();
  private final Map<String, Long> placementsAt = new HashMap<>();
  private final Map<String, Usage> usages = new HashMap<>();
  /** DEAs a controller announced it drains, with when. */
  private final Map<String, Long> draining = new HashMap<>();
  private Drain drain;
  private long scaleDownRequests;
  private final Deque<PoolSample> history = new ArrayDeque<>();
  private final List<Subscription> subscriptions = new ArrayList<>();
  private Launch launch;
  private long lastActionMs;
  private String lastReason = "";
  private long scaleRequests;
  private long timer = -1;

  public Autoscaler(Vertx vertx, Bus bus, boolean enabled, AutoscaleSettings settings,
      Supplier<Set<String>> liveDeas, BooleanSupplier mayAct, Clock clock) {
    this.vertx = vertx;
    this.bus = bus;
    this.enabled = enabled;
    this.settings = settings;
    this.liveDeas = liveDeas;
    this.mayAct = mayAct;
    this.clock = clock;
  }

  public void start() {
    subscriptions.add(bus.subscribe(Subjects.DEA_ADVERTISE, DeaAdvertise.class, d -> {
      DeaAdvertise a = d.body();
      adverts.put(a.id(), new Advert(a.availableMemoryMb() == null ? 0
          : a.availableMemoryMb(), a.nodeId(), a.maxMemoryMb(), clock.millis()));
    }));
    subscriptions.add(bus.subscribe(Subjects.DEA_HEARTBEAT, Heartbeat.class, d -> {
      if (d.body().usage() != null) {
        usages.put(d.body().dea(), new Usage(d.body().usage(), clock.millis()));
      }
    }));
    subscriptions.add(bus.subscribe(Subjects.DEA_DRAINING, DeaDraining.class,
        d -> onDraining(d.body())));
    subscriptions.add(bus.subscribe(Subjects.PLACEMENT_STATUS, PlacementStatus.class, d -> {
      placements.put(d.body().controller(), d.body());
      placementsAt.put(d.body().controller(), clock.millis());
    }));
    timer = vertx.setPeriodic(settings.sampleIntervalSeconds() * 1000L, id -> tick());
    log.atInfo().setMessage("hm.scaling.configured").addKeyValue("enabled", enabled)
        .addKeyValue("settings", settings).log();
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    subscriptions.forEach(Subscription::close);
    subscriptions.clear();
  }

  /** Whether a controller drains this DEA (its instances are being moved off it). */
  public boolean isDraining(String deaId) {
    return draining.containsKey(deaId);
  }

  private void onDraining(DeaDraining notice) {
    if (notice.draining()) {
      draining.put(notice.dea(), clock.millis());
      if (drain != null && drain.dea().equals(notice.dea())) {
        drain = new Drain(drain.dea(), drain.atMs(), true);
      }
    } else {
      draining.remove(notice.dea());
      if (drain != null && drain.dea().equals(notice.dea())) {
        log.atWarn().setMessage("hm.scaling.drain_given_up").addKeyValue("dea", notice.dea())
            .log();
        drain = null;
      }
    }
  }

  /** One sample and one decision; public for tests that drive the clock. */
  public ScalingPolicy.Decision tick() {
    long now = clock.millis();
    PoolSample sample = sample(now);
    history.addLast(sample);
    long keep = Math.max(settings.trendWindowSeconds() + (long) settings.breachCycles()
        * settings.sampleIntervalSeconds(), settings.scaleDown().idleSeconds()
        + 2L * settings.sampleIntervalSeconds()) * 1000L;
    while (history.size() > 2 && history.peekFirst().atMs() < now - keep) {
      history.pollFirst();
    }
    boolean inFlight = launch != null || drain != null;
    ScalingPolicy.Decision decision = ScalingPolicy.decide(List.copyOf(history), settings,
        lastActionMs, inFlight, now);
    if (!enabled) {
      return decision;
    }
    if (decision.scaleUp() && mayAct.getAsBoolean()) {
      launch = new Launch(now, decision.count(), sample.deas());
      lastActionMs = now;
      scaleRequests++;
      bus.publish(Subjects.HM_SCALE_REQUESTS, new ScaleRequest(ScaleRequest.Op.SCALEUP,
          decision.count(), decision.reason(), null, sample.freeMemoryMb(), null,
          sample.waitingInstances(), sample.deas()));
      log.atInfo().setMessage("hm.scaling.scaleup").addKeyValue("count", decision.count())
          .addKeyValue("reason", decision.reason())
          .addKeyValue("projected_free_mb", decision.projectedFreeMb())
          .addKeyValue("shortfall_mb", decision.shortfallMb()).log();
    } else if (!decision.scaleUp() && settings.scaleDown().enabled()) {
      ScalingPolicy.ScaleDownDecision down = ScalingPolicy.decideScaleDown(
          List.copyOf(history), settings, lastActionMs, inFlight, now);
      if (down.remove() && mayAct.getAsBoolean()) {
        drain = new Drain(down.deaId(), now, false);
        lastActionMs = now;
        scaleDownRequests++;
        bus.publish(Subjects.HM_SCALE_REQUESTS, new ScaleRequest(ScaleRequest.Op.SCALEDOWN,
            null, down.reason(), down.deaId(), sample.freeMemoryMb(), null,
            sample.waitingInstances(), sample.deas()));
        log.atInfo().setMessage("hm.scaling.scaledown").addKeyValue("dea", down.deaId())
            .addKeyValue("node", down.nodeId()).addKeyValue("reason", down.reason()).log();
        lastReason = down.reason();
        return decision;
      }
      if (!down.reason().equals(lastReason)) {
        log.atDebug().setMessage("hm.scaling.hold").addKeyValue("reason", decision.reason())
            .addKeyValue("scale_down", down.reason()).log();
      }
      lastReason = down.reason();
      return decision;
    } else if (!decision.reason().equals(lastReason)) {
      log.atDebug().setMessage("hm.scaling.hold").addKeyValue("reason", decision.reason())
          .log();
    }
    lastReason = decision.reason();
    return decision;
  }

  /** Ends the drain in flight when its DEA left the pool, nobody took it up, or it took too long. */
  private void followDrain(Set<String> live, long now) {
    draining.keySet().removeIf(id -> !live.contains(id)
        && now - draining.get(id) > settings.scaleDown().drainTimeoutSeconds() * 1000L);
    if (drain == null) {
      return;
    }
    if (drain.confirmed() && !live.contains(drain.dea())) {
      log.atInfo().setMessage("hm.scaling.removed").addKeyValue("dea", drain.dea())
          .addKeyValue("seconds", (now - drain.atMs()) / 1000.0).log();
      draining.remove(drain.dea());
      drain = null;
    } else if (!drain.confirmed() && now - drain.atMs() > DRAIN_CONFIRM_MS) {
      log.atWarn().setMessage("hm.scaling.scaledown_not_taken").addKeyValue("dea", drain.dea())
          .log();
      drain = null;
    } else if (now - drain.atMs() > settings.scaleDown().drainTimeoutSeconds() * 1000L) {
      log.atWarn().setMessage("hm.scaling.drain_timeout").addKeyValue("dea", drain.dea())
          .log();
      drain = null;
    }
  }

  private PoolSample sample(long now) {
    Set<String> live = liveDeas.get();
    followDrain(live, now);
    adverts.keySet().removeIf(id -> !live.contains(id) && now - adverts.get(id).atMs()
        > ADVERT_FRESH_MS);
    usages.keySet().removeIf(id -> !live.contains(id));
    long free = 0;
    List<PoolSample.DeaSample> pool = new ArrayList<>();
    long memory = 0;
    long maxMemory = 0;
    long disk = 0;
    long diskTotal = 0;
    double cpu = 0;
    int cores = 0;
    for (String id : live) {
      Advert a = adverts.get(id);
      boolean fresh = a != null && now - a.atMs() <= ADVERT_FRESH_MS;
      Usage u = usages.get(id);
      if (u != null && now - u.atMs() <= ADVERT_FRESH_MS) {
        memory += nz(u.usage().memMb());
        maxMemory += nz(u.usage().maxMemoryMb());
        disk += nz(u.usage().diskMb());
        diskTotal += nz(u.usage().diskTotalMb());
        cpu += u.usage().cpuPercent() == null ? 0 : u.usage().cpuPercent();
        cores += u.usage().cores() == null ? 0 : u.usage().cores();
      }
      if (draining.containsKey(id)) {
        continue; // its room is not on offer, and it is already on its way out
      }
      if (fresh) {
        free += a.freeMb();
      }
      Long reserved = u != null && u.usage().reservedMemoryMb() != null
          ? u.usage().reservedMemoryMb()
          : fresh && a.maxMemoryMb() != null ? a.maxMemoryMb() - a.freeMb() : null;
      if (reserved != null) {
        pool.add(new PoolSample.DeaSample(id, a == null ? null : a.nodeId(), reserved,
            fresh ? a.freeMb() : 0));
      }
    }
    placementsAt.entrySet().removeIf(e -> {
      boolean stale = now - e.getValue() > PLACEMENT_FRESH_MS;
      if (stale) {
        placements.remove(e.getKey());
      }
      return stale;
    });
    int waiting = placements.values().stream().mapToInt(PlacementStatus::waitingInstances).sum();
    long waitingMb = placements.values().stream().mapToLong(PlacementStatus::waitingMemoryMb)
        .sum();
    int booting = 0;
    if (launch != null) {
      int grown = live.size() - launch.poolBefore();
      if (grown >= launch.count()) {
        log.atInfo().setMessage("hm.scaling.joined").addKeyValue("count", launch.count())
            .addKeyValue("seconds", (now - launch.atMs()) / 1000.0).log();
        launch = null;
      } else if (now - launch.atMs() > settings.launchTimeoutSeconds() * 1000L) {
        log.atWarn().setMessage("hm.scaling.launch_timeout").addKeyValue("asked", launch.count())
            .addKeyValue("joined", Math.max(0, grown)).log();
        launch = null;
      } else {
        booting = launch.count() - Math.max(0, grown);
      }
    }
    return new PoolSample(now, free, live.size(), booting, waiting, waitingMb,
        new PoolSample.MeasuredUse(memory, maxMemory, disk, diskTotal, cpu, cores), pool);
  }

  private static long nz(Long v) {
    return v == null ? 0 : v;
  }

  /** Figures for {@code /varz}. */
  public Map<String, Object> figures() {
    Map<String, Object> f = new LinkedHashMap<>();
    PoolSample last = history.peekLast();
    f.put("autoscaling_enabled", enabled);
    f.put("scale_requests", scaleRequests);
    f.put("scaling_in_flight", launch != null || drain != null);
    f.put("scale_down_requests", scaleDownRequests);
    f.put("draining_deas", draining.size());
    f.put("pool_free_memory_mb", last == null ? null : last.freeMemoryMb());
    f.put("pool_waiting_instances", last == null ? null : last.waitingInstances());
    f.put("scaling_last_reason", lastReason);
    return f;
  }
}
