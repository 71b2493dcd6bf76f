package io.updraft.stager.isolation;

import io.updraft.stager.StagerConfig;
import io.updraft.stager.process.BuildProcess;
import io.updraft.stager.task.Deadline;
import io.updraft.stager.task.StagingException;
import io.updraft.stager.task.StagingLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Build steps as processes of the stager's host, with the stager's own rights (a development
 * mode, {@code isolation.mode: process}): the tools on the stager's PATH, its HOME, the
 * stager's shared package caches, the memory limit on the RSS of the step's process tree
 * ({@link BuildProcess}).
 */
public final class ProcessIsolation implements BuildIsolation {

  /** Variables of the stager's own environment a build may see; nothing else leaks (secrets). */
  static final Set<String> PASSED_THROUGH = Set.of("PATH", "HOME", "LANG", "LC_ALL", "TZ",
      "JAVA_HOME", "MAVEN_HOME", "M2_HOME", "PYENV_ROOT", "http_proxy", "https_proxy",
      "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY");

  private final StagerConfig config;

  public ProcessIsolation(StagerConfig config) {
    this.config = config;
  }

  @Override
  public String name() {
    return "process";
  }

  @Override
  public Sandbox open(String appId, Path taskDir, Path appDir, Path tmpDir) {
    return sandbox(config, appDir, tmpDir);
  }

  /** The sandbox of a task building in {@code appDir} (also what unit tests build in). */
  public static Sandbox sandbox(StagerConfig config, Path appDir, Path tmpDir) {
    return new ProcessSandbox(config, appDir, tmpDir);
  }

  private record ProcessSandbox(StagerConfig config, Path appDir, Path tmpDir)
      implements Sandbox {

    @Override
    public Map<String, String> baseEnvironment(Map<String, String> stagerEnv) {
      Map<String, String> env = new LinkedHashMap<>();
      stagerEnv.forEach((k, v) -> {
        if (PASSED_THROUGH.contains(k) && v != null) {
          env.put(k, v);
        }
      });
      env.putIfAbsent("PATH", "/usr/local/bin:/usr/bin:/bin");
      env.putIfAbsent("LANG", "C.UTF-8");
      env.put("TMPDIR", tmpDir.toString());
      return env;
    }

    @Override
    public Map<String, String> cacheEnvironment() {
      // the stager's own package caches (shared by its tasks; what an offline npm draws on),
      // rather than whatever the stager's HOME holds
      return Map.of("npm_config_cache", config.workPath().resolve("cache/npm").toString(),
          "PIP_CACHE_DIR", config.workPath().resolve("cache/pip").toString());
    }

    @Override
    public Optional<String> mavenLocalRepo() {
      return Optional.ofNullable(config.mavenLocalRepo());
    }

    @Override
    public Optional<Path> which(String tool, String path) {
      for (String dir : path.split(":")) {
        if (!dir.isEmpty()) {
          Path candidate = Path.of(dir, tool);
          if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
            return Optional.of(candidate);
          }
        }
      }
      return Optional.empty();
    }

    @Override
    public String missingTool(String tool, String buildpack) {
      return "The " + buildpack + " buildpack needs " + tool
          + ", which is not installed on this stager";
    }

    @Override
    public Optional<String> registryProblem(String url) {
      return Optional.empty();
    }

    @Override
    public BuildProcess.Result run(List<String> command, Map<String, String> env,
        Deadline deadline, int maxMemoryMb, StagingLog log) throws StagingException {
      return BuildProcess.run(command, appDir, env, deadline, maxMemoryMb, log);
    }

    @Override
    public void close() {
      // nothing held
    }
  }
}
