package io.updraft.stager.isolation;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Where the build steps of staging tasks run: as processes of the stager's host
 * ({@link ProcessIsolation}) or each in a container on the stack ({@link ContainerIsolation}).
 * Chosen once at start by {@link IsolationChoice}; shared by every task (thread-safe).
 */
public interface BuildIsolation {

  /** {@code process} or {@code container}, as logged and shown in {@code /varz}. */
  String name();

  /**
   * The sandbox of one task, closed when the task ends. Blocking.
   *
   * @param appId the app being staged (its package caches are its own in a container)
   * @param taskDir the task's private directory; the sandbox may keep files there
   * @param appDir the app being built (inside the droplet directory)
   * @param tmpDir the task's temporary directory on the stager's host
   */
  Sandbox open(String appId, Path taskDir, Path appDir, Path tmpDir) throws IOException;
}
