package io.updraft.healthmanager.scaling;

import java.util.List;

/**
 * When to grow the DEA pool, and by how much: a pure function of the pool's recent samples,
 * the settings and the clock, so it is tested on recorded histories.
 *
 * <p>DEAs still booting count as capacity. The pool grows when instances are waiting for room
 * (at once: they are already failing), when it is below the minimum size, or when for
 * {@code breach_cycles} samples in a row the free memory, projected {@code horizon_seconds}
 * ahead along the trend fitted to the last {@code trend_window_seconds}, falls below the
 * buffer. N covers the shortfall in whole DEAs of {@code dea_memory_mb}, at most
 * {@code max_step}, never past {@code max_deas}. Nothing happens while an action is in flight
 * or during the cooldown after one.
 */
public final class ScalingPolicy {

  /**
   * The outcome: {@code count} DEAs to add (0: none) and why, with the numbers behind it.
   *
   * @param projectedFreeMb free memory projected at the horizon (with booting DEAs)
   */
  public record Decision(int count, String reason, long projectedFreeMb, long shortfallMb) {

    public boolean scaleUp() {
      return count > 0;
    }
  }

  private ScalingPolicy() {
  }

  public static Decision decide(List<PoolSample> history, AutoscaleSettings s,
      long lastActionMs, boolean inFlight, long nowMs) {
    if (history.isEmpty()) {
      return new Decision(0, "no pool samples yet", 0, 0);
    }
    PoolSample now = history.get(history.size() - 1);
    long projected = projected(history, history.size() - 1, s);
    int size = now.deas() + now.bootingDeas();
    if (inFlight) {
      return new Decision(0, "a scaling action is in flight", projected, 0);
    }
    if (lastActionMs > 0 && nowMs - lastActionMs < s.cooldownSeconds() * 1000L) {
      return new Decision(0, "cooldown: " + (s.cooldownSeconds() * 1000L - (nowMs
          - lastActionMs)) / 1000 + " s left", projected, 0);
    }
    if (size >= s.maxDeas()) {
      return new Decision(0, "pool at its maximum of " + s.maxDeas() + " DEAs", projected, 0);
    }
    long shortfall;
    String why;
    if (size < s.minDeas()) {
      shortfall = (s.minDeas() - size) * s.deaMemoryMb();
      why = "pool below its minimum of " + s.minDeas() + " DEAs";
    } else if (now.waitingInstances() > 0) {
      long free = now.freeMemoryMb() + now.bootingDeas() * s.deaMemoryMb();
      // waiting instances found no DEA with room: whatever is free is too fragmented for them
      shortfall = Math.max(now.waitingMemoryMb(), now.waitingMemoryMb() + s.bufferMb() - free);
      why = now.waitingInstances() + " instances waiting for " + now.waitingMemoryMb()
          + " MB";
    } else {
      int cycles = Math.min(s.breachCycles(), history.size());
      if (cycles < s.breachCycles()) {
        return new Decision(0, "not enough samples", projected, 0);
      }
      for (int i = history.size() - cycles; i < history.size(); i++) {
        if (projected(history, i, s) >= s.bufferMb()) {
          return new Decision(0, "free memory projected at " + projected
              + " MB, buffer " + s.bufferMb() + " MB", projected, 0);
        }
      }
      shortfall = s.bufferMb() - projected;
      why = "free memory projected at " + projected + " MB in " + s.horizonSeconds()
          + " s, below the " + s.bufferMb() + " MB buffer for " + cycles + " samples";
    }
    int count = (int) Math.max(1, (shortfall + s.deaMemoryMb() - 1) / s.deaMemoryMb());
    count = Math.min(count, Math.min(s.maxStep(), s.maxDeas() - size));
    return new Decision(count, why + "; pool " + now.deas() + " DEAs (+" + now.bootingDeas()
        + " booting), " + now.freeMemoryMb() + " MB free", projected, shortfall);
  }

  /**
   * Free memory at sample {@code i} (booting DEAs included), projected along the least-squares
   * trend of the samples in the window before it; a rising trend is not projected (growth is
   * never planned on hoped-for releases).
   */
  static long projected(List<PoolSample> history, int i, AutoscaleSettings s) {
    PoolSample at = history.get(i);
    long free = at.freeMemoryMb() + at.bootingDeas() * s.deaMemoryMb();
    long from = at.atMs() - s.trendWindowSeconds() * 1000L;
    double n = 0;
    double sumT = 0;
    double sumF = 0;
    double sumTT = 0;
    double sumTF = 0;
    for (int j = 0; j <= i; j++) {
      PoolSample p = history.get(j);
      if (p.atMs() < from) {
        continue;
      }
      double t = (p.atMs() - at.atMs()) / 1000.0;
      double f = p.freeMemoryMb() + p.bootingDeas() * (double) s.deaMemoryMb();
      n++;
      sumT += t;
      sumF += f;
      sumTT += t * t;
      sumTF += t * f;
    }
    double denominator = n * sumTT - sumT * sumT;
    if (n < 2 || denominator == 0) {
      return free;
    }
    double slope = (n * sumTF - sumT * sumF) / denominator;
    return slope >= 0 ? free : Math.round(free + slope * s.horizonSeconds());
  }
}
