package io.updraft.controller.health;

import io.updraft.common.bus.Bus;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.health.CrashesStatusReply;
import io.updraft.common.protocol.health.FlappingStatusReply;
import io.updraft.common.protocol.health.HealthReply;
import io.updraft.common.protocol.health.HealthRequest;
import io.updraft.common.protocol.health.HealthStatusRequest;
import io.updraft.controller.apps.App;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The controller's questions to the health manager (PROTOCOL.md 5.1): RUNNING counts for app
 * listings, FLAPPING indices for instance listings, recent crashes. A health manager that does
 * not answer (none runs, or it does not know the app yet) yields no figure, never an error.
 */
public final class HealthQueries {

  private static final Duration STATUS_TIMEOUT = Duration.ofMillis(700);
  private static final Duration HEALTH_WINDOW = Duration.ofMillis(500);

  private final Bus bus;

  public HealthQueries(Bus bus) {
    this.bus = bus;
  }

  /** RUNNING instances of each started app's current version, by app id; absent if unknown. */
  public Future<Map<Long, Integer>> healthy(List<App> apps) {
    List<HealthRequest.AppVersion> asked = apps.stream().filter(App::started)
        .map(a -> new HealthRequest.AppVersion(String.valueOf(a.id()), a.version())).toList();
    if (asked.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    if (asked.size() == 1) {
      // a request fails at once when no health manager listens, where a gather waits
      return bus.request(Subjects.HM_HEALTH, new HealthRequest(asked), HealthReply.class,
          HEALTH_WINDOW).map(r -> Map.of(Long.parseLong(r.droplet()), r.healthy()))
          .otherwise(Map.of());
    }
    return bus.gather(Subjects.HM_HEALTH, new HealthRequest(asked), HealthReply.class,
        HEALTH_WINDOW, asked.size()).map(replies -> {
          Map<Long, Integer> out = new HashMap<>();
          for (HealthReply r : replies) {
            try {
              out.put(Long.parseLong(r.droplet()), r.healthy());
            } catch (NumberFormatException ignored) {
              // not one of ours
            }
          }
          return out;
        }).otherwise(Map.of());
  }

  /** Flapping indices of the app's current version. */
  public Future<List<FlappingStatusReply.FlappingIndex>> flapping(App app) {
    return bus.request(Subjects.HM_STATUS,
        HealthStatusRequest.flapping(String.valueOf(app.id()), app.version()),
        FlappingStatusReply.class, STATUS_TIMEOUT)
        .map(FlappingStatusReply::indices).otherwise(List.of());
  }

  /** The app's recent crashes. */
  public Future<List<CrashesStatusReply.Crash>> crashes(App app) {
    return bus.request(Subjects.HM_STATUS,
        HealthStatusRequest.crashes(String.valueOf(app.id())),
        CrashesStatusReply.class, STATUS_TIMEOUT)
        .map(CrashesStatusReply::instances).otherwise(List.of());
  }
}
