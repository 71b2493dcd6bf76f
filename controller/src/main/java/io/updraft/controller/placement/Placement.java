package io.updraft.controller.placement;

import io.updraft.common.protocol.dea.DeaAdvertise;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Chooses the DEA for one instance from fresh advertisements. Pure: the same inputs always
 * give the same choice, so it is tested on its own.
 *
 * <p>A DEA qualifies when it has the memory, runs the runtime (no runtime: any DEA) and, if it
 * is a prod DEA, the app is prod. Among those, spread first (fewest instances of this app),
 * then the most free memory, then the id (a stable tie-break).
 */
public final class Placement {

  /** What one instance needs. */
  public record Need(int memoryMb, String runtime, boolean prod) {
  }

  private Placement() {
  }

  /**
   * @param instancesOnDea instances of this app already on (or just sent to) each DEA
   */
  public static Optional<DeaAdvertise> choose(List<DeaAdvertise> adverts, Need need,
      Map<String, Integer> instancesOnDea) {
    return adverts.stream()
        .filter(a -> a.availableMemoryMb() >= need.memoryMb())
        .filter(a -> need.runtime() == null || a.runtimes().isEmpty()
            || a.runtimes().contains(need.runtime()))
        .filter(a -> !Boolean.TRUE.equals(a.prod()) || need.prod())
        .min(Comparator.<DeaAdvertise>comparingInt(a -> instancesOnDea.getOrDefault(a.id(), 0))
            .thenComparing(Comparator.comparingLong(DeaAdvertise::availableMemoryMb).reversed())
            .thenComparing(DeaAdvertise::id));
  }
}
