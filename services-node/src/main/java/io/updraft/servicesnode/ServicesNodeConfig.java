package io.updraft.servicesnode;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.bus.NatsConfig;
import io.updraft.common.config.ComponentConfig;
import io.updraft.common.config.ConfigException;
import io.updraft.common.config.StatusConfig;
import io.updraft.common.protocol.services.ServiceType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The services node's config: the keys every component has, where the node keeps its records,
 * how often it announces, and the service types it serves, each with the server it administers.
 *
 * <pre>
 * data_dir: /var/lib/updraft/services    # instance and binding records, filesystem instances
 * announce_interval_ms: 10000            # &lt;svc&gt;.announce period
 * services:                              # absent: {filesystem: {}} (needs no server)
 *   postgresql: {host: 127.0.0.1, port: 5432, admin_user: postgres, max_instances: 50}
 *   mysql:      {host: 127.0.0.1, port: 3306, admin_user: root, admin_password: ""}
 *   redis:      {host: 127.0.0.1, port: 6379}
 *   filesystem: {max_instances: 100}
 *   redis:      {unavailable: "Redis is not installed on this node: ..."}   # left off
 * </pre>
 *
 * @param dataDir where the node's records live; default {@code $UPDRAFT_HOME/services}
 * @param announceIntervalMs period of the capacity announcements (PROTOCOL.md 9.2 says 30 s;
 *     Updraft's default is 10 s so the controller's 30 s freshness window spans three)
 * @param services the served types by service name
 */
