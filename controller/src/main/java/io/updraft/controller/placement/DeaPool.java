package io.updraft.controller.placement;

import io.updraft.common.protocol.dea.DeaAdvertise;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The DEAs that advertised room recently (PROTOCOL.md 3.3): an advertisement older than the
 * expiry is ignored, because a DEA that is full or gone stops advertising. After a placement the
 * chosen DEA's free memory is lowered locally until its next advertisement, so a burst of starts
 * does not over-commit one DEA (v1 did). Event-loop confined.
 */
public final class DeaPool {

  public static final Duration DEFAULT_EXPIRY = Duration.ofSeconds(10);

  private record Entry(DeaAdvertise advert, Instant received) {
  }

  private final Clock clock;
  private final Duration expiry;
  private final Map<String, Entry> deas = new LinkedHashMap<>();

  public DeaPool(Clock clock, Duration expiry) {
    this.clock = clock;
    this.expiry = expiry;
  }

  public void advertised(DeaAdvertise advert) {
    deas.put(advert.id(), new Entry(advert, clock.instant()));
  }

  /** Fresh advertisements, oldest entries dropped. */
  public List<DeaAdvertise> fresh() {
    Instant cutoff = clock.instant().minus(expiry);
    deas.values().removeIf(e -> e.received().isBefore(cutoff));
    List<DeaAdvertise> out = new ArrayList<>();
    deas.values().forEach(e -> out.add(e.advert()));
    return out;
  }

  /** Books memory on a DEA until it advertises again. */
  public void reserve(String deaId, int memoryMb) {
    Entry e = deas.get(deaId);
    if (e != null) {
      DeaAdvertise a = e.advert();
      deas.put(deaId, new Entry(new DeaAdvertise(a.id(), a.availableMemoryMb() - memoryMb,
          a.runtimes(), a.prod()), e.received()));
    }
  }

  public void forget(String deaId) {
    deas.remove(deaId);
  }
}
