package io.updraft.stager.buildpack;

import io.updraft.common.protocol.staging.StagingProperties;
import io.updraft.stager.StagerConfig;
import io.updraft.stager.isolation.Sandbox;
import io.updraft.stager.process.BuildProcess;
import io.updraft.stager.task.Deadline;
import io.updraft.stager.task.StagingException;
import io.updraft.stager.task.StagingLog;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Everything a buildpack may use while staging one app: the droplet being built, the
 * request's properties, the stager's limits and registries, the task's deadline and log, and
 * a way to run build steps under those limits with a clean environment, in the task's
 * {@link Sandbox} (a container, or a process of the stager's host). Paths a step is given
 * (tools, caches) are as the step sees them.
 */
public final class BuildContext {

  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  /** Memory an app gets when the request does not say (the v1 default). */
  static final int DEFAULT_APP_MEMORY_MB = 256;
  /** A registry that does not answer this fast is treated as unreachable. */
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

  private final Path dropletDir;
  private final StagingProperties properties;
  private final StagerConfig config;
  private final Deadline deadline;
  private final StagingLog log;
  private final Sandbox sandbox;
  private final Map<String, String> env;
  private final HttpClient http;

  public BuildContext(Path dropletDir, StagingProperties properties, StagerConfig config,
      Deadline deadline, StagingLog log, Map<String, String> stagerEnv, Sandbox sandbox,
      HttpClient http) {
    this.dropletDir = dropletDir;
    this.properties = properties;
    this.config = config;
    this.deadline = deadline;
    this.log = log;
    this.sandbox = sandbox;
    this.env = buildEnvironment(sandbox.baseEnvironment(stagerEnv), properties);
    env.putAll(sandbox.cacheEnvironment());
    this.http = http;
  }

  /**
   * The environment of build steps: the sandbox's base (the tools' PATH, HOME, TMPDIR,
   * proxies), MEMORY_LIMIT, then the app's own variables.
   */
  static Map<String, String> buildEnvironment(Map<String, String> base,
      StagingProperties properties) {
    Map<String, String> env = new LinkedHashMap<>(base);
    env.put("MEMORY_LIMIT", appMemoryMb(properties) + "m");
    for (String entry : properties.environment()) {
      int eq = entry.indexOf('=');
      if (eq > 0 && NAME.matcher(entry.substring(0, eq)).matches()) {
        env.put(entry.substring(0, eq), entry.substring(eq + 1));
      }
    }
    return env;
  }

  static int appMemoryMb(StagingProperties properties) {
    StagingProperties.Resources r = properties.resources();
    return r == null || r.memoryMb() == null || r.memoryMb() <= 0 ? DEFAULT_APP_MEMORY_MB
        : r.memoryMb();
  }

  public Path dropletDir() {
    return dropletDir;
  }

  /** The app inside the droplet ({@code app/}); buildpacks compile in place. */
  public Path appDir() {
    return dropletDir.resolve("app");
  }

  public StagingProperties properties() {
    return properties;
  }

  public StagerConfig config() {
    return config;
  }

  public Deadline deadline() {
    return deadline;
  }

  public StagingLog log() {
    return log;
  }

  /** The app's memory limit in MB (what the DEA will enforce). */
  public int appMemoryMb() {
    return appMemoryMb(properties);
  }

  public Map<String, String> env() {
    return Map.copyOf(env);
  }

  /** An executable named {@code tool} where build steps find it, as they see it. */
  public Optional<Path> which(String tool) {
    return sandbox.which(tool, env.getOrDefault("PATH", ""));
  }

  /** Fails with a clear message when a tool the buildpack needs is missing. */
  public Path require(String tool, String buildpack) throws StagingException {
    return which(tool).orElseThrow(() -> new StagingException(
        sandbox.missingTool(tool, buildpack)));
  }

  /** The Maven local repository of {@code maven_local_repo}, as build steps see it. */
  public Optional<String> mavenLocalRepo() {
    return sandbox.mavenLocalRepo();
  }

  /** Runs a build step in the app directory, under the time and memory limits. */
  public BuildProcess.Result run(List<String> command, Map<String, String> extraEnv)
      throws StagingException {
    Map<String, String> processEnv = new LinkedHashMap<>(env);
    processEnv.putAll(extraEnv);
    log.line("$ " + String.join(" ", command));
    return sandbox.run(command, processEnv, deadline, config.maxMemoryMb(), log);
  }

  /**
   * Why build steps cannot use the package registry at {@code url} (ends a sentence that
   * begins with the registry's name), or empty when it answers. Asked before an install, so
   * an unreachable registry fails fast with a clear error instead of after the tool's retries.
   */
  public Optional<String> registryProblem(String url) {
    Optional<String> problem = sandbox.registryProblem(url);
    if (problem.isPresent()) {
      return problem;
    }
    return reachable(url) ? Optional.empty() : Optional.of("is not reachable from this stager");
  }

  /**
   * Whether a package registry answers at all (any HTTP status counts): asked before an
   * install so an unreachable one fails fast with a clear error instead of after the tool's
   * retries.
   */
  public boolean reachable(String url) {
    try {
      Duration timeout = PROBE_TIMEOUT.compareTo(deadline.remaining()) < 0 ? PROBE_TIMEOUT
          : deadline.remaining();
      if (timeout.isZero()) {
        return false;
      }
      HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
          .method("HEAD", HttpRequest.BodyPublishers.noBody()).build();
      http.send(request, HttpResponse.BodyHandlers.discarding());
      return true;
    } catch (IOException | IllegalArgumentException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
