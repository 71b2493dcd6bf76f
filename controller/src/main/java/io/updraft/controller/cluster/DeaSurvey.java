package io.updraft.controller.cluster;

import io.updraft.common.bus.Bus;
import io.updraft.common.protocol.Empty;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.dea.DeaStatusReply;
import io.updraft.controller.placement.DeaPool;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The DEA pool as operators see it: every DEA's answer to {@code dea.status} (memory it may hand
 * out, memory reserved, instances held) joined with when placement last heard its
 * {@code dea.advertise}. Asking costs one bus round of {@link #WINDOW}; callers are the API and
 * the history sampler, never placement.
 */
public final class DeaSurvey {

  /** How long DEAs get to answer; they answer at once, the window covers a loaded bus. */
  static final Duration WINDOW = Duration.ofMillis(800);
  /** More DEAs than any one cloud of this kind runs; a bound, not an expectation. */
  private static final int MAX_DEAS = 10_000;

  /** One DEA; {@code lastAdvertised} null when it has not advertised room recently. */
  public record Dea(String id, String host, long memoryTotalMb, long memoryReservedMb,
      long memoryFreeMb, double memoryUsedMb, int instances, String state,
      Instant lastAdvertised) {
  }

  private final Bus bus;
  private final DeaPool pool;

  public DeaSurvey(Bus bus, DeaPool pool) {
    this.bus = bus;
    this.pool = pool;
  }

  /** Every DEA that answers within {@link #WINDOW}, by host then id. */
  public Future<List<Dea>> deas() {
    return deas(WINDOW);
  }

  /** Every DEA that answers within {@code window}, by host then id. */
  public Future<List<Dea>> deas(Duration window) {
    return bus.gather(Subjects.DEA_STATUS, Empty.INSTANCE, DeaStatusReply.class, window, MAX_DEAS)
        .map(replies -> {
          Map<String, Instant> advertised = new HashMap<>();
          pool.seen().forEach(s -> advertised.put(s.advert().id(), s.at()));
          List<Dea> out = new ArrayList<>();
          for (DeaStatusReply r : replies) {
            long total = r.maxMemoryMb() == null ? 0 : r.maxMemoryMb();
            long reserved = r.reservedMemoryMb() == null ? 0 : r.reservedMemoryMb();
            out.add(new Dea(r.id(), r.ip() == null ? null : r.ip() + (r.port() == null ? ""
                : ":" + r.port()), total, reserved, Math.max(0, total - reserved),
                r.usedMemoryMb() == null ? 0 : r.usedMemoryMb(),
                r.numClients() == null ? 0 : r.numClients(),
                r.state() == null ? "RUNNING" : r.state().name(), advertised.get(r.id())));
          }
          out.sort(Comparator.comparing((Dea d) -> d.host() == null ? "" : d.host())
              .thenComparing(Dea::id));
          return out;
        });
  }
}
