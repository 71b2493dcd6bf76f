package io.updraft.controller.scaling;

import io.updraft.common.bus.Bus;
import io.updraft.common.bus.Subscription;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.dea.DeaAdvertise;
import io.updraft.common.protocol.dea.DeaHello;
import io.updraft.common.protocol.health.ScaleRequest;
import io.updraft.controller.events.EventStore;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acts on the health manager's {@code cloudcontrollers.hm.scalerequests} (queue group
 * {@code cc}: exactly one controller acts on each, PROTOCOL.md decision 4) and on the manual
 * trigger, through the configured {@link ScalingPlatform}. One launch at a time per
 * controller; every request, launch, failure and joining DEA is recorded in the events log
 * with its figures, including how long the new DEAs took to say hello.
 *
 * <p>A {@code scaledown} names a DEA; it is drained and its node removed ({@link Drainer}) only
 * when the platform launched that node: the DEA advertises the node id its platform gave it
 * ({@code node_id}), and the id is a live launch of this platform in {@link ScalingNodeStore},
 * which every controller shares (any one of them takes a scale-down, and a restart forgets
 * nothing). Any other DEA (a static one) is refused with an event, so static DEAs are never
 * removed. Event-loop confined.
 */
public final class Scaler {

  private static final Logger log = LoggerFactory.getLogger(Scaler.class);
  /**
   * A drain claim older than this is taken to be from a controller that died mid-drain; longer
   * than a drain can last (its three waits are minutes at most).
   */
  static final java.time.Duration DRAIN_CLAIM_STALE = java.time.Duration.ofMinutes(30);

  private final Bus bus;
  private final ScalingPlatform platform;
  private final EventStore events;
  private final ScalingNodeStore nodes;
  private final Clock clock;
  private final List<Subscription> subscriptions = new ArrayList<>();
  private io.micrometer.core.instrument.MeterRegistry registry;
  private boolean launching;
  /** DEAs launched and not yet heard from, with the launch time. */
  private int awaitingHellos;
  private long launchedAtMs;
  /**
   * The node id each DEA advertises (launched or not): only what the DEAs say, so it stays
   * right across controllers and restarts; whether a node is the platform's is the store's.
   */
  private final Map<String, String> advertisedNode = new java.util.HashMap<>();
  private Drainer drainer;

  public Scaler(Bus bus, ScalingPlatform platform, EventStore events, ScalingNodeStore nodes,
      Clock clock) {
    this.bus = bus;
    this.platform = platform;
    this.events = events;
    this.nodes = nodes;
    this.clock = clock;
  }

  /** Counts scaling actions by platform and result on {@code /metrics}. */
  public Scaler instrument(io.micrometer.core.instrument.MeterRegistry meters) {
    this.registry = meters;
    return this;
  }

  /** Scale-downs drain through {@code d} (none: every scale-down is refused). */
  public Scaler withDrainer(Drainer d) {
    this.drainer = d;
    return this;
  }

  public void start() {
    subscriptions.add(bus.subscribe(Subjects.DEA_ADVERTISE, DeaAdvertise.class, d -> {
      String node = d.body().nodeId();
      // adverts repeat every few seconds: the store hears of a DEA once per controller
      if (node != null && !node.equals(advertisedNode.put(d.body().id(), node))) {
        noteDea(node, d.body().id());
      }
    }));
    subscriptions.add(bus.subscribe(Subjects.HM_SCALE_REQUESTS, Subjects.QUEUE_CC,
        ScaleRequest.class, d -> onRequest(d.body())));
    subscriptions.add(bus.subscribe(Subjects.DEA_HELLO, DeaHello.class, d -> {
      if (awaitingHellos > 0) {
        awaitingHellos--;
        long ms = clock.millis() - launchedAtMs;
        events.record("scaling.dea_joined", EventStore.SYSTEM, "DEA " + d.body().id()
            + " joined " + ms / 1000.0 + " s after the launch", Map.of("dea", d.body().id(),
            "platform", platform.name(), "seconds_since_launch", ms / 1000.0));
      }
    }));
  }

  public Future<Void> stop() {
    subscriptions.forEach(Subscription::close);
    subscriptions.clear();
    return platform.close();
  }

  public String platformName() {
    return platform.name();
  }

  private void onRequest(ScaleRequest request) {
    if (request.op() == ScaleRequest.Op.SCALEDOWN) {
      scaleDown(request);
      return;
    }
    scaleUp(request.count() == null ? 1 : request.count(), EventStore.SYSTEM,
        request.reason() == null ? "the health manager asked" : request.reason(),
        figures(request));
  }

