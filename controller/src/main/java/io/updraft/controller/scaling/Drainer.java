package io.updraft.controller.scaling;

import io.updraft.common.bus.Bus;
import io.updraft.common.bus.Subscription;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.dea.DeaStopRequest;
import io.updraft.common.protocol.dea.Heartbeat;
import io.updraft.common.protocol.dea.Heartbeat.InstanceHeartbeat;
import io.updraft.common.protocol.dea.InstanceState;
import io.updraft.common.protocol.health.DeaDraining;
import io.updraft.controller.events.EventStore;
import io.updraft.controller.runner.Relocator;
import io.updraft.controller.runner.Relocator.Relocation;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains a DEA for a scale-down, then removes its node through the platform. The order keeps
 * every app reachable: nothing more is placed on the DEA (the {@code cloudcontrollers
 * .dea_draining} notice reaches every controller and the health managers); each of its
 * instances is started again on another DEA at the same index; only when every replacement is
 * RUNNING (and so registered with the router) are the old instances stopped; once the DEA
 * reports none left, the node is deleted. Any step that cannot complete (no room elsewhere, a
 * replacement that does not come up) ends the drain and leaves the DEA in the pool. Each step
 * is recorded in the events log with its figures. One drain at a time; it listens to the
 * heartbeats only while it drains (a controller has no other use for them). Event-loop
 * confined.
 */
public final class Drainer {

  private static final Logger log = LoggerFactory.getLogger(Drainer.class);

  /**
   * How long each phase may take.
   *
   * @param listing waiting for the DEA's full heartbeat (its instance list)
   * @param replacements waiting for every replacement to run
   * @param emptying waiting for the DEA to report its old instances gone
   */
  public record Timeouts(Duration listing, Duration replacements, Duration emptying) {

    public static final Timeouts DEFAULTS = new Timeouts(Duration.ofSeconds(15),
        Duration.ofSeconds(180), Duration.ofSeconds(60));
  }

  /** One instance as the heartbeats report it. */
  private record Seen(String dea, InstanceHeartbeat instance) {
  }

  private final Vertx vertx;
  private final Bus bus;
  private final Relocator runner;
  private final ScalingPlatform platform;
  private final EventStore events;
  private final Clock clock;
  private final Timeouts timeouts;
  /** The latest full instance list of each DEA, and every instance by id. */
  private final Map<String, Heartbeat> lastFull = new HashMap<>();
  private final Map<String, Seen> instances = new HashMap<>();
  private final List<Subscription> subscriptions = new ArrayList<>();
  private String draining;

  public Drainer(Vertx vertx, Bus bus, Relocator runner, ScalingPlatform platform,
      EventStore events, Clock clock, Timeouts timeouts) {
    this.vertx = vertx;
    this.bus = bus;
    this.runner = runner;
    this.platform = platform;
    this.events = events;
    this.clock = clock;
    this.timeouts = timeouts;
  }

  public void start() {
  }

  public void stop() {
    unlisten();
  }

  private void listen() {
    subscriptions.add(bus.subscribe(Subjects.DEA_HEARTBEAT, Heartbeat.class,
        d -> heard(d.body())));
    subscriptions.add(bus.subscribe(Subjects.DROPLET_EXITED,
        io.updraft.common.protocol.droplet.DropletExited.class,
        d -> instances.remove(d.body().instance())));
  }

  private void unlisten() {
    subscriptions.forEach(Subscription::close);
    subscriptions.clear();
    lastFull.clear();
    instances.clear();
  }

  /** The DEA being drained, or null. */
  public String draining() {
    return draining;
  }

  private void heard(Heartbeat hb) {
    // a heartbeat with usage is a full one (the single-instance ones on RUNNING carry none)
    if (hb.usage() != null) {
      lastFull.put(hb.dea(), hb);
      instances.values().removeIf(s -> s.dea().equals(hb.dea()) && hb.droplets().stream()
          .noneMatch(i -> i.instance().equals(s.instance().instance())));
    }
    for (InstanceHeartbeat i : hb.droplets()) {
      instances.put(i.instance(), new Seen(hb.dea(), i));
    }
  }

