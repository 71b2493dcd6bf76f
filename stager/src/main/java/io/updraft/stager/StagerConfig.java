package io.updraft.stager;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.bus.NatsConfig;
import io.updraft.common.config.ComponentConfig;
import io.updraft.common.config.ConfigException;
import io.updraft.common.config.StatusConfig;
import io.updraft.common.container.ContainerNetwork;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The stager's config: the keys every component has, plus where and how staging runs.
 *
 * <pre>
 * work_dir: /var/vcap/data/stager     # one temp dir per task below it, removed afterwards
 * max_staging_seconds: 120            # whole task; build processes are killed at the limit
 * max_memory_mb: 1024                 # RSS of a build's process tree (mvn, npm, pip)
 * max_package_mb: 512                 # package zip, and its unpacked size
 * max_active_tasks: 2                 # tasks run at once; more wait here in arrival order
 * offline: false                      # true: never contact package registries
 * pip_index_url: https://pypi.org/simple/
 * npm_registry_url: https://registry.npmjs.org/
 * maven_local_repo: /root/.m2/repository   # absent: Maven's default
 * isolation:                          # see Isolation
 *   mode: auto                        # auto | container | process
 *   runtime: auto                     # auto (crun, then runc) | crun | runc
 *   stack: /var/lib/updraft/stacks/bookworm   # root file system of build containers
 *   network: 10.253.0.0/16            # a /30 per build step (the DEA's default is 10.254/16)
 *   allowed_host_ports: []            # ports of this host build steps may reach
 *   pids: 512                         # processes and threads per build step
 *   tmp_mb: 64                        # private /tmp per build step
 *   uid_base: 30000                   # build steps run as uid_base .. + uid_count - 1
 *   uid_count: 100
 * </pre>
 *
 * <p>Reachability of the pip index and the npm registry is probed before an install
 * (instead of a {@code pip_index_reachable} switch an operator has to keep true): the stager
 * then fails fast with a clear message rather than after the tool's own retries.
 *
 * @param workDir where tasks unpack, build and pack; absent: {@code $TMPDIR/updraft-stager}
 * @param maxStagingSeconds time limit of one staging task (PROTOCOL.md 7.3: 120 s)
 * @param maxMemoryMb memory limit of build processes (RSS of the whole process tree)
 * @param maxPackageMb largest package download and unpacked package (v1 {@code max_droplet_size})
 * @param maxActiveTasks how many tasks this stager runs at once (the CF stager's
 *     {@code max_active_tasks})
 * @param offline true when package registries must not be contacted at all
 * @param pipIndexUrl the Python package index {@code pip install} uses
 * @param npmRegistryUrl the npm registry {@code npm install} uses
 * @param mavenLocalRepo the local repository offline Maven builds resolve from
 * @param isolation where build steps run: containers or processes of this host
 */
