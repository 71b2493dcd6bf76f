package io.updraft.controller.placement;

import static org.assertj.core.api.Assertions.assertThat;

import io.updraft.common.protocol.dea.DeaAdvertise;
import io.updraft.common.testing.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlacementTest {

  private static DeaAdvertise dea(String id, long free, String... runtimes) {
    return new DeaAdvertise(id, free, List.of(runtimes), false);
  }

  private static final Placement.Need JAVA_256 = new Placement.Need(256, "java", false);

  @Test
  void picksTheDeaWithFewestInstancesOfTheAppThenMostMemory() {
    List<DeaAdvertise> adverts = List.of(dea("a", 4096, "java"), dea("b", 1024, "java"),
        dea("c", 2048, "java"));
    assertThat(Placement.choose(adverts, JAVA_256, Map.of())).get()
        .extracting(DeaAdvertise::id).isEqualTo("a");
    assertThat(Placement.choose(adverts, JAVA_256, Map.of("a", 1))).get()
        .extracting(DeaAdvertise::id).isEqualTo("c");
    assertThat(Placement.choose(adverts, JAVA_256, Map.of("a", 1, "c", 1, "b", 1))).get()
        .extracting(DeaAdvertise::id).isEqualTo("a");
  }

  @Test
  void skipsDeasWithoutRoomRuntimeOrForProdOnly() {
    List<DeaAdvertise> adverts = List.of(dea("small", 128, "java"), dea("node", 4096, "node"),
        new DeaAdvertise("prod", 8192L, List.of("java"), true));
    assertThat(Placement.choose(adverts, JAVA_256, Map.of())).isEmpty();
    assertThat(Placement.choose(adverts, new Placement.Need(256, "java", true), Map.of()))
        .get().extracting(DeaAdvertise::id).isEqualTo("prod");
    assertThat(Placement.choose(adverts, new Placement.Need(64, null, false), Map.of()))
        .get().extracting(DeaAdvertise::id).isEqualTo("node");
  }

  @Test
  void poolExpiresSilentDeasAndBooksMemoryBetweenAdverts() {
    MutableClock clock = MutableClock.at("2026-01-01T00:00:00Z");
    DeaPool pool = new DeaPool(clock, Duration.ofSeconds(10));
    pool.advertised(dea("a", 1024, "java"));
    pool.reserve("a", 768);
    assertThat(pool.fresh()).singleElement().extracting(DeaAdvertise::availableMemoryMb)
        .isEqualTo(256L);
    clock.advance(Duration.ofSeconds(11));
    assertThat(pool.fresh()).isEmpty();
  }

  @Test
  void anAdvertSentBeforeAStartArrivedDoesNotUndoTheBooking() {
    MutableClock clock = MutableClock.at("2026-01-01T00:00:00Z");
    DeaPool pool = new DeaPool(clock, Duration.ofSeconds(10));
    pool.advertised(dea("a", 512, "java"));
    pool.reserve("a", 384);
    clock.advance(Duration.ofMillis(10));
    // this advert left the DEA before the start reached it
    pool.advertised(dea("a", 512, "java"));
    assertThat(pool.fresh()).singleElement().extracting(DeaAdvertise::availableMemoryMb)
        .isEqualTo(128L);
    // the DEA has long since booked it itself
    clock.advance(DeaPool.RESERVATION_HOLD);
    pool.advertised(dea("a", 128, "java"));
    assertThat(pool.fresh()).singleElement().extracting(DeaAdvertise::availableMemoryMb)
        .isEqualTo(128L);
  }
}
