package io.updraft.stager;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.bus.NatsConfig;
import io.updraft.common.config.ComponentConfig;
import io.updraft.common.config.ConfigException;
import io.updraft.common.config.StatusConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

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
    @JsonProperty("maven_local_repo") String mavenLocalRepo) implements ComponentConfig {

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
  }

  /** Defaults everywhere except the bus (tests, embedded use). */
  public static StagerConfig defaults(NatsConfig nats) {
    return new StagerConfig(nats, null, null, null, null, null, null, null, null, null, null,
        null, null);
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
        mavenLocalRepo);
  }

  public StagerConfig withMaxStagingSeconds(int seconds) {
    return new StagerConfig(nats, status, index, localIp, workDir, seconds, maxMemoryMb,
        maxPackageMb, maxActiveTasks, offline, pipIndexUrl, npmRegistryUrl, mavenLocalRepo);
  }

  public StagerConfig withRegistries(String pipIndex, String npmRegistry, boolean offline) {
    return new StagerConfig(nats, status, index, localIp, workDir, maxStagingSeconds,
        maxMemoryMb, maxPackageMb, maxActiveTasks, offline, pipIndex, npmRegistry,
        mavenLocalRepo);
  }

  public StagerConfig withMaxPackageMb(int mb) {
    return new StagerConfig(nats, status, index, localIp, workDir, maxStagingSeconds,
        maxMemoryMb, mb, maxActiveTasks, offline, pipIndexUrl, npmRegistryUrl, mavenLocalRepo);
  }

  private static void positive(String key, int value) {
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
