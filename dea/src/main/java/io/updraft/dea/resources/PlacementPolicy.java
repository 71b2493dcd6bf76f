package io.updraft.dea.resources;

import java.time.Duration;
import java.util.List;

/**
 * Whether this DEA may take an app, and how long it waits before answering
 * {@code dea.discover} so that less loaded DEAs win the race (PROTOCOL.md 3.4). Pure.
 */
public final class PlacementPolicy {

  /** The longest taint, as in v1. */
  public static final Duration MAX_TAINT = Duration.ofMillis(250);

  private final List<String> runtimes;
  private final boolean prod;

  /** {@code runtimes} empty means any runtime. */
  public PlacementPolicy(List<String> runtimes, boolean prod) {
    this.runtimes = List.copyOf(runtimes);
    this.prod = prod;
  }

  public boolean supportsRuntime(String runtime) {
    return runtimes.isEmpty() || runtime == null || runtimes.contains(runtime);
  }

  /** A prod DEA hosts only prod apps (G3); a non-prod DEA hosts anything. */
  public boolean acceptsProd(Boolean appProd) {
    return !prod || Boolean.TRUE.equals(appProd);
  }

  /** Why this DEA cannot run the app, or null when it can (resources checked apart). */
  public String refusal(String runtime, Boolean appProd) {
    if (!supportsRuntime(runtime)) {
      return "runtime " + runtime + " not supported";
    }
    if (!acceptsProd(appProd)) {
      return "prod DEA, app is not prod";
    }
    return null;
  }

  /** {@code min(250, 10 x instances of the app here + 100 x reserved / max)} milliseconds. */
  public static Duration taint(int appInstancesHere, long reservedMb, long maxMb) {
    long ms = 10L * appInstancesHere + (maxMb <= 0 ? 0 : 100L * reservedMb / maxMb);
    return Duration.ofMillis(Math.min(MAX_TAINT.toMillis(), ms));
  }

  public List<String> runtimes() {
    return runtimes;
  }

  public boolean prod() {
    return prod;
  }
}
