package io.updraft.dea;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.bus.NatsConfig;
import io.updraft.common.config.ComponentConfig;
import io.updraft.common.config.ConfigException;
import io.updraft.common.config.StatusConfig;
import io.updraft.common.container.ContainerNetwork;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The DEA's config: the keys every component has plus its own. Defaults follow CF v1
 * (PROTOCOL.md 3.1); durations are milliseconds ({@code *_ms}) so tests can shrink them.
 *
 * <pre>
 * base_dir: /var/lib/updraft/dea      # apps/, staged/ (droplet cache), db/instances.json
 * max_memory_mb: 4096                 # memory all instances may reserve together
 * max_instances: 64                   # instance slots (v1 "max clients")
 * runtimes: []                        # runtime names accepted; empty = any
 * prod: false                         # true: only apps flagged prod
 * app_path: /usr/local/bin:/usr/bin:/bin   # PATH given to app processes
 * intervals: {heartbeat_ms: 2000, advertise_ms: 5000, monitor_ms: 2000, reaper_ms: 30000}
 * start_timeout_ms: 60000             # port must open within this, else CRASHED
 * stop_grace_ms: 10000                # SIGTERM .. SIGKILL
 * evacuation_delay_ms: 30000          # DEA_EVACUATION notice .. stopping instances
 * crash_retention_ms: 3600000         # CRASHED records (and their files) kept this long
 * default_disk_quota_mb: 256          # when the start message has no limits.disk
 * droplet_cache_mb: 4096              # staged/ is pruned, least recently used first
 * memory_limits: auto                 # auto (cgroup v2/v1 if writable, else RSS) | rss
 * shutdown_action: evacuate           # evacuate | leave_running (upgrades: re-adopt at restart)
 * files: {host: 0.0.0.0, port: 0, user: null, password: null, secret: null, token_max_ttl_s: 3600}
 * isolation:                          # see Isolation
 *   mode: auto                        # auto | container | process
 *   users: auto                       # process mode: one uid per instance when root
 *   runtime: auto                     # auto (crun, then runc) | crun | runc
 *   stack: /var/lib/updraft/stacks/bookworm   # root file system of every container
 *   network: 10.254.0.0/16            # a /30 per container
 *   allowed_host_ports: []            # ports of this host containers may reach
 *   pids: 512                         # processes and threads per container
 *   tmp_mb: 64                        # private /tmp per container
 *   uid_base: 20000
 *   uid_count: 1000
 * node_id: null                       # the scaling platform's node id (set by the platform
 *                                     # that launched this DEA; carried in dea.advertise)
 * </pre>
 */
