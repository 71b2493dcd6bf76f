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
 *
 * <p>Measured use counts when enabled ({@code measured}): when for {@code breach_cycles}
 * samples the instances' resident memory, disk or CPU stays above its share of the pool's
 * capacity, the pool grows by the DEAs that bring it back under (booting DEAs counted with the
 * pool's average capacity per DEA).
 *
 * <p>Scale-down ({@link #decideScaleDown}, off by default) picks one DEA a platform launched
 * that reserved at most {@code low_water_mb} in every sample of the last {@code idle_seconds},
 * and only when nothing waits or boots, the pool stays at or above {@code min_deas}, and
 * without that DEA the free memory (now and projected) still covers the buffer and measured
 * use stays under its thresholds.
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

  /** A DEA to drain and remove (none when {@code deaId} is null), and why. */
  public record ScaleDownDecision(String deaId, String nodeId, String reason) {

    public boolean remove() {
      return deaId != null;
    }

    static ScaleDownDecision hold(String why) {
      return new ScaleDownDecision(null, null, why);
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
      boolean breached = true;
      for (int i = history.size() - cycles; i < history.size(); i++) {
        if (projected(history, i, s) >= s.bufferMb()) {
          breached = false;
          break;
        }
      }
      if (breached) {
        shortfall = s.bufferMb() - projected;
        why = "free memory projected at " + projected + " MB in " + s.horizonSeconds()
            + " s, below the " + s.bufferMb() + " MB buffer for " + cycles + " samples";
      } else {
        Decision measured = measuredBreach(history, cycles, s, projected);
        if (measured == null) {
          return new Decision(0, "free memory projected at " + projected
              + " MB, buffer " + s.bufferMb() + " MB" + measuredFigures(now, s), projected, 0);
        }
        int count = Math.min(measured.count(), Math.min(s.maxStep(), s.maxDeas() - size));
        return new Decision(count, measured.reason() + "; pool " + now.deas() + " DEAs (+"
            + now.bootingDeas() + " booting), " + now.freeMemoryMb() + " MB free", projected,
            measured.shortfallMb());
      }
    }
    int count = (int) Math.max(1, (shortfall + s.deaMemoryMb() - 1) / s.deaMemoryMb());
    count = Math.min(count, Math.min(s.maxStep(), s.maxDeas() - size));
    return new Decision(count, why + "; pool " + now.deas() + " DEAs (+" + now.bootingDeas()
        + " booting), " + now.freeMemoryMb() + " MB free", projected, shortfall);
  }

  /**
   * The DEAs a measured figure asks for when it was above its threshold in each of the last
   * {@code cycles} samples (the largest of the enabled ones), or null.
   */
  private static Decision measuredBreach(List<PoolSample> history, int cycles,
      AutoscaleSettings s, long projected) {
    AutoscaleSettings.Measured m = s.measured();
    int best = 0;
    String why = null;
    for (int dim = 0; dim < 3; dim++) {
      boolean on = dim == 0 ? m.memory() : dim == 1 ? m.disk() : m.cpu();
      if (!on) {
        continue;
      }
      int threshold = dim == 0 ? m.memoryPercent() : dim == 1 ? m.diskPercent()
          : m.cpuPercent();
      int needed = Integer.MAX_VALUE;
      for (int i = history.size() - cycles; i < history.size(); i++) {
        needed = Math.min(needed, deasFor(history.get(i), dim, threshold));
      }
      if (needed > best) {
        best = needed;
        PoolSample now = history.get(history.size() - 1);
        why = String.format(java.util.Locale.ROOT,
            "measured %s at %.0f%% of the pool, above %d%% for %d samples", DIMENSIONS[dim],
            percent(now, dim), threshold, cycles);
      }
    }
    return best == 0 ? null : new Decision(best, why, projected, 0);
  }

  private static final String[] DIMENSIONS = {"memory", "disk", "CPU"};

  /** Use of dimension {@code dim} as a percentage of the capacity that reports it. */
  static double percent(PoolSample p, int dim) {
    PoolSample.MeasuredUse u = p.use();
    double used = dim == 0 ? u.memoryMb() : dim == 1 ? u.diskMb() : u.cpuPercent();
    double capacity = dim == 0 ? u.maxMemoryMb() : dim == 1 ? u.diskTotalMb()
        : u.cores() * 100.0;
    return capacity <= 0 ? 0 : used * 100.0 / capacity;
  }

  /**
   * DEAs to add so that dimension {@code dim} is back under {@code threshold} percent, each
   * new (and booting) DEA bringing the pool's average capacity per reporting DEA; 0 when it is
   * under already or nothing reports it.
   */
  static int deasFor(PoolSample p, int dim, int threshold) {
    PoolSample.MeasuredUse u = p.use();
    double used = dim == 0 ? u.memoryMb() : dim == 1 ? u.diskMb() : u.cpuPercent();
    double capacity = dim == 0 ? u.maxMemoryMb() : dim == 1 ? u.diskTotalMb()
        : u.cores() * 100.0;
    if (capacity <= 0 || p.deas() == 0) {
      return 0;
    }
    double perDea = capacity / p.deas();
    capacity += p.bootingDeas() * perDea;
    double limit = threshold / 100.0;
    if (used <= capacity * limit) {
      return 0;
    }
    return (int) Math.ceil((used / limit - capacity) / perDea);
  }

  private static String measuredFigures(PoolSample p, AutoscaleSettings s) {
    AutoscaleSettings.Measured m = s.measured();
    StringBuilder b = new StringBuilder();
    for (int dim = 0; dim < 3; dim++) {
      if (dim == 0 ? m.memory() : dim == 1 ? m.disk() : m.cpu()) {
        b.append(String.format(java.util.Locale.ROOT, ", measured %s %.0f%%", DIMENSIONS[dim],
            percent(p, dim)));
      }
    }
    return b.toString();
  }

  /**
   * Whether to drain and remove one idle DEA, and which: see the class comment. Pure, like
   * {@link #decide}; called only when {@link #decide} adds nothing.
   */
  public static ScaleDownDecision decideScaleDown(List<PoolSample> history,
      AutoscaleSettings s, long lastActionMs, boolean inFlight, long nowMs) {
    AutoscaleSettings.ScaleDown d = s.scaleDown();
    if (!d.enabled()) {
      return ScaleDownDecision.hold("scale-down is off");
    }
    if (history.isEmpty()) {
      return ScaleDownDecision.hold("no pool samples yet");
    }
    PoolSample now = history.get(history.size() - 1);
    if (inFlight) {
      return ScaleDownDecision.hold("a scaling action is in flight");
    }
    if (lastActionMs > 0 && nowMs - lastActionMs < s.cooldownSeconds() * 1000L) {
      return ScaleDownDecision.hold("cooldown");
    }
    if (now.waitingInstances() > 0 || now.bootingDeas() > 0) {
      return ScaleDownDecision.hold("instances waiting or DEAs booting");
    }
    if (now.deas() - 1 < s.minDeas()) {
      return ScaleDownDecision.hold("pool at its minimum of " + s.minDeas() + " DEAs");
    }
    long windowStart = nowMs - d.idleSeconds() * 1000L;
    if (history.get(0).atMs() > windowStart) {
      return ScaleDownDecision.hold("fewer than " + d.idleSeconds() + " s of samples");
    }
    List<PoolSample> window = history.stream().filter(p -> p.atMs() >= windowStart).toList();
    PoolSample.DeaSample chosen = null;
    for (PoolSample.DeaSample candidate : now.pool()) {
      if (!candidate.removable() || candidate.reservedMb() > d.lowWaterMb()) {
        continue;
      }
      boolean idleThroughout = window.stream().allMatch(p -> p.pool().stream().anyMatch(x ->
          x.id().equals(candidate.id()) && x.reservedMb() <= d.lowWaterMb()));
      if (idleThroughout && (chosen == null || candidate.reservedMb() < chosen.reservedMb()
          || candidate.reservedMb() == chosen.reservedMb()
          && candidate.id().compareTo(chosen.id()) < 0)) {
        chosen = candidate;
      }
    }
    if (chosen == null) {
      return ScaleDownDecision.hold("no DEA launched from the template idle for "
          + d.idleSeconds() + " s");
    }
    long capacity = chosen.freeMb() + chosen.reservedMb();
    long freeAfter = now.freeMemoryMb() - capacity;
    long projectedAfter = projected(history, history.size() - 1, s) - capacity;
    if (Math.min(freeAfter, projectedAfter) < s.bufferMb()) {
      return ScaleDownDecision.hold("without DEA " + chosen.id() + " free memory would be "
          + Math.min(freeAfter, projectedAfter) + " MB, below the " + s.bufferMb()
          + " MB buffer");
    }
    PoolSample without = withoutOneDea(now, capacity);
    AutoscaleSettings.Measured m = s.measured();
    for (int dim = 0; dim < 3; dim++) {
      int threshold = dim == 0 ? m.memoryPercent() : dim == 1 ? m.diskPercent()
          : m.cpuPercent();
      if ((dim == 0 ? m.memory() : dim == 1 ? m.disk() : m.cpu())
          && percent(without, dim) > threshold) {
        return ScaleDownDecision.hold(String.format(java.util.Locale.ROOT,
            "without DEA %s measured %s would be %.0f%%, above %d%%", chosen.id(),
            DIMENSIONS[dim], percent(without, dim), threshold));
      }
    }
    return new ScaleDownDecision(chosen.id(), chosen.nodeId(), "DEA " + chosen.id()
        + " reserved at most " + d.lowWaterMb() + " MB for " + d.idleSeconds()
        + " s; pool " + now.deas() + " DEAs, " + now.freeMemoryMb() + " MB free, "
        + freeAfter + " MB without it (buffer " + s.bufferMb() + " MB)");
  }

  /** The pool's measured capacity less one average DEA (its memory given as {@code mb}). */
  private static PoolSample withoutOneDea(PoolSample p, long mb) {
    PoolSample.MeasuredUse u = p.use();
    int deas = Math.max(1, p.deas());
    PoolSample.MeasuredUse less = new PoolSample.MeasuredUse(u.memoryMb(),
        Math.max(0, u.maxMemoryMb() - mb), u.diskMb(), u.diskTotalMb() - u.diskTotalMb() / deas,
        u.cpuPercent(), u.cores() - u.cores() / deas);
    return new PoolSample(p.atMs(), p.freeMemoryMb() - mb, p.deas() - 1, 0, 0, 0, less,
        p.pool());
  }

  /**
   * Free memory at sample {@code i} (booting DEAs included), projected along the least-squares
   * trend of the samples in the window before it; a rising trend is not projected (growth is
   * never planned on hoped-for releases). Only samples of the same pool size (live plus
   * booting DEAs) count: a DEA removed or lost is a step, not a trend to project.
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
      if (p.atMs() < from || p.deas() + p.bootingDeas() != at.deas() + at.bootingDeas()) {
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