public record ServicesNodeConfig(
    @JsonProperty("nats") NatsConfig nats,
    @JsonProperty("status") StatusConfig status,
    @JsonProperty("index") Integer index,
    @JsonProperty("local_ip") String localIp,
    @JsonProperty("data_dir") String dataDir,
    @JsonProperty("announce_interval_ms") Long announceIntervalMs,
    @JsonProperty("services") Map<String, ServiceConfig> services) implements ComponentConfig {

  /**
   * One served type and the server behind it. Absent keys take the type's defaults.
   *
   * @param nodeId suffix of this node's subjects for the type; default {@code <type>_node_<index>}
   * @param host the server's address as the node reaches it (default 127.0.0.1)
   * @param publicHost the address apps are given in credentials; default {@code host}, or the
   *     node's {@code local_ip} when {@code host} is loopback and {@code local_ip} is set
   * @param adminUser the administering account (postgres, root; for redis an ACL user or none)
   * @param adminPassword its password; secret, never logged
   * @param adminDatabase PostgreSQL database the admin connects to (default {@code postgres})
   * @param maxInstances capacity: instances this node holds for the type
   * @param plan the plan served (default {@code free})
   * @param version the version announced; absent: detected from the server at start
   * @param dir filesystem only: where instance directories go (default
   *     {@code <data_dir>/filesystem/instances})
   * @param opTimeoutMs time limit of one admin statement or command on the server
   * @param unavailable why this node cannot serve the type (set by the node agent when the
   *     node cannot run its server, e.g. it is not installed): the node leaves the type off,
   *     saying why at start, and never announces it
   */
  public record ServiceConfig(
      @JsonProperty("node_id") String nodeId,
      @JsonProperty("host") String host,
      @JsonProperty("port") Integer port,
      @JsonProperty("public_host") String publicHost,
      @JsonProperty("admin_user") String adminUser,
      @JsonProperty("admin_password") String adminPassword,
      @JsonProperty("admin_database") String adminDatabase,
      @JsonProperty("max_instances") Integer maxInstances,
      @JsonProperty("plan") String plan,
      @JsonProperty("version") String version,
      @JsonProperty("dir") String dir,
      @JsonProperty("op_timeout_ms") Long opTimeoutMs,
      @JsonProperty("unavailable") String unavailable) {

    public static ServiceConfig empty() {
      return new ServiceConfig(null, null, null, null, null, null, null, null, null, null, null,
          null, null);
    }

    /** Whether the type is left off on this node ({@link #unavailable()} says why). */
    public boolean isUnavailable() {
      return unavailable != null && !unavailable.isBlank();
    }

    /** This config with the type's defaults filled in. */
    ServiceConfig withDefaults(ServiceType type, int index, String localIp, Path dataDir) {
      String h = host != null ? host : "127.0.0.1";
      String pub = publicHost != null ? publicHost
          : isLoopback(h) && localIp != null && !localIp.isBlank() ? localIp : h;
      return new ServiceConfig(
          nodeId != null ? nodeId : type.serviceName() + "_node_" + index,
          h,
          port != null ? port : switch (type) {
            case POSTGRESQL -> 5432;
            case MYSQL -> 3306;
            case REDIS -> 6379;
            case FILESYSTEM -> 0;
          },
          pub,
          adminUser != null ? adminUser : switch (type) {
            case POSTGRESQL -> "postgres";
            case MYSQL -> "root";
            default -> null;
          },
          adminPassword,
          adminDatabase != null ? adminDatabase : "postgres",
          maxInstances != null ? maxInstances : 100,
          plan != null ? plan : "free",
          version,
          dir != null ? dir : dataDir.resolve("filesystem").resolve("instances").toString(),
          opTimeoutMs != null ? opTimeoutMs : 30_000L,
          unavailable);
    }

    private static boolean isLoopback(String host) {
      return host.startsWith("127.") || host.equals("localhost") || host.equals("::1");
    }

    /** Without the admin password. */
    @Override
    public String toString() {
      return "ServiceConfig{node_id=" + nodeId + ", host=" + host + ", port=" + port
          + ", admin_user=" + adminUser + ", max_instances=" + maxInstances + ", plan=" + plan
          + "}";
    }
  }

  public ServicesNodeConfig {
    nats = nats == null ? new NatsConfig(null, null, null, null, null, null) : nats;
    status = status == null ? StatusConfig.defaults() : status;
    dataDir = dataDir == null ? defaultDataDir() : dataDir;
    announceIntervalMs = announceIntervalMs == null ? 10_000L : announceIntervalMs;
    Map<String, ServiceConfig> given = new LinkedHashMap<>();
    if (services == null || services.isEmpty()) {
      given.put("filesystem", ServiceConfig.empty());
    } else {
      services.forEach((k, v) -> given.put(k, v == null ? ServiceConfig.empty() : v));
    }
    services = java.util.Collections.unmodifiableMap(given);
  }

  private static String defaultDataDir() {
    String home = System.getenv("UPDRAFT_HOME");
    return Path.of(home != null ? home : System.getProperty("user.home") + "/.updraft",
        "services").toString();
  }

  public Path dataPath() {
    return Path.of(dataDir);
  }

  public Duration announceInterval() {
    return Duration.ofMillis(announceIntervalMs);
  }

  /** The served types with their defaults filled in, in {@link ServiceType} order. */
  public Map<ServiceType, ServiceConfig> served() {
    Map<ServiceType, ServiceConfig> out = new LinkedHashMap<>();
    int i = index == null ? 0 : index;
    for (ServiceType type : ServiceType.values()) {
      ServiceConfig c = services.get(type.serviceName());
      if (c != null) {
        out.put(type, c.withDefaults(type, i, localIp, dataPath()));
      }
    }
    return out;
  }

  @Override
  public ServicesNodeConfig validate() {
    ComponentConfig.super.validate();
    if (dataDir.isBlank()) {
      throw new ConfigException("data_dir", "must not be empty");
    }
    if (announceIntervalMs < 100) {
      throw new ConfigException("announce_interval_ms", "must be at least 100");
    }
    for (String name : services.keySet()) {
      if (ServiceType.byName(name).isEmpty()) {
        throw new ConfigException("services." + name, "unknown service type; expected one of "
            + ServiceType.names());
      }
    }
    for (Map.Entry<ServiceType, ServiceConfig> e : served().entrySet()) {
      String key = "services." + e.getKey().serviceName();
      ServiceConfig c = e.getValue();
      if (c.maxInstances() < 0) {
        throw new ConfigException(key + ".max_instances", "must not be negative");
      }
      if (c.port() < 0 || c.port() > 65535) {
        throw new ConfigException(key + ".port", "must be between 0 and 65535");
      }
      if (!c.nodeId().matches("[A-Za-z0-9_-]+")) {
        throw new ConfigException(key + ".node_id", "letters, digits, '_' and '-' only");
      }
      if (c.opTimeoutMs() < 100) {
        throw new ConfigException(key + ".op_timeout_ms", "must be at least 100");
      }
    }
    return this;
  }

  /** Defaults except the bus and the data directory (tests, embedded use). */
  public static ServicesNodeConfig of(NatsConfig nats, Path dataDir, long announceIntervalMs,
      Map<String, ServiceConfig> services) {
    return new ServicesNodeConfig(nats, null, null, "127.0.0.1", dataDir.toString(),
        announceIntervalMs, services);
  }
}
