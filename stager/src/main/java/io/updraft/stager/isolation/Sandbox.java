package io.updraft.stager.isolation;

import io.updraft.stager.process.BuildProcess;
import io.updraft.stager.task.Deadline;
import io.updraft.stager.task.StagingException;
import io.updraft.stager.task.StagingLog;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the build steps of one staging task run in, and how they see the world: paths (tools,
 * caches, temporary files) are given as the step sees them, which in a container is not where
 * they are on the stager's host. One task uses it from one worker thread.
 */
public interface Sandbox extends AutoCloseable {

  /**
   * The variables every step starts from ({@code PATH}, {@code HOME}, {@code TMPDIR},
   * {@code LANG}, proxies), before {@code MEMORY_LIMIT} and the app's own variables.
   *
   * @param stagerEnv the stager's own environment: only a few named variables are taken
   */
  Map<String, String> baseEnvironment(Map<String, String> stagerEnv);

  /** The package caches ({@code npm_config_cache}, {@code PIP_CACHE_DIR}); set last. */
  Map<String, String> cacheEnvironment();

  /** The Maven local repository offline builds resolve from, as the step sees it. */
  Optional<String> mavenLocalRepo();

  /**
   * {@code tool} as a step would run it, or empty.
   *
   * @param path the {@code PATH} of the step's environment (the app may have changed it)
   */
  Optional<Path> which(String tool, String path);

  /** The staging error when {@code tool}, which {@code buildpack} needs, is not there. */
  String missingTool(String tool, String buildpack);

  /**
   * Why a step cannot use a package registry at {@code url} although the stager may reach
   * it (a loopback address seen from a container), or empty.
   */
  Optional<String> registryProblem(String url);

  /**
   * Runs one step in the app directory under the task's deadline and the memory limit,
   * its output streamed to {@code log} line by line. Blocking.
   *
   * @throws io.updraft.stager.task.StagingTimeoutException when the deadline passes first
   * @throws StagingException over the memory limit, or when the step cannot be started
   */
  BuildProcess.Result run(List<String> command, Map<String, String> env, Deadline deadline,
      int maxMemoryMb, StagingLog log) throws StagingException;

  /** Gives back what the task held (its uid, its cache); never throws. */
  @Override
  void close();
}