public record DeaConfig(
    @JsonProperty("nats") NatsConfig nats,
    @JsonProperty("status") StatusConfig status,
    @JsonProperty("index") Integer index,
    @JsonProperty("local_ip") String localIp,
    @JsonProperty("base_dir") String baseDir,
    @JsonProperty("max_memory_mb") Long maxMemoryMb,
    @JsonProperty("max_instances") Integer maxInstances,
    @JsonProperty("runtimes") List<String> runtimes,
    @JsonProperty("prod") Boolean prod,
    @JsonProperty("app_path") String appPath,
    @JsonProperty("intervals") Intervals intervals,
    @JsonProperty("start_timeout_ms") Long startTimeoutMs,
    @JsonProperty("stop_grace_ms") Long stopGraceMs,
    @JsonProperty("evacuation_delay_ms") Long evacuationDelayMs,
    @JsonProperty("crash_retention_ms") Long crashRetentionMs,
    @JsonProperty("default_disk_quota_mb") Integer defaultDiskQuotaMb,
    @JsonProperty("droplet_cache_mb") Long dropletCacheMb,
    @JsonProperty("memory_limits") MemoryLimits memoryLimits,
    @JsonProperty("shutdown_action") ShutdownAction shutdownAction,
    @JsonProperty("files") Files files,
    @JsonProperty("isolation") Isolation isolation,
    @JsonProperty("node_id") String nodeId) implements ComponentConfig {

  /** How memory limits are enforced. */
  public enum MemoryLimits {
    /** A writable memory cgroup (v2, else v1) when there is one, else RSS polling. */
    @JsonProperty("auto") AUTO,
    /** Always RSS polling of the process tree (e.g. when cgroups belong to someone else). */
    @JsonProperty("rss") RSS
  }

  /** What the DEA does with its instances when it is stopped (SIGTERM). */
  public enum ShutdownAction {
    /** Publish DEA_EVACUATION, wait {@code evacuation_delay_ms}, stop them (DEA_SHUTDOWN). */
    @JsonProperty("evacuate") EVACUATE,
    /** Leave them running; the next DEA start on this base dir re-adopts them. */
    @JsonProperty("leave_running") LEAVE_RUNNING
  }

  public DeaConfig {
    nats = nats == null ? new NatsConfig(null, null, null, null, null, null) : nats;
    status = status == null ? StatusConfig.defaults() : status;
    baseDir = baseDir == null ? "/var/lib/updraft/dea" : baseDir;
    maxMemoryMb = maxMemoryMb == null ? 4096L : maxMemoryMb;
    maxInstances = maxInstances == null ? 64 : maxInstances;
    runtimes = runtimes == null ? List.of() : List.copyOf(runtimes);
    prod = prod != null && prod;
    appPath = appPath == null ? "/usr/local/bin:/usr/bin:/bin" : appPath;
    intervals = intervals == null ? new Intervals(null, null, null, null) : intervals;
    startTimeoutMs = startTimeoutMs == null ? 60_000L : startTimeoutMs;
    stopGraceMs = stopGraceMs == null ? 10_000L : stopGraceMs;
    evacuationDelayMs = evacuationDelayMs == null ? 30_000L : evacuationDelayMs;
    crashRetentionMs = crashRetentionMs == null ? 3_600_000L : crashRetentionMs;
    defaultDiskQuotaMb = defaultDiskQuotaMb == null ? 256 : defaultDiskQuotaMb;
    dropletCacheMb = dropletCacheMb == null ? 4096L : dropletCacheMb;
    memoryLimits = memoryLimits == null ? MemoryLimits.AUTO : memoryLimits;
    shutdownAction = shutdownAction == null ? ShutdownAction.EVACUATE : shutdownAction;
    files = files == null ? new Files(null, null, null, null, null, null) : files;
    isolation = isolation == null
        ? new Isolation(null, null, null, null, null, null, null, null, null, null) : isolation;
  }

  /**
   * {@code isolation:} — how instances are kept apart.
   *
   * <p>{@code mode: container} runs each instance in its own container on an OCI runtime
   * (namespaces, its own network, cgroup limits, the shared read-only {@code stack});
   * {@code process} runs it as a process of this host (a development mode), as its own
   * unprivileged uid when the DEA is root ({@code users}); {@code auto} (default) takes
   * containers wherever they can run (root, a runtime that runs one, the stack) and says in one
   * log line and in {@code /varz} which backend it chose and why.
   *
   * <p>{@code users} (process mode only): {@code auto} gives each instance its own uid when
   * the DEA runs as root with {@code setpriv} and {@code base_dir} reachable by other users;
   * {@code on} refuses to start otherwise; {@code off} runs apps as the DEA's own user.
   * Uids come from {@code uid_base .. uid_base + uid_count - 1} in both modes.
   */
  public record Isolation(
      @JsonProperty("mode") Mode mode,
      @JsonProperty("users") Users users,
      @JsonProperty("runtime") String runtime,
      @JsonProperty("stack") String stack,
      @JsonProperty("network") String network,
      @JsonProperty("allowed_host_ports") List<Integer> allowedHostPorts,
      @JsonProperty("pids") Integer pids,
      @JsonProperty("tmp_mb") Integer tmpMb,
      @JsonProperty("uid_base") Integer uidBase,
      @JsonProperty("uid_count") Integer uidCount) {

    /** Which backend runs instances. */
    public enum Mode {
      @JsonProperty("auto") AUTO,
      @JsonProperty("container") CONTAINER,
      @JsonProperty("process") PROCESS
    }

    /** Whether process-mode instances get their own uid. */
    public enum Users {
      @JsonProperty("auto") AUTO,
      @JsonProperty("on") ON,
      @JsonProperty("off") OFF
    }

    public Isolation {
      mode = mode == null ? Mode.AUTO : mode;
      users = users == null ? Users.AUTO : users;
      runtime = runtime == null ? "auto" : runtime;
      stack = stack == null ? "/var/lib/updraft/stacks/bookworm" : stack;
      network = network == null ? "10.254.0.0/16" : network;
      allowedHostPorts = allowedHostPorts == null ? List.of() : List.copyOf(allowedHostPorts);
      pids = pids == null ? 512 : pids;
      tmpMb = tmpMb == null ? 64 : tmpMb;
      uidBase = uidBase == null ? 20_000 : uidBase;
      uidCount = uidCount == null ? 1_000 : uidCount;
    }

    /** Process mode with the given uid policy and defaults for the rest (tests, tools). */
    public static Isolation process(Users users) {
      return new Isolation(Mode.PROCESS, users, null, null, null, null, null, null, null, null);
    }

    @JsonIgnore
    public Path stackPath() {
      return Path.of(stack).toAbsolutePath().normalize();
    }
  }

  /** Timer periods, milliseconds. */
  public record Intervals(
      @JsonProperty("heartbeat_ms") Long heartbeatMs,
      @JsonProperty("advertise_ms") Long advertiseMs,
      @JsonProperty("monitor_ms") Long monitorMs,
      @JsonProperty("reaper_ms") Long reaperMs) {

    public Intervals {
      heartbeatMs = heartbeatMs == null ? 2_000L : heartbeatMs;
      advertiseMs = advertiseMs == null ? 5_000L : advertiseMs;
      monitorMs = monitorMs == null ? 2_000L : monitorMs;
      reaperMs = reaperMs == null ? 30_000L : reaperMs;
    }
  }

  /**
   * {@code files:} — the instance file server. Basic-auth credentials are generated at each
   * start when absent (published in {@code dea.find.droplet} replies, the v1 way); with a
   * {@code secret}, signed tokens minted by the controller are accepted too (see
   * {@code io.updraft.common.security.FileToken}).
   */
  public record Files(
      @JsonProperty("host") String host,
      @JsonProperty("port") Integer port,
      @JsonProperty("user") String user,
      @JsonProperty("password") String password,
      @JsonProperty("secret") String secret,
      @JsonProperty("token_max_ttl_s") Long tokenMaxTtlSeconds) {

    public Files {
      host = host == null ? "0.0.0.0" : host;
      port = port == null ? 0 : port;
      tokenMaxTtlSeconds = tokenMaxTtlSeconds == null ? 3_600L : tokenMaxTtlSeconds;
    }

    @Override
    public String toString() {
      return "Files{host=" + host + ", port=" + port + ", user=" + user + ", password="
          + (password == null ? null : "***") + ", secret=" + (secret == null ? null : "***")
          + ", token_max_ttl_s=" + tokenMaxTtlSeconds + "}";
    }
  }

  @JsonIgnore
  public Path basePath() {
    return Path.of(baseDir).toAbsolutePath().normalize();
  }

  public Duration startTimeout() {
    return Duration.ofMillis(startTimeoutMs);
  }

  public Duration stopGrace() {
    return Duration.ofMillis(stopGraceMs);
  }

  public Duration crashRetention() {
    return Duration.ofMillis(crashRetentionMs);
  }

  @Override
  public ComponentConfig validate() {
    ComponentConfig.super.validate();
    positive("max_memory_mb", maxMemoryMb);
    positive("max_instances", maxInstances);
    positive("intervals.heartbeat_ms", intervals.heartbeatMs());
    positive("intervals.advertise_ms", intervals.advertiseMs());
    positive("intervals.monitor_ms", intervals.monitorMs());
    positive("intervals.reaper_ms", intervals.reaperMs());
    positive("start_timeout_ms", startTimeoutMs);
    positive("crash_retention_ms", crashRetentionMs);
    positive("default_disk_quota_mb", defaultDiskQuotaMb);
    positive("droplet_cache_mb", dropletCacheMb);
    positive("files.token_max_ttl_s", files.tokenMaxTtlSeconds());
    if (stopGraceMs < 0) {
      throw new ConfigException("stop_grace_ms", "must not be negative");
    }
    if (evacuationDelayMs < 0) {
      throw new ConfigException("evacuation_delay_ms", "must not be negative");
    }
    if (files.port() < 0 || files.port() > 65535) {
      throw new ConfigException("files.port", "must be between 0 and 65535, got " + files.port());
    }
    if ((files.user() == null) != (files.password() == null)) {
      throw new ConfigException("files." + (files.user() == null ? "user" : "password"),
          "user and password go together");
    }
    if (files.secret() != null && files.secret().length() < 16) {
      throw new ConfigException("files.secret", "must be at least 16 characters");
    }
    if (isolation.uidBase() < 1000) {
      throw new ConfigException("isolation.uid_base", "must be at least 1000 (no system uids)");
    }
    positive("isolation.uid_count", isolation.uidCount());
    positive("isolation.pids", isolation.pids());
    positive("isolation.tmp_mb", isolation.tmpMb());
    if (!List.of("auto", "crun", "runc").contains(isolation.runtime())) {
      throw new ConfigException("isolation.runtime", "must be auto, crun or runc, got "
          + isolation.runtime());
    }
    try {
      new ContainerNetwork(isolation.network());
    } catch (IllegalArgumentException e) {
      throw new ConfigException("isolation.network", e.getMessage());
    }
    for (Integer port : isolation.allowedHostPorts()) {
      if (port == null || port < 1 || port > 65535) {
        throw new ConfigException("isolation.allowed_host_ports", "ports are 1 to 65535, got "
            + port);
      }
    }
    if (baseDir.isBlank()) {
      throw new ConfigException("base_dir", "must not be empty");
    }
    return this;
  }

  private static void positive(String key, Number value) {
    if (value.longValue() <= 0) {
      throw new ConfigException(key, "must be positive, got " + value);
    }
  }
}
