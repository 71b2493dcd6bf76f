package io.updraft.common.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code status:} — where a component serves {@code /healthz}, {@code /varz} and
 * {@code /metrics}, and the Basic-auth credentials of the last two. Port 0 picks a free port;
 * absent credentials are generated at each start and published in the discover document
 * (the CF v1 way), so monitoring finds them over NATS.
 */
public record StatusConfig(
    @JsonProperty("host") String host,
    @JsonProperty("port") Integer port,
    @JsonProperty("user") String user,
    @JsonProperty("password") String password) {

  public StatusConfig {
    host = host == null ? "0.0.0.0" : host;
    port = port == null ? 0 : port;
  }

  public static StatusConfig defaults() {
    return new StatusConfig(null, null, null, null);
  }

  public StatusConfig validate(String prefix) {
    if (port < 0 || port > 65535) {
      throw new ConfigException(prefix + "port", "must be between 0 and 65535, got " + port);
    }
    if ((user == null) != (password == null)) {
      throw new ConfigException(prefix + (user == null ? "user" : "password"),
          "user and password go together");
    }
    return this;
  }

  @Override
  public String toString() {
    return "StatusConfig{host=" + host + ", port=" + port + ", user=" + user
        + ", password=" + (password == null ? null : "***") + "}";
  }
}
