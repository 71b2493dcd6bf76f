package io.updraft.router;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.bus.NatsConfig;
import io.updraft.common.config.ComponentConfig;
import io.updraft.common.config.ConfigException;
import io.updraft.common.config.StatusConfig;
import java.time.Duration;

/**
 * The router's config: the keys every component has plus where it listens and how it keeps its
 * route table fresh (PROTOCOL.md 6.2) and talks to backends.
 *
 * <pre>
 * port: 8080                        # HTTP listen port (the micro cloud may use 80)
 * host: 0.0.0.0
 * event_loops: 2                    # proxy event loops (default: one per core)
 * start_interval_seconds: 30        # router.start period = the re-register interval
 * prune_stale_after_seconds: 120    # a backend not re-registered for this long is dropped
 * prune_interval_seconds: 30
 * backend_timeout_ms: 60000         # no answer begun this long after the request: 504
 * connect_timeout_ms: 2000          # connecting to a backend; then one retry elsewhere
 * max_header_size: 8192
 * max_connections_per_backend: 256  # kept open per event loop; more are used once, then closed
 * client_idle_timeout_seconds: 300
 * access_log: {enabled: true, file: /var/log/updraft/router-access.log}   # no file: stdout
 * </pre>
 */
public record RouterConfig(
    @JsonProperty("nats") NatsConfig nats,
    @JsonProperty("status") StatusConfig status,
    @JsonProperty("index") Integer index,
    @JsonProperty("local_ip") String localIp,
    @JsonProperty("host") String host,
    @JsonProperty("port") Integer port,
    @JsonProperty("event_loops") Integer eventLoops,
    @JsonProperty("start_interval_seconds") Integer startIntervalSeconds,
    @JsonProperty("prune_stale_after_seconds") Integer pruneStaleAfterSeconds,
    @JsonProperty("prune_interval_seconds") Integer pruneIntervalSeconds,
    @JsonProperty("backend_timeout_ms") Long backendTimeoutMs,
    @JsonProperty("connect_timeout_ms") Integer connectTimeoutMs,
    @JsonProperty("max_header_size") Integer maxHeaderSize,
    @JsonProperty("max_connections_per_backend") Integer maxConnectionsPerBackend,
    @JsonProperty("client_idle_timeout_seconds") Integer clientIdleTimeoutSeconds,
    @JsonProperty("access_log") AccessLogConfig accessLog) implements ComponentConfig {

  /**
   * {@code access_log:} one line per request; written off the event loop.
   *
   * @param enabled false turns the access log off
   * @param file append to this file; absent: standard output
   */
  public record AccessLogConfig(
      @JsonProperty("enabled") Boolean enabled,
      @JsonProperty("file") String file) {

    public AccessLogConfig {
      enabled = enabled == null || enabled;
    }
  }

  public RouterConfig {
    nats = nats == null ? new NatsConfig(null, null, null, null, null, null) : nats;
    status = status == null ? StatusConfig.defaults() : status;
    host = host == null ? "0.0.0.0" : host;
    port = port == null ? 8080 : port;
    eventLoops = eventLoops == null ? Runtime.getRuntime().availableProcessors() : eventLoops;
    startIntervalSeconds = startIntervalSeconds == null ? 30 : startIntervalSeconds;
    pruneStaleAfterSeconds = pruneStaleAfterSeconds == null ? 120 : pruneStaleAfterSeconds;
    pruneIntervalSeconds = pruneIntervalSeconds == null ? 30 : pruneIntervalSeconds;
    backendTimeoutMs = backendTimeoutMs == null ? 60_000L : backendTimeoutMs;
    connectTimeoutMs = connectTimeoutMs == null ? 2_000 : connectTimeoutMs;
    maxHeaderSize = maxHeaderSize == null ? 8192 : maxHeaderSize;
    maxConnectionsPerBackend = maxConnectionsPerBackend == null ? 256 : maxConnectionsPerBackend;
    clientIdleTimeoutSeconds = clientIdleTimeoutSeconds == null ? 300 : clientIdleTimeoutSeconds;
    accessLog = accessLog == null ? new AccessLogConfig(null, null) : accessLog;
  }

  @Override
  public ComponentConfig validate() {
    ComponentConfig.super.validate();
    if (port < 0 || port > 65535) {
      throw new ConfigException("port", "must be between 0 and 65535, got " + port);
    }
    positive("event_loops", eventLoops);
    positive("start_interval_seconds", startIntervalSeconds);
    positive("prune_interval_seconds", pruneIntervalSeconds);
    positive("backend_timeout_ms", backendTimeoutMs);
    positive("connect_timeout_ms", connectTimeoutMs);
    positive("max_header_size", maxHeaderSize);
    positive("max_connections_per_backend", maxConnectionsPerBackend);
    positive("client_idle_timeout_seconds", clientIdleTimeoutSeconds);
    // registrants re-register once per start interval; a shorter threshold drops live routes
    if (pruneStaleAfterSeconds <= startIntervalSeconds) {
      throw new ConfigException("prune_stale_after_seconds",
          "must be longer than start_interval_seconds (" + startIntervalSeconds + ")");
    }
    return this;
  }

  private static void positive(String key, Number value) {
    if (value.longValue() <= 0) {
      throw new ConfigException(key, "must be positive, got " + value);
    }
  }

  public Duration startInterval() {
    return Duration.ofSeconds(startIntervalSeconds);
  }

  public Duration pruneStaleAfter() {
    return Duration.ofSeconds(pruneStaleAfterSeconds);
  }

  public Duration pruneInterval() {
    return Duration.ofSeconds(pruneIntervalSeconds);
  }
}
