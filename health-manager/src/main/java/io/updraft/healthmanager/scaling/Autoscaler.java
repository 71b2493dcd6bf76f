package io.updraft.healthmanager.scaling;

import io.updraft.common.bus.Bus;
import io.updraft.common.bus.Subscription;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.dea.DeaAdvertise;
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
 * out; only then may the next action start. Event-loop confined.
 */
public final class Autoscaler {

  private static final Logger log = LoggerFactory.getLogger(Autoscaler.class);
  /** An advertisement older than this no longer counts as free memory. */
  private static final long ADVERT_FRESH_MS = 15_000;
  /** A controller's placement figure older than this is stale (it stopped or recovered). */
  private static final long PLACEMENT_FRESH_MS = 20_000;

  private record Advert(long freeMb, long atMs) {
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
          : a.availableMemoryMb(), clock.millis()));
    }));
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

  /** One sample and one decision; public for tests that drive the clock. */
  public ScalingPolicy.Decision tick() {
    long now = clock.millis();
    PoolSample sample = sample(now);
    history.addLast(sample);
    long keep = (settings.trendWindowSeconds() + (long) settings.breachCycles()
        * settings.sampleIntervalSeconds()) * 1000L;
    while (history.size() > 2 && history.peekFirst().atMs() < now - keep) {
      history.pollFirst();
    }
    ScalingPolicy.Decision decision = ScalingPolicy.decide(List.copyOf(history), settings,
        lastActionMs, launch != null, now);
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
    } else if (!decision.reason().equals(lastReason)) {
      log.atDebug().setMessage("hm.scaling.hold").addKeyValue("reason", decision.reason())
          .log();
    }
    lastReason = decision.reason();
    return decision;
  }

  private PoolSample sample(long now) {
    Set<String> live = liveDeas.get();
    adverts.keySet().removeIf(id -> !live.contains(id) && now - adverts.get(id).atMs()
        > ADVERT_FRESH_MS);
    long free = 0;
    for (String id : live) {
      Advert a = adverts.get(id);
      if (a != null && now - a.atMs() <= ADVERT_FRESH_MS) {
        free += a.freeMb();
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
    return new PoolSample(now, free, live.size(), booting, waiting, waitingMb);
  }

  /** Figures for {@code /varz}. */
  public Map<String, Object> figures() {
    Map<String, Object> f = new LinkedHashMap<>();
    PoolSample last = history.peekLast();
    f.put("autoscaling_enabled", enabled);
    f.put("scale_requests", scaleRequests);
    f.put("scaling_in_flight", launch != null);
    f.put("pool_free_memory_mb", last == null ? null : last.freeMemoryMb());
    f.put("pool_waiting_instances", last == null ? null : last.waitingInstances());
    f.put("scaling_last_reason", lastReason);
    return f;
  }
}
