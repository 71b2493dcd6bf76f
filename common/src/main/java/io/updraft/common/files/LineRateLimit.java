package io.updraft.common.files;

/**
 * A token bucket of lines: {@code perSecond} lines a second on average, bursts of up to one
 * second's worth. Keeps a chatty app from flooding NATS; what it refuses is counted by the
 * caller and reported as one marker line. Time is passed in (milliseconds), so tests need no
 * clock. Not thread-safe (event-loop confined).
 */
public final class LineRateLimit {

  private final int perSecond;
  private double tokens;
  private long lastMs = Long.MIN_VALUE;

  public LineRateLimit(int perSecond) {
    if (perSecond < 1) {
      throw new IllegalArgumentException("lines per second must be at least 1");
    }
    this.perSecond = perSecond;
    this.tokens = perSecond;
  }

  public int perSecond() {
    return perSecond;
  }

  /** Takes one line's token if there is one. */
  public boolean tryTake(long nowMs) {
    if (lastMs != Long.MIN_VALUE && nowMs > lastMs) {
      tokens = Math.min(perSecond, tokens + (nowMs - lastMs) * perSecond / 1000.0);
    }
    lastMs = Math.max(lastMs, nowMs);
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