  /**
   * Drains {@code deaId} and deletes {@code nodeId}; completes when the node is removed, fails
   * with the reason when the drain was given up (the DEA then stays in the pool).
   */
  public Future<Void> drain(String deaId, String nodeId, String actor, String reason) {
    if (draining != null) {
      return Future.failedFuture("DEA " + draining + " is being drained");
    }
    draining = deaId;
    listen();
    long started = clock.millis();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("dea", deaId);
    details.put("node", nodeId);
    details.put("platform", platform.name());
    details.put("reason", reason);
    runner.draining(deaId, true);
    bus.publish(Subjects.DEA_DRAINING, new DeaDraining(deaId, true, nodeId));
    events.record("scaling.drain_started", actor, "draining DEA " + deaId + " (node " + nodeId
        + ") for a scale-down: " + reason, new LinkedHashMap<>(details));
    List<InstanceHeartbeat> old = new ArrayList<>();
    return fullHeartbeat(deaId)
        .compose(hb -> {
          old.addAll(hb.droplets().stream().filter(i -> i.state() == InstanceState.RUNNING
              || i.state() == InstanceState.STARTING).toList());
          details.put("instances", old.size());
          return relocateAll(old);
        })
        .compose(placed -> {
          details.put("relocated", placed.size());
          return untilReplaced(deaId, placed);
        })
        .compose(v -> {
          details.put("seconds_to_replace", (clock.millis() - started) / 1000.0);
          stopOld(old);
          events.record("scaling.drain_moved", actor, old.size() + " instance(s) of DEA "
              + deaId + " run elsewhere; stopping them there", new LinkedHashMap<>(details));
          return until(() -> live(deaId).isEmpty(), timeouts.emptying(),
              "its instances did not stop");
        })
        .compose(v -> platform.terminate(nodeId).recover(e -> Future.failedFuture(
            "removing node " + nodeId + " failed: " + e.getMessage())))
        .andThen(result -> {
          draining = null;
          unlisten();
          details.put("seconds", (clock.millis() - started) / 1000.0);
          if (result.succeeded()) {
            runner.forget(deaId);
            events.record("scaling.removed", actor, "DEA " + deaId + " drained and node "
                + nodeId + " removed from " + platform.name(), new LinkedHashMap<>(details));
            log.atInfo().setMessage("scaling.drain.removed").addKeyValue("dea", deaId)
                .addKeyValue("node", nodeId).addKeyValue("details", details).log();
          } else {
            runner.draining(deaId, false);
            bus.publish(Subjects.DEA_DRAINING, new DeaDraining(deaId, false, nodeId));
            details.put("error", String.valueOf(result.cause().getMessage()));
            events.record("scaling.drain_failed", actor, "drain of DEA " + deaId
                + " given up: " + result.cause().getMessage(), new LinkedHashMap<>(details));
            log.atWarn().setMessage("scaling.drain.failed").addKeyValue("dea", deaId)
                .addKeyValue("details", details).log();
          }
        });
  }

  /** The DEA's first full heartbeat since the drain began listening. */
  private Future<Heartbeat> fullHeartbeat(String deaId) {
    return until(() -> lastFull.get(deaId) != null, timeouts.listing(),
        "the DEA sent no heartbeat").map(v -> lastFull.get(deaId));
  }

  /** Starts each instance elsewhere; fails at the first that finds no room. */
  private Future<List<InstanceHeartbeat>> relocateAll(List<InstanceHeartbeat> old) {
    List<InstanceHeartbeat> placed = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (InstanceHeartbeat i : old) {
      chain = chain.compose(v -> runner.relocate(i.droplet(), i.version(), i.index())
          .compose(outcome -> {
            if (outcome == Relocation.NO_ROOM) {
              return Future.failedFuture("no other DEA has room for app " + i.droplet()
                  + " index " + i.index());
            }
            if (outcome == Relocation.PLACED) {
              placed.add(i);
            }
            return Future.succeededFuture();
          }));
    }
    return chain.map(v -> placed);
  }

  /** Until every moved index runs on another DEA. */
  private Future<Void> untilReplaced(String deaId, List<InstanceHeartbeat> moved) {
    return until(() -> moved.stream().allMatch(i -> instances.values().stream().anyMatch(s ->
            !s.dea().equals(deaId) && s.instance().droplet().equals(i.droplet())
                && s.instance().index().equals(i.index())
                && java.util.Objects.equals(s.instance().version(), i.version())
                && s.instance().state() == InstanceState.RUNNING)),
        timeouts.replacements(), "the replacements did not all run");
  }

  private void stopOld(List<InstanceHeartbeat> old) {
    Map<String, List<String>> byApp = new LinkedHashMap<>();
    old.forEach(i -> byApp.computeIfAbsent(i.droplet(), k -> new ArrayList<>())
        .add(i.instance()));
    byApp.forEach((app, ids) -> bus.publish(Subjects.DEA_STOP,
        new DeaStopRequest(app, null, ids, null, null)));
  }

  /** STARTING or RUNNING instances the DEA reports. */
  private List<Seen> live(String deaId) {
    return instances.values().stream().filter(s -> s.dea().equals(deaId)
        && (s.instance().state() == InstanceState.RUNNING
        || s.instance().state() == InstanceState.STARTING)).toList();
  }

  /** Polls {@code done} every half second; fails with {@code why} after {@code timeout}. */
  private Future<Void> until(BooleanSupplier done, Duration timeout, String why) {
    Promise<Void> promise = Promise.promise();
    if (done.getAsBoolean()) {
      return Future.succeededFuture();
    }
    long deadline = clock.millis() + timeout.toMillis();
    vertx.setPeriodic(500, timer -> {
      if (done.getAsBoolean()) {
        vertx.cancelTimer(timer);
        promise.tryComplete();
      } else if (clock.millis() > deadline) {
        vertx.cancelTimer(timer);
        promise.tryFail(why + " within " + timeout.toSeconds() + " s");
      }
    });
    return promise.future();
  }
}
