package io.updraft.kato.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.updraft.kato.logs.ComponentLogStream;
import java.time.Duration;

/**
 * The node agents' own tunables, from the {@code kato} section of the cluster document (so one
 * {@code kato config set cluster kato.KEY VALUE} applies to every node, at each agent's next
 * start):
 *
 * <pre>
 * kato:
 *   status_interval_seconds: 10   # updraft.node.status
 *   log_lines_per_second: 100     # component log lines published per process
 *   log_poll_ms: 250              # how often component logs are read
 *   log_max_backlog_kb: 256       # unread log beyond this is skipped (and said so)
 *   log_retention_minutes: 60     # the recent window on the bus (JetStream), core only
 *   log_retention_lines: 1000     # lines kept per node and process
 *   log_retention_mb: 64          # the whole window
 * </pre>
 */
record AgentSettings(Duration statusInterval, int logLinesPerSecond, Duration logPoll,
    int logMaxBacklogBytes, ComponentLogStream.Retention logRetention) {

  static final AgentSettings DEFAULTS = new AgentSettings(Duration.ofSeconds(10), 100,
      Duration.ofMillis(250), 256 * 1024,
      new ComponentLogStream.Retention(Duration.ofHours(1), 1_000, 64L * 1024 * 1024));

  /** The settings in {@code kato} of the cluster document; missing or bad values: defaults. */
  static AgentSettings from(JsonNode clusterDocument) {
    JsonNode k = clusterDocument == null ? null : clusterDocument.path("kato");
    if (k == null || !k.isObject()) {
      return DEFAULTS;
    }
    return new AgentSettings(
        Duration.ofSeconds(positive(k.path("status_interval_seconds"),
            DEFAULTS.statusInterval().toSeconds())),
        (int) positive(k.path("log_lines_per_second"), DEFAULTS.logLinesPerSecond()),
        Duration.ofMillis(Math.max(50, positive(k.path("log_poll_ms"),
            DEFAULTS.logPoll().toMillis()))),
        (int) Math.min(Integer.MAX_VALUE / 2, positive(k.path("log_max_backlog_kb"),
            DEFAULTS.logMaxBacklogBytes() / 1024) * 1024),
        new ComponentLogStream.Retention(
            Duration.ofMinutes(positive(k.path("log_retention_minutes"),
                DEFAULTS.logRetention().maxAge().toMinutes())),
            positive(k.path("log_retention_lines"), DEFAULTS.logRetention().maxLinesPerProcess()),
            positive(k.path("log_retention_mb"), DEFAULTS.logRetention().maxBytes() >> 20) << 20));
  }

  /** A positive whole number (also given as a string, as {@code kato config set} stores it). */
  private static long positive(JsonNode value, long fallback) {
    long v;
    if (value.isNumber()) {
      v = value.asLong();
    } else if (value.isTextual()) {
      try {
        v = Long.parseLong(value.asText().trim());
      } catch (NumberFormatException e) {
        return fallback;
      }
    } else {
      return fallback;
    }
    return v > 0 ? v : fallback;
  }
}
