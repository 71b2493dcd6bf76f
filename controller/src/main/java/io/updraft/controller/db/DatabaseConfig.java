package io.updraft.controller.db;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.config.ConfigException;

/**
 * {@code database:} — where the controller keeps users, apps and routes. Absent {@code url}
 * means an embedded H2 file under the controller's data directory; PostgreSQL
 * ({@code jdbc:postgresql://…}) when several controllers share the state.
 */
public record DatabaseConfig(
    @JsonProperty("url") String url,
    @JsonProperty("user") String user,
    @JsonProperty("password") String password,
    @JsonProperty("max_pool_size") Integer maxPoolSize) {

  public DatabaseConfig {
    maxPoolSize = maxPoolSize == null ? 8 : maxPoolSize;
  }

  public static DatabaseConfig defaults() {
    return new DatabaseConfig(null, null, null, null);
  }

  public DatabaseConfig validate() {
    if (url != null && !url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:postgresql:")) {
      throw new ConfigException("database.url", "expected jdbc:h2:… or jdbc:postgresql:…");
    }
    if (maxPoolSize < 1) {
      throw new ConfigException("database.max_pool_size", "must be at least 1");
    }
    return this;
  }

  @Override
  public String toString() {
    return "DatabaseConfig{url=" + url + ", user=" + user + ", password="
        + (password == null ? null : "***") + "}";
  }
}
