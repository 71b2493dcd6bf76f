package io.updraft.common.bus;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.config.ConfigException;
import io.updraft.common.logging.Redact;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * How a component reaches the NATS bus: {@code nats:} in every component's config.
 *
 * <pre>
 * nats:
 *   servers: [nats://10.0.5.6:4222]
 *   user: updraft
 *   password: s3cret          # or token: ...
 *   reconnect_max_wait_ms: 2000
 * </pre>
 *
 * Credentials may also be embedded in a server URL ({@code nats://user:pass@host:4222}), the
 * CF v1 {@code mbus} style; they are never logged either way.
 */
public record NatsConfig(
    @JsonProperty("servers") List<String> servers,
    @JsonProperty("user") String user,
    @JsonProperty("password") String password,
    @JsonProperty("token") String token,
    @JsonProperty("connect_timeout_ms") Long connectTimeoutMs,
    @JsonProperty("reconnect_max_wait_ms") Long reconnectMaxWaitMs) {

  public static final String DEFAULT_SERVER = "nats://127.0.0.1:4222";

  public NatsConfig {
    servers = servers == null || servers.isEmpty() ? List.of(DEFAULT_SERVER) : List.copyOf(servers);
    connectTimeoutMs = connectTimeoutMs == null ? 2_000L : connectTimeoutMs;
    reconnectMaxWaitMs = reconnectMaxWaitMs == null ? 2_000L : reconnectMaxWaitMs;
  }

  public static NatsConfig of(String server, String user, String password) {
    return new NatsConfig(List.of(server), user, password, null, null, null);
  }

  public Duration connectTimeout() {
    return Duration.ofMillis(connectTimeoutMs);
  }

  public Duration reconnectMaxWait() {
    return Duration.ofMillis(reconnectMaxWaitMs);
  }

  /** Fails with the offending key named when a value cannot work. */
  public NatsConfig validate(String prefix) {
    for (String server : servers) {
      URI uri;
      try {
        uri = URI.create(server);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(prefix + "servers", "not a URL: " + Redact.url(server));
      }
      if (!"nats".equals(uri.getScheme()) && !"tls".equals(uri.getScheme())
          || uri.getHost() == null) {
        throw new ConfigException(prefix + "servers",
            "expected nats://host:port, got " + Redact.url(server));
      }
    }
    if (token != null && (user != null || password != null)) {
      throw new ConfigException(prefix + "token", "set either token or user/password, not both");
    }
    if ((user == null) != (password == null)) {
      throw new ConfigException(prefix + (user == null ? "user" : "password"),
          "user and password go together");
    }
    if (connectTimeoutMs <= 0) {
      throw new ConfigException(prefix + "connect_timeout_ms", "must be positive");
    }
    if (reconnectMaxWaitMs <= 0) {
      throw new ConfigException(prefix + "reconnect_max_wait_ms", "must be positive");
    }
    return this;
  }

  /** Servers with any credentials removed, for logs and {@code /varz}. */
  public List<String> redactedServers() {
    return servers.stream().map(Redact::url).toList();
  }

  @Override
  public String toString() {
    return "NatsConfig{servers=" + redactedServers() + ", user=" + user
        + ", password=" + (password == null ? null : "***")
        + ", token=" + (token == null ? null : "***") + "}";
  }
}
