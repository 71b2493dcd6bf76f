package io.updraft.healthmanager;

import io.updraft.common.bus.Bus;
import io.updraft.common.bus.Subscription;
import io.updraft.common.cluster.Leadership;
import io.updraft.common.protocol.Empty;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.dea.Heartbeat;
import io.updraft.common.protocol.droplet.DropletExited;
import io.updraft.common.protocol.droplet.DropletUpdated;
import io.updraft.common.protocol.health.DeaLost;
import io.updraft.healthmanager.analysis.Analyzer;
import io.updraft.healthmanager.analysis.CrashPolicy;
import io.updraft.healthmanager.analysis.RequestQueue;
import io.updraft.healthmanager.responders.QueryResponder;
import io.updraft.healthmanager.scaling.Autoscaler;
import io.updraft.healthmanager.state.ActualState;
import io.updraft.healthmanager.state.DesiredState;
import io.updraft.healthmanager.state.DesiredStateReader;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health manager's moving parts: listens to heartbeats, exits and app changes, reads desired
 * state from the controllers, runs the {@link Analyzer} every analysis interval and answers
 * queries. Every instance of it keeps the full state (a hot standby); only the one holding the
 * {@link Leadership} sends requests, and none does during a grace period after its own start,
 * a NATS reconnect or a takeover, until it has heard the DEAs' heartbeats. Event-loop confined.
 */
public final class HealthManager {

  private static final Logger log = LoggerFactory.getLogger(HealthManager.class);

  private final Vertx vertx;
  private final Bus bus;
  private final HealthManagerConfig config;
  private final Leadership leadership;
  private final Clock clock;
  private final DesiredState desired = new DesiredState();
  private final ActualState actual = new ActualState();
  private final DesiredStateReader reader;
  private final RequestQueue requests;
  private final Analyzer analyzer;
  private final QueryResponder queries;
  private final Autoscaler autoscaler;
  private final List<Subscription> subscriptions = new ArrayList<>();
  private final List<Long> timers = new ArrayList<>();
  private volatile Map<String, Object> snapshot = Map.of();
  private long startedMs;
  private long actAfterMs;
  private boolean scanning;
  private long heartbeats;
  private long exits;

  public HealthManager(Vertx vertx, Bus bus, HealthManagerConfig config, Leadership leadership,
      Clock clock) {
    this.vertx = vertx;
    this.bus = bus;
    this.config = config;
    this.leadership = leadership;
    this.clock = clock;
    this.reader = new DesiredStateReader(bus, config.ccPartition(), config.bulkBatchSize());
    this.requests = new RequestQueue(bus, Subjects.hmRequests(config.ccPartition()),
        config.maxStartsPerInterval());
    this.analyzer = new Analyzer(config, desired, actual, new CrashPolicy(config.crash()),
        requests);
    this.queries = new QueryResponder(bus, analyzer, leadership::isLeader);
    this.autoscaler = new Autoscaler(vertx, bus, config.enableAutoscaling(),
        config.autoscaling(), actual::deaIds, this::mayAct, clock);
    analyzer.draining(autoscaler::isDraining);
  }