  /**
   * Launches {@code count} DEAs (the health manager's request or the manual trigger); fails
   * when a launch is already running on this controller.
   */
  public Future<List<String>> scaleUp(int count, String actor, String reason,
      Map<String, Object> figures) {
    Map<String, Object> details = new LinkedHashMap<>(figures);
    details.put("count", count);
    details.put("platform", platform.name());
    if (launching) {
      events.record("scaling.skipped", actor, "a launch is already in progress; " + reason,
          details);
      return Future.failedFuture("a launch is already in progress");
    }
    launching = true;
    long started = clock.millis();
    events.record("scaling.requested", actor, "scale up by " + count + " on "
        + platform.name() + ": " + reason, details);
    // the nodes are recorded before the launch counts as done, so a scale-down on any
    // controller finds them; a failed write leaves them running but never removed by scaling
    return platform.launch(count).compose(ids -> nodes.launched(platform.name(), ids)
        .transform(recorded -> {
          if (recorded.failed()) {
            log.atError().setMessage("scaling.nodes.unrecorded").addKeyValue("nodes", ids)
                .addKeyValue("error", recorded.cause().getMessage()).log();
          } else {
            // DEAs that advertised before their launch was recorded
            advertisedNode.forEach((dea, node) -> {
              if (ids.contains(node)) {
                noteDea(node, dea);
              }
            });
          }
          return Future.succeededFuture(ids);
        })).andThen(result -> {
      launching = false;
      Map<String, Object> outcome = new LinkedHashMap<>(details);
      outcome.put("seconds", (clock.millis() - started) / 1000.0);
      if (registry != null) {
        registry.counter("updraft.scaling.actions", "platform", platform.name(), "result",
            result.succeeded() ? "launched" : "failed").increment();
      }
      if (result.succeeded()) {
        awaitingHellos += result.result().size();
        launchedAtMs = started;
        outcome.put("nodes", result.result());
        events.record("scaling.launched", actor, "launched " + result.result().size()
            + " DEA node(s) on " + platform.name(), outcome);
      } else {
        outcome.put("error", String.valueOf(result.cause().getMessage()));
        events.record("scaling.failed", actor, "launch on " + platform.name() + " failed: "
            + result.cause().getMessage(), outcome);
      }
    });
  }

  private void noteDea(String node, String dea) {
    nodes.deaAdvertised(node, dea).onFailure(e -> log.atWarn()
        .setMessage("scaling.nodes.dea_unrecorded").addKeyValue("node", node)
        .addKeyValue("dea", dea).addKeyValue("error", e.getMessage()).log());
  }

  private void scaleDown(ScaleRequest request) {
    Map<String, Object> details = figures(request);
    details.put("dea", request.deaId());
    details.put("platform", platform.name());
    if (drainer == null) {
      refuse(request, details, "this controller does not drain DEAs");
      return;
    }
    String deaId = request.deaId();
    nodes.live(advertisedNode.get(deaId), deaId).onComplete(found -> {
      if (found.failed()) {
        refuse(request, details, "the launched nodes could not be read: "
            + found.cause().getMessage());
        return;
      }
      ScalingNodeStore.Node node = found.result().orElse(null);
      String refusal = node == null ? "DEA " + deaId + " was not launched by the "
            + platform.name() + " scaling platform (static DEAs are never removed)"
          : !node.platform().equals(platform.name()) ? "DEA " + deaId + " runs on node "
            + node.nodeId() + " of the " + node.platform() + " platform, not this "
            + "controller's " + platform.name()
          : busy();
      if (refusal != null) {
        refuse(request, details, refusal);
        return;
      }
      // another controller may hold a drain of the same node (an earlier request)
      nodes.claimDrain(node.nodeId(), DRAIN_CLAIM_STALE).onComplete(claim -> {
        String why = claim.failed() ? "the node could not be claimed: "
              + claim.cause().getMessage()
            : !claim.result() ? "node " + node.nodeId() + " is being drained already"
            : busy();
        if (why != null) {
          if (claim.succeeded() && claim.result()) {
            nodes.releaseDrain(node.nodeId());
          }
          refuse(request, details, why);
          return;
        }
        drain(request, deaId, node.nodeId());
      });
    });
  }

  /** Why this controller cannot start a drain now, or null. */
  private String busy() {
    return drainer.draining() != null ? "DEA " + drainer.draining() + " is being drained"
        : launching ? "a launch is in progress" : null;
  }

  private void drain(ScaleRequest request, String deaId, String node) {
    String reason = request.reason() == null ? "the health manager asked" : request.reason();
    drainer.drain(deaId, node, EventStore.SYSTEM, reason).andThen(result -> {
      if (registry != null) {
        registry.counter("updraft.scaling.actions", "platform", platform.name(), "result",
            result.succeeded() ? "removed" : "drain_failed").increment();
      }
      Future<?> recorded;
      if (result.succeeded()) {
        advertisedNode.remove(deaId);
        recorded = nodes.removed(node);
      } else {
        recorded = nodes.releaseDrain(node);
      }
      recorded.onFailure(e -> log.atWarn().setMessage("scaling.nodes.unrecorded")
          .addKeyValue("node", node).addKeyValue("error", e.getMessage()).log());
    });
  }

  private void refuse(ScaleRequest request, Map<String, Object> details, String refusal) {
    events.record("scaling.refused", EventStore.SYSTEM, "scale-down refused: " + refusal,
        details);
    log.atInfo().setMessage("scaling.scaledown.refused").addKeyValue("dea", request.deaId())
        .addKeyValue("why", refusal).log();
  }

  private static Map<String, Object> figures(ScaleRequest r) {
    Map<String, Object> f = new LinkedHashMap<>();
    if (r.freeMemoryMb() != null) {
      f.put("free_memory_mb", r.freeMemoryMb());
    }
    if (r.totalMemoryMb() != null) {
      f.put("total_memory_mb", r.totalMemoryMb());
    }
    if (r.waitingInstances() != null) {
      f.put("waiting_instances", r.waitingInstances());
    }
    if (r.deas() != null) {
      f.put("deas", r.deas());
    }
    if (r.reason() != null) {
      f.put("reason", r.reason());
    }
    return f;
  }
}
