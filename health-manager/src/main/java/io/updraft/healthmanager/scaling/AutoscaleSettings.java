package io.updraft.healthmanager.scaling;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.config.ConfigException;

/**
 * {@code autoscaling:} how the health manager grows the DEA pool (switched on by the top-level
 * {@code enable_autoscaling}, the Stackato key).
 *
 * <pre>
 * autoscaling:
 *   buffer_mb: 1024              # free memory the pool should keep ahead of demand
 *   breach_cycles: 3             # samples in a row below the buffer before scaling
 *   sample_interval_seconds: 5   # one pool sample (and one decision) per interval
 *   trend_window_seconds: 60     # recent samples the load trend is fitted to
 *   horizon_seconds: 60          # how far ahead the trend is projected
 *   cooldown_seconds: 120        # after a scaling action, before the next
 *   min_deas: 1
 *   max_deas: 10
 *   dea_memory_mb: 2048          # memory one DEA from the template offers (sizes N)
 *   max_step: 3                  # DEAs asked for at once, at most
 *   launch_timeout_seconds: 180  # a DEA asked for and not heard from by then is given up
 *   measured:                    # measured use that also counts (reserved memory always does)
 *     memory: false              # the instances' resident memory ...
 *     memory_percent: 80         # ... above this share of the pool's max_memory: grow
 *     disk: false                # the instances' disk use ...
 *     disk_percent: 80           # ... above this share of the DEAs' file systems: grow
 *     cpu: false                 # the instances' CPU ...
 *     cpu_percent: 80            # ... above this share of the DEAs' cores: grow
 *   scale_down:
 *     enabled: false             # drain and remove idle DEAs the platform launched
 *     low_water_mb: 0            # a DEA reserving at most this much memory is idle ...
 *     idle_seconds: 300          # ... when it stays so this long
 *     drain_timeout_seconds: 300 # a drain not finished by then is given up
 * </pre>
 */
