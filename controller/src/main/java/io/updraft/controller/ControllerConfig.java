package io.updraft.controller;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.bus.NatsConfig;
import io.updraft.common.config.ComponentConfig;
import io.updraft.common.config.ConfigException;
import io.updraft.common.config.StatusConfig;
import io.updraft.controller.db.DatabaseConfig;
import java.nio.file.Path;
import java.util.List;

/**
 * The cloud controller's config.
 *
 * <pre>
 * external_uri: api.example.com     # the API host; apps get &lt;name&gt;.example.com
 * port: 9022
 * data_dir: /var/lib/updraft/controller
 * database: {url: jdbc:postgresql://10.0.5.6/updraft, user: updraft, password: …}
 * allow_registration: true
 * admins: [{email: admin@example.com, password: …}]
 * default_limits: {memory_mb: 4096, app_uris: 4, services: 16, apps: 20}
 * services: {node_timeout_ms: 5000, freshness_ms: 30000}
 * primary_scaling_platform: none  # none, local, docker, openstack, ec2 (Stackato's key)
 * local_platform: {dea_jar: /opt/updraft/updraft-dea.jar, template: /etc/updraft/dea-template.yml,
 *                  work_dir: /var/lib/updraft/local-deas}
 * openstack_config: /etc/updraft/openstack_config.yml
 * ec2_config: /etc/updraft/ec2_config.yml
 * docker_config: /etc/updraft/docker_config.yml
 * drains: {queue_size: 1000, backoff_initial_ms: 500, backoff_max_ms: 30000, refresh_ms: 5000,
 *          connect_timeout_ms: 5000, max_per_app: 10, ca_file: /etc/updraft/drain-ca.pem}
 * </pre>
 */
