package io.updraft.dea.isolation;

import io.updraft.common.container.BundleFiles;
import io.updraft.common.container.ContainerNetwork;
import io.updraft.common.container.ContainerSupport;
import io.updraft.dea.DeaConfig;
import io.updraft.dea.process.CgroupMemory;
import io.updraft.dea.process.UserIsolation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the backend at start from {@code isolation.mode}: containers wherever they can run
 * ({@code auto}, {@code container}), the process backend when asked for ({@code process}) or,
 * in {@code auto}, loudly when containers cannot run here. One log line says which and why;
 * {@code /varz} shows the same. Blocking.
 */
public final class BackendChoice {

  private static final Logger log = LoggerFactory.getLogger(BackendChoice.class);

  /** The chosen backend and the reason, as logged. */
  public record Choice(InstanceBackend backend, String reason) {
  }

  private BackendChoice() {
  }

  /**
   * @throws IllegalStateException with {@code isolation.mode: container} when containers
   *     cannot run here (the DEA refuses to start), or {@code users: on} when uids cannot be
   */
  public static Choice choose(DeaConfig config, String host, Optional<CgroupMemory> cgroup)
      throws IOException {
    DeaConfig.Isolation isolation = config.isolation();
    Path apps = config.basePath().resolve("apps");
    if (isolation.mode() == DeaConfig.Isolation.Mode.PROCESS) {
      return chosen(processBackend(config, cgroup, apps), "isolation.mode is process", false);
    }
    Path bundles = config.basePath().resolve("containers");
    Files.createDirectories(bundles);
    Files.setPosixFilePermissions(bundles, PosixFilePermissions.fromString("rwx------"));
    ContainerSupport.Detection found = ContainerSupport.detect(isolation.runtime(),
        isolation.stackPath(), BundleFiles.stateRoot(bundles), bundles);
    String problem = found.available() ? null : found.reason();
    if (found.available()) {
      ContainerBackend backend = new ContainerBackend(isolation, found.runtime(),
          new ContainerNetwork(isolation.network()), cgroup, bundles, host);
      try {
        backend.prepareHost();
        // only the DEA (root) walks apps/: each container sees its own directory alone
        Files.setPosixFilePermissions(apps, PosixFilePermissions.fromString("rwx------"));
        return chosen(backend, found.reason(), false);
      } catch (IOException e) {
        problem = "host network setup failed: " + e.getMessage();
      }
    }
    if (isolation.mode() == DeaConfig.Isolation.Mode.CONTAINER) {
      throw new IllegalStateException("isolation: container unavailable: " + problem);
    }
    return chosen(processBackend(config, cgroup, apps),
        "container unavailable: " + problem + "; apps run as processes of this host", true);
  }

  private static ProcessBackend processBackend(DeaConfig config, Optional<CgroupMemory> cgroup,
      Path apps) throws IOException {
    return new ProcessBackend(config, cgroup, UserIsolation.detect(config.isolation(), apps));
  }

  private static Choice chosen(InstanceBackend backend, String reason, boolean fallback) {
    var event = fallback ? log.atWarn() : log.atInfo();
    event.setMessage("dea.isolation").addKeyValue("backend", backend.name())
        .addKeyValue("reason", reason).log();
    return new Choice(backend, reason);
  }
}
