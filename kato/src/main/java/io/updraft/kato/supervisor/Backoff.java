package io.updraft.kato.supervisor;

import java.time.Duration;

/**
 * Delay before restarting a process that died: {@code initial}, doubling per consecutive
 * failure up to {@code max}; a process that stayed up for {@code resetAfter} starts over.
 */
public record Backoff(Duration initial, Duration max, Duration resetAfter) {

  public static Backoff standard() {
    return new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(60));
  }

  /** Delay after the {@code failures}-th consecutive failure (1-based). */
  public Duration delay(int failures) {
    long ms = initial.toMillis();
    for (int i = 1; i < failures && ms < max.toMillis(); i++) {
      ms *= 2;
    }
    return Duration.ofMillis(Math.min(ms, max.toMillis()));
  }
}
