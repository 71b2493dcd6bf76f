package io.updraft.healthmanager.analysis;

import io.updraft.healthmanager.HealthManagerConfig;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * When a crashed index may run again. The first {@code immediate_restarts} crashes restart at
 * once; later ones back off exponentially from {@code backoff_min_ms} to {@code backoff_max_ms};
 * at {@code flapping_crashes} crashes within the window the index is FLAPPING and waits
 * {@code flapping_delay_seconds}, doubling up to the maximum; after {@code giveup_crashes}
 * (when set) it is left down until the app changes. A crash after a quiet window starts the
 * count afresh. History is per app version, so a restart or push of the app starts clean.
 * Event-loop confined.
 */
public final class CrashPolicy {

  /** An index's crash record. */
  public static final class History {
    private int crashes;
    private long lastCrashMs;
    private long flappingSinceMs = -1;
    private long restartAtMs;
    private boolean gaveUp;

    public int crashes() {
      return crashes;
    }

    public boolean flapping() {
      return flappingSinceMs >= 0;
    }

    public long flappingSinceMs() {
      return flappingSinceMs;
    }

    /** The earliest time the index may be started again. */
    public long restartAtMs() {
      return restartAtMs;
    }

    public boolean gaveUp() {
      return gaveUp;
    }
  }

  private final HealthManagerConfig.Crash config;
  private final Map<IndexKey, History> histories = new HashMap<>();

  public CrashPolicy(HealthManagerConfig.Crash config) {
    this.config = config;
  }

  /** Records a crash; returns the index's updated history. */
  public History crashed(IndexKey key, long nowMs) {
    History h = histories.computeIfAbsent(key, k -> new History());
    if (h.crashes > 0 && nowMs - h.lastCrashMs > config.windowSeconds() * 1000L) {
      h.crashes = 0;
      h.flappingSinceMs = -1;
    }
    h.crashes++;
    h.lastCrashMs = nowMs;
    long delay;
    if (h.crashes <= config.immediateRestarts()) {
      delay = 0;
    } else if (h.crashes < config.flappingCrashes()) {
      delay = Math.min(config.backoffMaxMs(),
          config.backoffMinMs() << Math.min(30, h.crashes - config.immediateRestarts() - 1));
    } else {
      if (h.flappingSinceMs < 0) {
        h.flappingSinceMs = nowMs;
      }
      delay = Math.min(config.flappingMaxDelaySeconds() * 1000L,
          config.flappingDelaySeconds() * 1000L
              << Math.min(30, h.crashes - config.flappingCrashes()));
    }
    h.restartAtMs = nowMs + delay;
    h.gaveUp = config.giveupCrashes() > 0 && h.crashes > config.giveupCrashes();
    return h;
  }

  public History history(IndexKey key) {
    return histories.get(key);
  }

  /** May the index be started now (no pending back-off, not given up)? */
  public boolean mayStart(IndexKey key, long nowMs) {
    History h = histories.get(key);
    return h == null || (!h.gaveUp && h.restartAtMs <= nowMs);
  }

  /** Flapping indices of one app version. */
  public List<Map.Entry<IndexKey, History>> flapping(String app, String version) {
    return histories.entrySet().stream()
        .filter(e -> e.getKey().app().equals(app) && e.getKey().version().equals(version)
            && e.getValue().flapping())
        .toList();
  }

  /** Forgets histories quiet for two windows (and every version but the live one). */
  public void prune(long nowMs, java.util.function.Predicate<IndexKey> live) {
    long quiet = 2L * config.windowSeconds() * 1000L;
    for (Iterator<Map.Entry<IndexKey, History>> it = histories.entrySet().iterator();
        it.hasNext();) {
      Map.Entry<IndexKey, History> e = it.next();
      if (!live.test(e.getKey()) || nowMs - e.getValue().lastCrashMs > quiet) {
        it.remove();
      }
    }
  }

  public int size() {
    return histories.size();
  }
}
