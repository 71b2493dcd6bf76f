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
    @JsonProperty("launch_timeout_seconds") Integer launchTimeoutSeconds) {

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
  }

  public static AutoscaleSettings defaults() {
    return new AutoscaleSettings(null, null, null, null, null, null, null, null, null, null,
        null);
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
