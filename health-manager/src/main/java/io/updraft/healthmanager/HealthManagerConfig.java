package io.updraft.healthmanager;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.bus.NatsConfig;
import io.updraft.common.cluster.ClusterConfig;
import io.updraft.common.config.ComponentConfig;
import io.updraft.common.config.ConfigException;
import io.updraft.common.config.StatusConfig;
import io.updraft.healthmanager.scaling.AutoscaleSettings;
import java.time.Duration;

/**
 * The health manager's config. Defaults meet the speed goals: DEAs heartbeat every 2 s, so a DEA
 * silent for 10 s (five missed heartbeats) is lost, and its instances are asked for elsewhere
 * within the next 1 s analysis pass; a crash is restarted the moment its exit arrives.
 *
 * <pre>
 * cc_partition: ""                     # plain subjects; else cloudcontrollers.hm.requests.P
 * analysis_interval_ms: 1000           # one pass over every app
 * desired_state_interval_seconds: 30   # full re-read of the controller's apps
 * bulk_batch_size: 500
 * dea_lost_seconds: 10                 # no heartbeat for this long: the DEA (or instance) is gone
 * startup_grace_seconds: 5             # after start or a NATS reconnect: listen, do not act
 * takeover_grace_seconds: 3            # after becoming the active health manager
 * start_pending_seconds: 15            # gap between two start requests for the same index
 * max_starts_per_interval: 500         # instances asked for per analysis interval, at most
 * crash_retention_seconds: 500         # crashes listed by healthmanager.status CRASHED
 * crash:
 *   window_seconds: 300                # a crash older than this resets an index's count
 *   immediate_restarts: 2              # the first crashes restart at once
 *   backoff_min_ms: 1000               # then 1 s, 2 s, 4 s ... up to backoff_max_ms
 *   backoff_max_ms: 30000
 *   flapping_crashes: 5                # this many crashes in the window: FLAPPING
 *   flapping_delay_seconds: 60         # FLAPPING restarts wait 60 s, doubling up to the max
 *   flapping_max_delay_seconds: 480
 *   giveup_crashes: 0                  # stop restarting after this many (0: never give up)
 * leader_lease_seconds: 6              # with cluster.mode member/client: standby takeover time
 * enable_autoscaling: false            # grow the DEA pool (Stackato's key); see AutoscaleSettings
 * autoscaling: {buffer_mb: 1024, ...}
 * cluster: {mode: none}                # see ClusterConfig
 * </pre>
 */