public record ControllerConfig(
    @JsonProperty("nats") NatsConfig nats,
    @JsonProperty("status") StatusConfig status,
    @JsonProperty("index") Integer index,
    @JsonProperty("local_ip") String localIp,
    @JsonProperty("external_uri") String externalUri,
    @JsonProperty("host") String host,
    @JsonProperty("port") Integer port,
    @JsonProperty("data_dir") String dataDir,
    @JsonProperty("database") DatabaseConfig database,
    @JsonProperty("allow_registration") Boolean allowRegistration,
    @JsonProperty("admins") List<Admin> admins,
    @JsonProperty("token_expiration_seconds") Long tokenExpirationSeconds,
    @JsonProperty("password_hash_iterations") Integer passwordHashIterations,
    @JsonProperty("default_limits") Limits defaultLimits,
    @JsonProperty("admin_limits") Limits adminLimits,
    @JsonProperty("max_package_mb") Integer maxPackageMb,
    @JsonProperty("staging_timeout_seconds") Integer stagingTimeoutSeconds,
    @JsonProperty("start_timeout_seconds") Integer startTimeoutSeconds,
    @JsonProperty("cc_partition") String ccPartition,
    @JsonProperty("services") ServicesConfig services,
    @JsonProperty("primary_scaling_platform") String primaryScalingPlatform,
    @JsonProperty("local_platform") LocalPlatformConfig localPlatform,
    @JsonProperty("openstack_config") String openstackConfig,
    @JsonProperty("ec2_config") String ec2Config,
    @JsonProperty("docker_config") String dockerConfig,
    @JsonProperty("drains") DrainsConfig drains) implements ComponentConfig {

  /** The config without {@code drains} (the key came later; callers predate it). */
  public ControllerConfig(NatsConfig nats, StatusConfig status, Integer index, String localIp,
      String externalUri, String host, Integer port, String dataDir, DatabaseConfig database,
      Boolean allowRegistration, List<Admin> admins, Long tokenExpirationSeconds,
      Integer passwordHashIterations, Limits defaultLimits, Limits adminLimits,
      Integer maxPackageMb, Integer stagingTimeoutSeconds, Integer startTimeoutSeconds,
      String ccPartition, ServicesConfig services, String primaryScalingPlatform,
      LocalPlatformConfig localPlatform, String openstackConfig, String ec2Config,
      String dockerConfig) {
    this(nats, status, index, localIp, externalUri, host, port, dataDir, database,
        allowRegistration, admins, tokenExpirationSeconds, passwordHashIterations,
        defaultLimits, adminLimits, maxPackageMb, stagingTimeoutSeconds, startTimeoutSeconds,
        ccPartition, services, primaryScalingPlatform, localPlatform, openstackConfig,
        ec2Config, dockerConfig, null);
  }

  /** The config without {@code docker_config} (the key came later; callers predate it). */
  public ControllerConfig(NatsConfig nats, StatusConfig status, Integer index, String localIp,
      String externalUri, String host, Integer port, String dataDir, DatabaseConfig database,
      Boolean allowRegistration, List<Admin> admins, Long tokenExpirationSeconds,
      Integer passwordHashIterations, Limits defaultLimits, Limits adminLimits,
      Integer maxPackageMb, Integer stagingTimeoutSeconds, Integer startTimeoutSeconds,
      String ccPartition, ServicesConfig services, String primaryScalingPlatform,
      LocalPlatformConfig localPlatform, String openstackConfig, String ec2Config) {
    this(nats, status, index, localIp, externalUri, host, port, dataDir, database,
        allowRegistration, admins, tokenExpirationSeconds, passwordHashIterations,
        defaultLimits, adminLimits, maxPackageMb, stagingTimeoutSeconds, startTimeoutSeconds,
        ccPartition, services, primaryScalingPlatform, localPlatform, openstackConfig,
        ec2Config, null, null);
  }

  /**
   * {@code drains:} forwarding app log lines to syslog endpoints (log drains).
   *
   * @param queueSize lines kept per drain while its endpoint is unreachable; beyond it the
   *     oldest are dropped (and counted)
   * @param backoffInitialMs first wait before reconnecting to an endpoint that is down
   * @param backoffMaxMs the wait doubles up to this
   * @param refreshMs how often the drain list is reread (drains added through another
   *     controller) and dropped counts are added up in the database
   * @param connectTimeoutMs bound of one connection attempt (TCP and TLS handshake)
   * @param maxPerApp drains one app may have
   * @param caFile a PEM file of CA certificates trusted for {@code syslog-tls} besides the
   *     JDK's trust store (a private CA); null: the JDK's only
   */
  public record DrainsConfig(
      @JsonProperty("queue_size") Integer queueSize,
      @JsonProperty("backoff_initial_ms") Long backoffInitialMs,
      @JsonProperty("backoff_max_ms") Long backoffMaxMs,
      @JsonProperty("refresh_ms") Long refreshMs,
      @JsonProperty("connect_timeout_ms") Integer connectTimeoutMs,
      @JsonProperty("max_per_app") Integer maxPerApp,
      @JsonProperty("ca_file") String caFile) {

    public DrainsConfig {
      queueSize = queueSize == null ? 1_000 : queueSize;
      backoffInitialMs = backoffInitialMs == null ? 500L : backoffInitialMs;
      backoffMaxMs = backoffMaxMs == null ? 30_000L : backoffMaxMs;
      refreshMs = refreshMs == null ? 5_000L : refreshMs;
      connectTimeoutMs = connectTimeoutMs == null ? 5_000 : connectTimeoutMs;
      maxPerApp = maxPerApp == null ? 10 : maxPerApp;
    }

    public static DrainsConfig defaults() {
      return new DrainsConfig(null, null, null, null, null, null, null);
    }

    void validate() {
      if (queueSize < 1) {
        throw new ConfigException("drains.queue_size", "must be at least 1");
      }
      if (backoffInitialMs < 10 || backoffMaxMs < backoffInitialMs) {
        throw new ConfigException("drains.backoff_max_ms", "backoff_initial_ms must be at "
            + "least 10 and backoff_max_ms at least backoff_initial_ms");
      }
      if (refreshMs < 100) {
        throw new ConfigException("drains.refresh_ms", "must be at least 100");
      }
      if (connectTimeoutMs < 100) {
        throw new ConfigException("drains.connect_timeout_ms", "must be at least 100");
      }
      if (maxPerApp < 1) {
        throw new ConfigException("drains.max_per_app", "must be at least 1");
      }
    }
  }

  /**
   * {@code local_platform:} how the {@code local} scaling platform starts a DEA on this machine
   * from the DEA template (the micro cloud's default platform).
   *
   * @param deaJar the DEA component jar
   * @param template the DEA template: a DEA config file (NATS address and credentials, memory);
   *     every launched DEA gets its own base directory under {@code workDir}
   * @param workDir where launched DEAs keep their files and logs
   * @param javaOptions JVM options of launched DEAs
   */
  public record LocalPlatformConfig(
      @JsonProperty("dea_jar") String deaJar,
      @JsonProperty("template") String template,
      @JsonProperty("work_dir") String workDir,
      @JsonProperty("java_options") List<String> javaOptions) {

    public LocalPlatformConfig {
      javaOptions = javaOptions == null ? List.of("-Xmx128m", "-XX:+UseSerialGC")
          : List.copyOf(javaOptions);
    }
  }

  /**
   * The controller as services gateway (PROTOCOL.md 9.3).
   *
   * @param nodeTimeoutMs how long a node has to answer provision, bind and their reverses
   * @param freshnessMs a type is available while a node announced it within this window
   *     (default three 10 s announcement intervals)
   */
  public record ServicesConfig(
      @JsonProperty("node_timeout_ms") Long nodeTimeoutMs,
      @JsonProperty("freshness_ms") Long freshnessMs) {

    public ServicesConfig {
      nodeTimeoutMs = nodeTimeoutMs == null ? 5_000L : nodeTimeoutMs;
      freshnessMs = freshnessMs == null ? 30_000L : freshnessMs;
    }
  }

  /** An administrator created (or reset) at every start. */
  public record Admin(@JsonProperty("email") String email,
      @JsonProperty("password") String password) {

    @Override
    public String toString() {
      return "Admin{email=" + email + "}";
    }
  }

  /** Per-user quota, as shown in {@code /info}. */
  public record Limits(
      @JsonProperty("memory_mb") Integer memoryMb,
      @JsonProperty("app_uris") Integer appUris,
      @JsonProperty("services") Integer services,
      @JsonProperty("apps") Integer apps) {
  }

  public ControllerConfig {
    nats = nats == null ? new NatsConfig(null, null, null, null, null, null) : nats;
    status = status == null ? StatusConfig.defaults() : status;
    externalUri = externalUri == null ? "api.localhost" : externalUri.toLowerCase();
    host = host == null ? "0.0.0.0" : host;
    port = port == null ? 9022 : port;
    dataDir = dataDir == null ? defaultDataDir() : dataDir;
    database = database == null ? DatabaseConfig.defaults() : database;
    allowRegistration = allowRegistration == null || allowRegistration;
    admins = admins == null ? List.of() : List.copyOf(admins);
    tokenExpirationSeconds = tokenExpirationSeconds == null ? 7 * 24 * 3600L
        : tokenExpirationSeconds;
    passwordHashIterations = passwordHashIterations == null ? 210_000 : passwordHashIterations;
    defaultLimits = withDefaults(defaultLimits, new Limits(4096, 4, 16, 20));
    adminLimits = withDefaults(adminLimits, new Limits(32768, 16, 32, 200));
    maxPackageMb = maxPackageMb == null ? 512 : maxPackageMb;
    stagingTimeoutSeconds = stagingTimeoutSeconds == null ? 180 : stagingTimeoutSeconds;
    startTimeoutSeconds = startTimeoutSeconds == null ? 120 : startTimeoutSeconds;
    ccPartition = ccPartition == null ? "default" : ccPartition;
    services = services == null ? new ServicesConfig(null, null) : services;
    primaryScalingPlatform = primaryScalingPlatform == null ? "none"
        : primaryScalingPlatform.toLowerCase();
    localPlatform = localPlatform == null ? new LocalPlatformConfig(null, null, null, null)
        : localPlatform;
    drains = drains == null ? DrainsConfig.defaults() : drains;
  }

  /** This config with other services settings (tests use short windows). */
  public ControllerConfig withServices(ServicesConfig value) {
    return new ControllerConfig(nats, status, index, localIp, externalUri, host, port, dataDir,
        database, allowRegistration, admins, tokenExpirationSeconds, passwordHashIterations,
        defaultLimits, adminLimits, maxPackageMb, stagingTimeoutSeconds, startTimeoutSeconds,
        ccPartition, value, primaryScalingPlatform, localPlatform, openstackConfig, ec2Config,
        dockerConfig, drains);
  }

  /** This config with another scaling platform (tests). */
  public ControllerConfig withScaling(String platform, LocalPlatformConfig local) {
    return new ControllerConfig(nats, status, index, localIp, externalUri, host, port, dataDir,
        database, allowRegistration, admins, tokenExpirationSeconds, passwordHashIterations,
        defaultLimits, adminLimits, maxPackageMb, stagingTimeoutSeconds, startTimeoutSeconds,
        ccPartition, services, platform, local, openstackConfig, ec2Config, dockerConfig,
        drains);
  }

  /** This config with other drain settings (tests use short backoffs and small queues). */
  public ControllerConfig withDrains(DrainsConfig value) {
    return new ControllerConfig(nats, status, index, localIp, externalUri, host, port, dataDir,
        database, allowRegistration, admins, tokenExpirationSeconds, passwordHashIterations,
        defaultLimits, adminLimits, maxPackageMb, stagingTimeoutSeconds, startTimeoutSeconds,
        ccPartition, services, primaryScalingPlatform, localPlatform, openstackConfig, ec2Config,
        dockerConfig, value);
  }

  public Path dataPath() {
    return Path.of(dataDir);
  }

  public long maxPackageBytes() {
    return maxPackageMb * 1024L * 1024L;
  }

  private static Limits withDefaults(Limits given, Limits defaults) {
    if (given == null) {
      return defaults;
    }
    return new Limits(
        given.memoryMb() != null ? given.memoryMb() : defaults.memoryMb(),
        given.appUris() != null ? given.appUris() : defaults.appUris(),
        given.services() != null ? given.services() : defaults.services(),
        given.apps() != null ? given.apps() : defaults.apps());
  }

  private static String defaultDataDir() {
    String home = System.getenv("UPDRAFT_HOME");
    return Path.of(home != null ? home : System.getProperty("user.home") + "/.updraft",
        "controller").toString();
  }

  /** The app domain: the external URI minus its first label ({@code api.example.com}). */
  public String domain() {
    int dot = externalUri.indexOf('.');
    return dot < 0 ? externalUri : externalUri.substring(dot + 1);
  }

  @Override
  public ComponentConfig validate() {
    ComponentConfig.super.validate();
    database.validate();
    if (!java.util.Set.of("none", "local", "docker", "openstack", "ec2")
        .contains(primaryScalingPlatform)) {
      throw new ConfigException("primary_scaling_platform", "expected none, local, docker, "
          + "openstack or ec2, got '" + primaryScalingPlatform + "'");
    }
    if ("local".equals(primaryScalingPlatform) && (localPlatform.deaJar() == null
        || localPlatform.template() == null)) {
      throw new ConfigException("local_platform",
          "the local platform needs dea_jar and template");
    }
    if (port < 0 || port > 65535) {
      throw new ConfigException("port", "must be between 0 and 65535");
    }
    if (!externalUri.matches("[a-z0-9-]+(\\.[a-z0-9-]+)+")) {
      throw new ConfigException("external_uri", "expected a host name like api.example.com");
    }
    for (int i = 0; i < admins.size(); i++) {
      Admin a = admins.get(i);
      if (a.email() == null || a.password() == null || a.password().isEmpty()) {
        throw new ConfigException("admins[" + i + "]", "needs email and password");
      }
    }
    if (tokenExpirationSeconds < 60) {
      throw new ConfigException("token_expiration_seconds", "must be at least 60");
    }
    if (stagingTimeoutSeconds < 1) {
      throw new ConfigException("staging_timeout_seconds", "must be positive");
    }
    if (startTimeoutSeconds < 1) {
      throw new ConfigException("start_timeout_seconds", "must be positive");
    }
    if (maxPackageMb < 1) {
      throw new ConfigException("max_package_mb", "must be at least 1");
    }
    if (services.nodeTimeoutMs() < 100) {
      throw new ConfigException("services.node_timeout_ms", "must be at least 100");
    }
    if (services.freshnessMs() < 100) {
      throw new ConfigException("services.freshness_ms", "must be at least 100");
    }
    drains.validate();
    if (passwordHashIterations < 1_000) {
      throw new ConfigException("password_hash_iterations", "must be at least 1000");
    }
    return this;
  }
}
