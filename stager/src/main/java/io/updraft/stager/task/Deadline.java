package io.updraft.stager.task;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/** The moment a staging task must be done by; every blocking step is bounded by it. */
public final class Deadline {

  private final Clock clock;
  private final Instant end;
  private final Duration limit;
  private volatile boolean cancelled;

  public Deadline(Clock clock, Duration limit) {
    this.clock = clock;
    this.limit = limit;
    this.end = clock.instant().plus(limit);
  }

  /** Time left, never negative. */
  public Duration remaining() {
    Duration left = Duration.between(clock.instant(), end);
    return left.isNegative() ? Duration.ZERO : left;
  }

  /** True once the time is up, or the task was {@link #cancel() cancelled}. */
  public boolean passed() {
    return cancelled || !clock.instant().isBefore(end);
  }

  /** Ends the task early (the stager is stopping): every bounded step stops as at the limit. */
  public void cancel() {
    cancelled = true;
  }

  public boolean cancelled() {
    return cancelled;
  }

  public Duration limit() {
    return limit;
  }

  /** Throws the timeout when the deadline has passed. */
  public void check() throws StagingException {
    if (cancelled) {
      throw new StagingException(CANCELLED);
    }
    if (passed()) {
      throw new StagingTimeoutException(limit);
    }
  }

  /** The error of a task cut short by a stager shutdown; the controller retries. */
  public static final String CANCELLED = "Staging was cancelled: the stager is stopping";
}