public record StagerConfig(
    @JsonProperty("nats") NatsConfig nats,
    @JsonProperty("status") StatusConfig status,
    @JsonProperty("index") Integer index,
    @JsonProperty("local_ip") String localIp,
    @JsonProperty("work_dir") String workDir,
    @JsonProperty("max_staging_seconds") Integer maxStagingSeconds,
    @JsonProperty("max_memory_mb") Integer maxMemoryMb,
    @JsonProperty("max_package_mb") Integer maxPackageMb,
    @JsonProperty("max_active_tasks") Integer maxActiveTasks,
    @JsonProperty("offline") Boolean offline,
    @JsonProperty("pip_index_url") String pipIndexUrl,
    @JsonProperty("npm_registry_url") String npmRegistryUrl,
    @JsonProperty("maven_local_repo") String mavenLocalRepo,
    @JsonProperty("isolation") Isolation isolation) implements ComponentConfig {

  /**
   * {@code isolation:} — where build steps (pip, npm, Maven: code of the app's author) run.
   *
   * <p>{@code mode: container} runs each build step in its own container on an OCI runtime,
   * on the same read-only {@code stack} the DEA runs apps on: the task's app directory is the
   * only thing of the host it can write, it runs as an unprivileged uid of {@code uid_base ..
   * uid_base + uid_count - 1}, under the staging memory limit ({@code max_memory_mb}) and
   * {@code pids}, in its own network namespace (a {@code /30} of {@code network}) that reaches
   * the outside through NAT but nothing on this host except {@code allowed_host_ports}.
   * {@code process} runs steps as processes of this host with the stager's rights (a
   * development mode); {@code auto} (default) takes containers wherever they can run (root, a
   * runtime that runs one, the stack) and says in one log line and in {@code /varz} which it
   * chose and why.
   *
   * <p>{@code network} and the uid range should differ from the DEA's (and from another
   * stager's) on the same host: addresses and uids then never mix in logs and rules.
   */
  public record Isolation(
      @JsonProperty("mode") Mode mode,
      @JsonProperty("runtime") String runtime,
      @JsonProperty("stack") String stack,
      @JsonProperty("network") String network,
      @JsonProperty("allowed_host_ports") List<Integer> allowedHostPorts,
      @JsonProperty("pids") Integer pids,
      @JsonProperty("tmp_mb") Integer tmpMb,
      @JsonProperty("uid_base") Integer uidBase,
      @JsonProperty("uid_count") Integer uidCount) {

    /** Where build steps run. */
    public enum Mode {
      @JsonProperty("auto") AUTO,
      @JsonProperty("container") CONTAINER,
      @JsonProperty("process") PROCESS
    }

    public Isolation {
      mode = mode == null ? Mode.AUTO : mode;
      runtime = runtime == null ? "auto" : runtime;
      stack = stack == null ? "/var/lib/updraft/stacks/bookworm" : stack;
      network = network == null ? "10.253.0.0/16" : network;
      allowedHostPorts = allowedHostPorts == null ? List.of() : List.copyOf(allowedHostPorts);
      pids = pids == null ? 512 : pids;
      tmpMb = tmpMb == null ? 64 : tmpMb;
      uidBase = uidBase == null ? 30_000 : uidBase;
      uidCount = uidCount == null ? 100 : uidCount;
    }

    /** {@code mode} with defaults for the rest. */
    public static Isolation of(Mode mode) {
      return new Isolation(mode, null, null, null, null, null, null, null, null);
    }

    @JsonIgnore
    public Path stackPath() {
      return Path.of(stack).toAbsolutePath().normalize();
    }

    void validate() {
      if (uidBase < 1000) {
        throw new ConfigException("isolation.uid_base", "must be at least 1000 (no system uids)");
      }
      positive("isolation.uid_count", uidCount);
      positive("isolation.pids", pids);
      positive("isolation.tmp_mb", tmpMb);
      if (!List.of("auto", "crun", "runc").contains(runtime)) {
        throw new ConfigException("isolation.runtime", "must be auto, crun or runc, got "
            + runtime);
      }
      try {
        new ContainerNetwork(network);
      } catch (IllegalArgumentException e) {
        throw new ConfigException("isolation.network", e.getMessage());
      }
      for (Integer port : allowedHostPorts) {
        if (port == null || port < 1 || port > 65535) {
          throw new ConfigException("isolation.allowed_host_ports", "ports are 1 to 65535, got "
              + port);
        }
      }
    }
  }

  public StagerConfig {
    nats = nats == null ? new NatsConfig(null, null, null, null, null, null) : nats;
    status = status == null ? StatusConfig.defaults() : status;
    workDir = workDir == null
        ? Path.of(System.getProperty("java.io.tmpdir"), "updraft-stager").toString() : workDir;
    maxStagingSeconds = maxStagingSeconds == null ? 120 : maxStagingSeconds;
    maxMemoryMb = maxMemoryMb == null ? 1024 : maxMemoryMb;
    maxPackageMb = maxPackageMb == null ? 512 : maxPackageMb;
    maxActiveTasks = maxActiveTasks == null ? 2 : maxActiveTasks;
    offline = offline != null && offline;
    pipIndexUrl = pipIndexUrl == null ? "https://pypi.org/simple/" : pipIndexUrl;
    npmRegistryUrl = npmRegistryUrl == null ? "https://registry.npmjs.org/" : npmRegistryUrl;
    isolation = isolation == null ? Isolation.of(null) : isolation;
  }

  /** Defaults everywhere except the bus (tests, embedded use). */
  public static StagerConfig defaults(NatsConfig nats) {
    return new StagerConfig(nats, null, null, null, null, null, null, null, null, null, null,
        null, null, null);
  }

  @Override
  public StagerConfig validate() {
    ComponentConfig.super.validate();
    positive("max_staging_seconds", maxStagingSeconds);
    positive("max_memory_mb", maxMemoryMb);
    positive("max_package_mb", maxPackageMb);
    positive("max_active_tasks", maxActiveTasks);
    if (workDir.isBlank()) {
      throw new ConfigException("work_dir", "must not be empty");
    }
    httpUrl("pip_index_url", pipIndexUrl);
    httpUrl("npm_registry_url", npmRegistryUrl);
    isolation.validate();
    return this;
  }

  public Path workPath() {
    return Path.of(workDir);
  }

  public Duration maxStaging() {
    return Duration.ofSeconds(maxStagingSeconds);
  }

  public long maxPackageBytes() {
    return maxPackageMb * 1024L * 1024L;
  }

  public StagerConfig withWorkDir(Path dir) {
    return new StagerConfig(nats, status, index, localIp, dir.toString(), maxStagingSeconds,
        maxMemoryMb, maxPackageMb, maxActiveTasks, offline, pipIndexUrl, npmRegistryUrl,
        mavenLocalRepo, isolation);
  }

  public StagerConfig withMaxStagingSeconds(int seconds) {
    return new StagerConfig(nats, status, index, localIp, workDir, seconds, maxMemoryMb,
        maxPackageMb, maxActiveTasks, offline, pipIndexUrl, npmRegistryUrl, mavenLocalRepo,
        isolation);
  }

  public StagerConfig withRegistries(String pipIndex, String npmRegistry, boolean offline) {
    return new StagerConfig(nats, status, index, localIp, workDir, maxStagingSeconds,
        maxMemoryMb, maxPackageMb, maxActiveTasks, offline, pipIndex, npmRegistry,
        mavenLocalRepo, isolation);
  }

  public StagerConfig withMaxPackageMb(int mb) {
    return new StagerConfig(nats, status, index, localIp, workDir, maxStagingSeconds,
        maxMemoryMb, mb, maxActiveTasks, offline, pipIndexUrl, npmRegistryUrl, mavenLocalRepo,
        isolation);
  }

  public StagerConfig withMaxMemoryMb(int mb) {
    return new StagerConfig(nats, status, index, localIp, workDir, maxStagingSeconds, mb,
        maxPackageMb, maxActiveTasks, offline, pipIndexUrl, npmRegistryUrl, mavenLocalRepo,
        isolation);
  }

  public StagerConfig withIsolation(Isolation isolation) {
    return new StagerConfig(nats, status, index, localIp, workDir, maxStagingSeconds,
        maxMemoryMb, maxPackageMb, maxActiveTasks, offline, pipIndexUrl, npmRegistryUrl,
        mavenLocalRepo, isolation);
  }

  static void positive(String key, int value) {
    if (value <= 0) {
      throw new ConfigException(key, "must be positive, got " + value);
    }
  }

  private static void httpUrl(String key, String value) {
    try {
      URI uri = URI.create(value);
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())
          || uri.getHost() == null) {
        throw new ConfigException(key, "expected an http(s) URL");
      }
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, "not a URL");
    }
  }
}