  public void start() {
    startedMs = now();
    holdOff(config.startupGraceSeconds());
    subscriptions.add(bus.subscribe(Subjects.DEA_HEARTBEAT, Heartbeat.class, d -> {
      heartbeats++;
      analyzer.onRetainedCrashes(actual.heartbeat(d.body(), now()));
    }));
    subscriptions.add(bus.subscribe(Subjects.DROPLET_EXITED, DropletExited.class, d -> {
      exits++;
      analyzer.onExit(d.body(), now(), mayAct());
    }));
    subscriptions.add(bus.subscribe(Subjects.DROPLET_UPDATED, DropletUpdated.class,
        d -> refresh(d.body().droplet())));
    queries.start();
    autoscaler.start();
    bus.onConnectionChange(up -> {
      if (up) {
        // heartbeats were lost while away: nobody is lost for that, and we listen first
        actual.refreshAll(now());
        holdOff(config.startupGraceSeconds());
        bus.publish(Subjects.HM_START, Empty.INSTANCE);
        scan();
      }
    });
    leadership.onChange(leader -> {
      if (leader) {
        holdOff(config.takeoverGraceSeconds());
        // at boot the DEAs were just asked; a second full round only floods the bus
        if (now() - startedMs > config.startupGraceSeconds() * 1000L) {
          bus.publish(Subjects.HM_START, Empty.INSTANCE);
        }
        log.atInfo().setMessage("hm.active").addKeyValue("act_in_s",
            config.takeoverGraceSeconds()).log();
      } else {
        requests.clear();
        log.atInfo().setMessage("hm.standby").log();
      }
    });
    // DEAs answer with a full heartbeat at once (PROTOCOL.md 5.1)
    bus.publish(Subjects.HM_START, Empty.INSTANCE);
    scan();
    timers.add(vertx.setPeriodic(config.analysisIntervalMs(), id -> analyze()));
    timers.add(vertx.setPeriodic(config.desiredStateIntervalSeconds() * 1000L, id -> scan()));
  }

  public void stop() {
    timers.forEach(vertx::cancelTimer);
    timers.clear();
    subscriptions.forEach(Subscription::close);
    subscriptions.clear();
    queries.stop();
    autoscaler.stop();
  }

  private long now() {
    return clock.millis();
  }

  private void holdOff(int seconds) {
    actAfterMs = Math.max(actAfterMs, now() + seconds * 1000L);
  }

  /** Leader, past every grace period, and desired state is known. */
  boolean mayAct() {
    return leadership.isLeader() && now() >= actAfterMs && desired.scanned();
  }

  private void analyze() {
    boolean act = mayAct();
    if (act) {
      requests.newInterval();
    }
    long now = now();
    for (ActualState.LostDea lost : analyzer.analyze(now, act)) {
      if (act) {
        bus.publish(Subjects.HM_DEA_LOST, new DeaLost(lost.id(), lost.lastSeenMs() / 1000,
            lost.instances().size()));
      }
    }
    if (act) {
      requests.send();
    }
    snapshot = figures();
  }

  /** The figures as of the last analysis pass, safe to read from any thread (metrics). */
  public Map<String, Object> snapshot() {
    return snapshot;
  }

  private void scan() {
    if (scanning) {
      return;
    }
    scanning = true;
    long started = now();
    reader.scan().onComplete(result -> {
      scanning = false;
      if (result.succeeded()) {
        boolean first = !desired.scanned();
        desired.replaceAll(result.result(), started);
        if (first) {
          log.atInfo().setMessage("hm.desired.loaded").addKeyValue("apps", desired.size())
              .addKeyValue("ms", now() - started).log();
        }
      } else {
        log.atWarn().setMessage("hm.desired.failed")
            .addKeyValue("error", result.cause().getMessage()).log();
      }
    });
  }

  private void refresh(String app) {
    long marked = now();
    desired.markStale(app, marked);
    reader.one(app).onComplete(result -> {
      if (result.succeeded()) {
        desired.refreshed(app, result.result(), marked);
      } else {
        log.atWarn().setMessage("hm.desired.refresh_failed").addKeyValue("app", app)
            .addKeyValue("error", result.cause().getMessage()).log();
      }
    });
  }

  /** Figures for {@code /varz} (PROTOCOL.md 1). */
  public Map<String, Object> figures() {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("active", leadership.isLeader());
    f.put("total_apps", desired.size());
    f.put("running_instances", actual.instanceCount());
    f.put("deas", actual.deaCount());
    f.put("crashes", analyzer.crashes());
    f.put("lost_deas", analyzer.lostDeas());
    f.put("queue_length", requests.queued());
    f.put("pending_starts", analyzer.pendingStarts());
    f.put("start_requests", requests.startsSent());
    f.put("stop_requests", requests.stopsSent());
    f.put("heartbeat_msgs_received", heartbeats);
    f.put("droplet_exited_msgs_received", exits);
    f.putAll(autoscaler.figures());
    return f;
  }
}
