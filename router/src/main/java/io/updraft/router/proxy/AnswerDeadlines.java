package io.updraft.router.proxy;

/**
 * The backend answers one event loop's exchanges are waiting for, oldest first. A periodic
 * check times out those past their deadline. Every exchange waits the same timeout, so
 * appending keeps the list in deadline order and the check looks only at its head. This
 * replaces a timer per request, whose scheduling and cancelling cost the router a few
 * percent of its CPU. Confined to its event loop: no locks.
 */
final class AnswerDeadlines {

  /** One exchange waiting for its answer. */
  static final class Waiting {
    private final long deadlineNanos;
    private final Runnable onTimeout;
    private Waiting previous;
    private Waiting next;
    private boolean listed = true;

    private Waiting(long deadlineNanos, Runnable onTimeout) {
      this.deadlineNanos = deadlineNanos;
      this.onTimeout = onTimeout;
    }
  }

  private final long timeoutNanos;
  private Waiting oldest;
  private Waiting newest;

  AnswerDeadlines(long timeoutMs) {
    this.timeoutNanos = timeoutMs * 1_000_000L;
  }

  /**
   * How often to check: a tenth of the timeout, between 10 and 250 ms. A timeout fires that
   * much late at most, never early.
   */
  static long checkIntervalMs(long timeoutMs) {
    return Math.max(10, Math.min(250, timeoutMs / 10));
  }

  /** Starts waiting; {@code onTimeout} runs if {@link #remove} is not called in time. */
  Waiting add(long nowNanos, Runnable onTimeout) {
    Waiting w = new Waiting(nowNanos + timeoutNanos, onTimeout);
    w.previous = newest;
    if (newest == null) {
      oldest = w;
    } else {
      newest.next = w;
    }
    newest = w;
    return w;
  }

  /** The answer came (or the exchange ended): no timeout. Idempotent. */
  void remove(Waiting w) {
    if (!w.listed) {
      return;
    }
    w.listed = false;
    if (w.previous == null) {
      oldest = w.next;
    } else {
      w.previous.next = w.next;
    }
    if (w.next == null) {
      newest = w.previous;
    } else {
      w.next.previous = w.previous;
    }
    w.previous = null;
    w.next = null;
  }

  /** Times out every exchange past its deadline; returns how many. */
  int expire(long nowNanos) {
    int expired = 0;
    while (oldest != null && oldest.deadlineNanos - nowNanos <= 0) {
      Waiting w = oldest;
      remove(w);
      expired++;
      w.onTimeout.run();
    }
    return expired;
  }

  /** How many exchanges are waiting (for tests and figures). */
  int size() {
    int n = 0;
    for (Waiting w = oldest; w != null; w = w.next) {
      n++;
    }
    return n;
  }
}
