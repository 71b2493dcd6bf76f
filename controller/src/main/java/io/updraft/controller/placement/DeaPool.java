package io.updraft.controller.placement;

import io.updraft.common.protocol.dea.DeaAdvertise;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The DEAs that advertised room recently (PROTOCOL.md 3.3): an advertisement older than the
 * expiry is ignored, because a DEA that is full or gone stops advertising. Memory booked by a
 * placement is subtracted from the DEA's advertised room for {@link #RESERVATION_HOLD} after
 * the placement, even across new advertisements: an advert may have left the DEA before the
 * start reached it, and trusting it would send the DEA starts it must refuse (v1 over-committed
 * this way). Being conservative for two seconds costs at most a short wait. A DEA being drained
 * for a scale-down gets nothing, whatever it advertises, until the drain ends or
 * {@link #DRAIN_HOLD} passes (a drained DEA is removed well before). Event-loop confined.
 */
public final class DeaPool {

  public static final Duration DEFAULT_EXPIRY = Duration.ofSeconds(10);
  /** How long a placement's memory stays booked against a DEA's adverts. */
  public static final Duration RESERVATION_HOLD = Duration.ofSeconds(2);

  /** How long a draining mark lasts at most. */
  public static final Duration DRAIN_HOLD = Duration.ofMinutes(30);

  private record Entry(DeaAdvertise advert, Instant received) {
  }

  private record Reservation(long memoryMb, Instant at) {
  }

  private final Clock clock;
  private final Duration expiry;
  private final Map<String, Entry> deas = new LinkedHashMap<>();
  private final Map<String, List<Reservation>> reservations = new HashMap<>();
  private final Map<String, Instant> draining = new HashMap<>();

  public DeaPool(Clock clock, Duration expiry) {
    this.clock = clock;
    this.expiry = expiry;
  }

  public void advertised(DeaAdvertise advert) {
    deas.put(advert.id(), new Entry(advert, clock.instant()));
  }

  /** Fresh advertisements, less the memory booked on each recently; old entries dropped. */
  public List<DeaAdvertise> fresh() {
    Instant now = clock.instant();
    Instant cutoff = now.minus(expiry);
    deas.values().removeIf(e -> e.received().isBefore(cutoff));
    Instant held = now.minus(RESERVATION_HOLD);
    reservations.values().forEach(list -> list.removeIf(r -> r.at().isBefore(held)));
    reservations.values().removeIf(List::isEmpty);
    draining.values().removeIf(at -> at.isBefore(now.minus(DRAIN_HOLD)));
    List<DeaAdvertise> out = new ArrayList<>();
    for (Entry e : deas.values()) {
      DeaAdvertise a = e.advert();
      if (draining.containsKey(a.id())) {
        continue;
      }
      long booked = reservations.getOrDefault(a.id(), List.of()).stream()
          .mapToLong(Reservation::memoryMb).sum();
      out.add(booked == 0 ? a : a.withAvailableMemory(a.availableMemoryMb() - booked));
    }
    return out;
  }

  /** An advertisement and when it arrived, for the operators' view of the pool. */
  public record Seen(DeaAdvertise advert, Instant at) {
  }

  /** The unexpired advertisements as received, without reservations (read-only). */
  public List<Seen> seen() {
    Instant cutoff = clock.instant().minus(expiry);
    return deas.values().stream().filter(e -> !e.received().isBefore(cutoff))
        .map(e -> new Seen(e.advert(), e.received())).toList();
  }

  /** Books memory on a DEA for {@link #RESERVATION_HOLD}. */
  public void reserve(String deaId, int memoryMb) {
    if (deas.containsKey(deaId)) {
      reservations.computeIfAbsent(deaId, k -> new ArrayList<>())
          .add(new Reservation(memoryMb, clock.instant()));
    }
  }

  /** Marks a DEA as draining (nothing is placed on it) or ends the mark. */
  public void draining(String deaId, boolean on) {
    if (on) {
      draining.put(deaId, clock.instant());
    } else {
      draining.remove(deaId);
    }
  }

  public boolean isDraining(String deaId) {
    return draining.containsKey(deaId);
  }

  public void forget(String deaId) {
    deas.remove(deaId);
    reservations.remove(deaId);
  }
}