public record AutoscaleSettings(
    @JsonProperty("buffer_mb") Long bufferMb,
    @JsonProperty("breach_cycles") Integer breachCycles,
    @JsonProperty("sample_interval_seconds") Integer sampleIntervalSeconds,
    @JsonProperty("trend_window_seconds") Integer trendWindowSeconds,
    @JsonProperty("horizon_seconds") Integer horizonSeconds,
    @JsonProperty("cooldown_seconds") Integer cooldownSeconds,
    @JsonProperty("min_deas") Integer minDeas,
    @JsonProperty("max_deas") Integer maxDeas,
    @JsonProperty("dea_memory_mb") Long deaMemoryMb,
    @JsonProperty("max_step") Integer maxStep,
    @JsonProperty("launch_timeout_seconds") Integer launchTimeoutSeconds,
    @JsonProperty("measured") Measured measured,
    @JsonProperty("scale_down") ScaleDown scaleDown) {

  /** Which measured figures count, and the share of the capacity above which the pool grows. */
  public record Measured(
      @JsonProperty("memory") Boolean memory,
      @JsonProperty("memory_percent") Integer memoryPercent,
      @JsonProperty("disk") Boolean disk,
      @JsonProperty("disk_percent") Integer diskPercent,
      @JsonProperty("cpu") Boolean cpu,
      @JsonProperty("cpu_percent") Integer cpuPercent) {

    public Measured {
      memory = memory != null && memory;
      memoryPercent = memoryPercent == null ? 80 : memoryPercent;
      disk = disk != null && disk;
      diskPercent = diskPercent == null ? 80 : diskPercent;
      cpu = cpu != null && cpu;
      cpuPercent = cpuPercent == null ? 80 : cpuPercent;
    }

    public static Measured none() {
      return new Measured(null, null, null, null, null, null);
    }
  }

  /** Removing idle DEAs (off by default). */
  public record ScaleDown(
      @JsonProperty("enabled") Boolean enabled,
      @JsonProperty("low_water_mb") Long lowWaterMb,
      @JsonProperty("idle_seconds") Integer idleSeconds,
      @JsonProperty("drain_timeout_seconds") Integer drainTimeoutSeconds) {

    public ScaleDown {
      enabled = enabled != null && enabled;
      lowWaterMb = lowWaterMb == null ? 0L : lowWaterMb;
      idleSeconds = idleSeconds == null ? 300 : idleSeconds;
      drainTimeoutSeconds = drainTimeoutSeconds == null ? 300 : drainTimeoutSeconds;
    }

    public static ScaleDown off() {
      return new ScaleDown(null, null, null, null);
    }
  }

  /** The settings without measured use or scale-down. */
  public AutoscaleSettings(Long bufferMb, Integer breachCycles, Integer sampleIntervalSeconds,
      Integer trendWindowSeconds, Integer horizonSeconds, Integer cooldownSeconds,
      Integer minDeas, Integer maxDeas, Long deaMemoryMb, Integer maxStep,
      Integer launchTimeoutSeconds) {
    this(bufferMb, breachCycles, sampleIntervalSeconds, trendWindowSeconds, horizonSeconds,
        cooldownSeconds, minDeas, maxDeas, deaMemoryMb, maxStep, launchTimeoutSeconds, null,
        null);
  }

  /** These settings with other measured figures and scale-down. */
  public AutoscaleSettings with(Measured m, ScaleDown d) {
    return new AutoscaleSettings(bufferMb, breachCycles, sampleIntervalSeconds,
        trendWindowSeconds, horizonSeconds, cooldownSeconds, minDeas, maxDeas, deaMemoryMb,
        maxStep, launchTimeoutSeconds, m, d);
  }

  public AutoscaleSettings {
    bufferMb = bufferMb == null ? 1024L : bufferMb;
    breachCycles = breachCycles == null ? 3 : breachCycles;
    sampleIntervalSeconds = sampleIntervalSeconds == null ? 5 : sampleIntervalSeconds;
    trendWindowSeconds = trendWindowSeconds == null ? 60 : trendWindowSeconds;
    horizonSeconds = horizonSeconds == null ? 60 : horizonSeconds;
    cooldownSeconds = cooldownSeconds == null ? 120 : cooldownSeconds;
    minDeas = minDeas == null ? 1 : minDeas;
    maxDeas = maxDeas == null ? 10 : maxDeas;
    deaMemoryMb = deaMemoryMb == null ? 2048L : deaMemoryMb;
    maxStep = maxStep == null ? 3 : maxStep;
    launchTimeoutSeconds = launchTimeoutSeconds == null ? 180 : launchTimeoutSeconds;
    measured = measured == null ? Measured.none() : measured;
    scaleDown = scaleDown == null ? ScaleDown.off() : scaleDown;
  }

  public static AutoscaleSettings defaults() {
    return new AutoscaleSettings(null, null, null, null, null, null, null, null, null, null,
        null, null, null);
  }

  public AutoscaleSettings validate() {
    if (bufferMb < 0) {
      throw new ConfigException("autoscaling.buffer_mb", "must not be negative");
    }
    positive("autoscaling.breach_cycles", breachCycles);
    positive("autoscaling.sample_interval_seconds", sampleIntervalSeconds);
    positive("autoscaling.trend_window_seconds", trendWindowSeconds);
    if (horizonSeconds < 0 || cooldownSeconds < 0 || minDeas < 0) {
      throw new ConfigException("autoscaling",
          "horizon_seconds, cooldown_seconds and min_deas must not be negative");
    }
    positive("autoscaling.max_deas", maxDeas);
    positive("autoscaling.dea_memory_mb", deaMemoryMb);
    positive("autoscaling.max_step", maxStep);
    positive("autoscaling.launch_timeout_seconds", launchTimeoutSeconds);
    for (int pct : new int[] {measured.memoryPercent(), measured.diskPercent(),
        measured.cpuPercent()}) {
      if (pct <= 0 || pct > 100) {
        throw new ConfigException("autoscaling.measured",
            "the *_percent keys must be 1..100, got " + pct);
      }
    }
    if (scaleDown.lowWaterMb() < 0) {
      throw new ConfigException("autoscaling.scale_down.low_water_mb", "must not be negative");
    }
    positive("autoscaling.scale_down.idle_seconds", scaleDown.idleSeconds());
    positive("autoscaling.scale_down.drain_timeout_seconds", scaleDown.drainTimeoutSeconds());
    if (maxDeas < minDeas) {
      throw new ConfigException("autoscaling.max_deas", "must not be below min_deas");
    }
    return this;
  }

  private static void positive(String key, Number value) {
    if (value.longValue() <= 0) {
      throw new ConfigException(key, "must be positive, got " + value);
    }
  }
}