public record HealthManagerConfig(
    @JsonProperty("nats") NatsConfig nats,
    @JsonProperty("status") StatusConfig status,
    @JsonProperty("index") Integer index,
    @JsonProperty("local_ip") String localIp,
    @JsonProperty("cc_partition") String ccPartition,
    @JsonProperty("analysis_interval_ms") Long analysisIntervalMs,
    @JsonProperty("desired_state_interval_seconds") Integer desiredStateIntervalSeconds,
    @JsonProperty("bulk_batch_size") Integer bulkBatchSize,
    @JsonProperty("dea_lost_seconds") Integer deaLostSeconds,
    @JsonProperty("startup_grace_seconds") Integer startupGraceSeconds,
    @JsonProperty("takeover_grace_seconds") Integer takeoverGraceSeconds,
    @JsonProperty("start_pending_seconds") Integer startPendingSeconds,
    @JsonProperty("max_starts_per_interval") Integer maxStartsPerInterval,
    @JsonProperty("crash_retention_seconds") Integer crashRetentionSeconds,
    @JsonProperty("crash") Crash crash,
    @JsonProperty("leader_lease_seconds") Integer leaderLeaseSeconds,
    @JsonProperty("enable_autoscaling") Boolean enableAutoscaling,
    @JsonProperty("autoscaling") AutoscaleSettings autoscaling,
    @JsonProperty("cluster") ClusterConfig cluster) implements ComponentConfig {

  /** {@code crash:} the restart policy of crashed instances. */
  public record Crash(
      @JsonProperty("window_seconds") Integer windowSeconds,
      @JsonProperty("immediate_restarts") Integer immediateRestarts,
      @JsonProperty("backoff_min_ms") Long backoffMinMs,
      @JsonProperty("backoff_max_ms") Long backoffMaxMs,
      @JsonProperty("flapping_crashes") Integer flappingCrashes,
      @JsonProperty("flapping_delay_seconds") Integer flappingDelaySeconds,
      @JsonProperty("flapping_max_delay_seconds") Integer flappingMaxDelaySeconds,
      @JsonProperty("giveup_crashes") Integer giveupCrashes) {

    public Crash {
      windowSeconds = windowSeconds == null ? 300 : windowSeconds;
      immediateRestarts = immediateRestarts == null ? 2 : immediateRestarts;
      backoffMinMs = backoffMinMs == null ? 1000L : backoffMinMs;
      backoffMaxMs = backoffMaxMs == null ? 30_000L : backoffMaxMs;
      flappingCrashes = flappingCrashes == null ? 5 : flappingCrashes;
      flappingDelaySeconds = flappingDelaySeconds == null ? 60 : flappingDelaySeconds;
      flappingMaxDelaySeconds = flappingMaxDelaySeconds == null ? 480 : flappingMaxDelaySeconds;
      giveupCrashes = giveupCrashes == null ? 0 : giveupCrashes;
    }

    public static Crash defaults() {
      return new Crash(null, null, null, null, null, null, null, null);
    }
  }

  public HealthManagerConfig {
    nats = nats == null ? new NatsConfig(null, null, null, null, null, null) : nats;
    status = status == null ? StatusConfig.defaults() : status;
    ccPartition = ccPartition == null ? "" : ccPartition;
    analysisIntervalMs = analysisIntervalMs == null ? 1000L : analysisIntervalMs;
    desiredStateIntervalSeconds = desiredStateIntervalSeconds == null ? 30
        : desiredStateIntervalSeconds;
    bulkBatchSize = bulkBatchSize == null ? 500 : bulkBatchSize;
    deaLostSeconds = deaLostSeconds == null ? 10 : deaLostSeconds;
    startupGraceSeconds = startupGraceSeconds == null ? 5 : startupGraceSeconds;
    takeoverGraceSeconds = takeoverGraceSeconds == null ? 3 : takeoverGraceSeconds;
    startPendingSeconds = startPendingSeconds == null ? 15 : startPendingSeconds;
    maxStartsPerInterval = maxStartsPerInterval == null ? 500 : maxStartsPerInterval;
    crashRetentionSeconds = crashRetentionSeconds == null ? 500 : crashRetentionSeconds;
    crash = crash == null ? Crash.defaults() : crash;
    leaderLeaseSeconds = leaderLeaseSeconds == null ? 6 : leaderLeaseSeconds;
    enableAutoscaling = enableAutoscaling != null && enableAutoscaling;
    autoscaling = autoscaling == null ? AutoscaleSettings.defaults() : autoscaling;
    cluster = cluster == null ? ClusterConfig.none() : cluster;
  }

  @Override
  public ComponentConfig validate() {
    ComponentConfig.super.validate();
    positive("analysis_interval_ms", analysisIntervalMs);
    positive("desired_state_interval_seconds", desiredStateIntervalSeconds);
    positive("bulk_batch_size", bulkBatchSize);
    positive("dea_lost_seconds", deaLostSeconds);
    notNegative("startup_grace_seconds", startupGraceSeconds);
    notNegative("takeover_grace_seconds", takeoverGraceSeconds);
    positive("start_pending_seconds", startPendingSeconds);
    positive("max_starts_per_interval", maxStartsPerInterval);
    positive("crash_retention_seconds", crashRetentionSeconds);
    positive("crash.window_seconds", crash.windowSeconds());
    notNegative("crash.immediate_restarts", crash.immediateRestarts());
    positive("crash.backoff_min_ms", crash.backoffMinMs());
    positive("crash.flapping_crashes", crash.flappingCrashes());
    positive("crash.flapping_delay_seconds", crash.flappingDelaySeconds());
    notNegative("crash.giveup_crashes", crash.giveupCrashes());
    positive("leader_lease_seconds", leaderLeaseSeconds);
    if (crash.backoffMaxMs() < crash.backoffMinMs()) {
      throw new ConfigException("crash.backoff_max_ms", "must not be below crash.backoff_min_ms");
    }
    if (crash.flappingMaxDelaySeconds() < crash.flappingDelaySeconds()) {
      throw new ConfigException("crash.flapping_max_delay_seconds",
          "must not be below crash.flapping_delay_seconds");
    }
    if (crash.flappingCrashes() <= crash.immediateRestarts()) {
      throw new ConfigException("crash.flapping_crashes",
          "must be above crash.immediate_restarts (" + crash.immediateRestarts() + ")");
    }
    autoscaling.validate();
    cluster.validate();
    return this;
  }

  private static void positive(String key, Number value) {
    if (value.longValue() <= 0) {
      throw new ConfigException(key, "must be positive, got " + value);
    }
  }

  private static void notNegative(String key, Number value) {
    if (value.longValue() < 0) {
      throw new ConfigException(key, "must not be negative, got " + value);
    }
  }

  public Duration analysisInterval() {
    return Duration.ofMillis(analysisIntervalMs);
  }
}
