package io.updraft.controller.scaling;

import io.updraft.common.bus.Bus;
import io.updraft.common.bus.Subscription;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.dea.DeaHello;
import io.updraft.common.protocol.health.ScaleRequest;
import io.updraft.controller.events.EventStore;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Acts on the health manager's {@code cloudcontrollers.hm.scalerequests} (queue group
 * {@code cc}: exactly one controller acts on each, PROTOCOL.md decision 4) and on the manual
 * trigger, through the configured {@link ScalingPlatform}. One launch at a time per
 * controller; every request, launch, failure and joining DEA is recorded in the events log
 * with its figures, including how long the new DEAs took to say hello. Event-loop confined.
 */
public final class Scaler {

  private final Bus bus;
  private final ScalingPlatform platform;
  private final EventStore events;
  private final Clock clock;
  private final List<Subscription> subscriptions = new ArrayList<>();
  private io.micrometer.core.instrument.MeterRegistry registry;
  private boolean launching;
  /** DEAs launched and not yet heard from, with the launch time. */
  private int awaitingHellos;
  private long launchedAtMs;

  public Scaler(Bus bus, ScalingPlatform platform, EventStore events, Clock clock) {
    this.bus = bus;
    this.platform = platform;
    this.events = events;
    this.clock = clock;
  }

  /** Counts scaling actions by platform and result on {@code /metrics}. */
  public Scaler instrument(io.micrometer.core.instrument.MeterRegistry meters) {
    this.registry = meters;
    return this;
  }

  public void start() {
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
      events.record("scaling.refused", EventStore.SYSTEM, "scale-down of " + request.deaId()
          + " asked; draining DEAs is not supported yet", figures(request));
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
    return platform.launch(count).andThen(result -> {
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
