package io.updraft.stager.isolation;

import io.updraft.common.container.BundleFiles;
import io.updraft.common.container.ContainerNetwork;
import io.updraft.common.container.ContainerSupport;
import io.updraft.stager.StagerConfig;
import io.updraft.stager.StagerConfig.Isolation.Mode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks where build steps run, at start, from {@code isolation.mode}: containers wherever they
 * can run ({@code auto}, {@code container}), processes of this host when asked for
 * ({@code process}) or, in {@code auto}, loudly when containers cannot run here. One log line
 * ({@code stager.isolation backend=... reason=...}) says which and why; {@code /varz} shows
 * the same. Blocking (it runs a probe container).
 */
public final class IsolationChoice {

  private static final Logger log = LoggerFactory.getLogger(IsolationChoice.class);

  /** The chosen isolation and the reason, as logged. */
  public record Choice(BuildIsolation isolation, String reason) {
  }

  private IsolationChoice() {
  }

  /**
   * @throws IllegalStateException with {@code isolation.mode: container} when containers
   *     cannot run here (the stager refuses to start), naming the reason
   */
  public static Choice choose(StagerConfig config) throws IOException {
    StagerConfig.Isolation isolation = config.isolation();
    if (isolation.mode() == Mode.PROCESS) {
      return chosen(new ProcessIsolation(config), "isolation.mode is process", false);
    }
    Path containers = config.workPath().resolve("containers");
    Files.createDirectories(containers);
    Files.setPosixFilePermissions(containers, PosixFilePermissions.fromString("rwx------"));
    ContainerSupport.Detection found = ContainerSupport.detect(isolation.runtime(),
        isolation.stackPath(), BundleFiles.stateRoot(containers), containers);
    String problem = found.available() ? null : found.reason();
    if (found.available()) {
      ContainerIsolation containerIsolation = new ContainerIsolation(config, found.runtime(),
          new ContainerNetwork(isolation.network()), containers);
      try {
        containerIsolation.prepareHost();
        return chosen(containerIsolation, found.reason(), false);
      } catch (IOException e) {
        problem = "host network setup failed: " + e.getMessage();
      }
    }
    if (isolation.mode() == Mode.CONTAINER) {
      throw new IllegalStateException("isolation: container unavailable: " + problem);
    }
    return chosen(new ProcessIsolation(config), "container unavailable: " + problem
        + "; build steps run as processes of this host, with the stager's rights", true);
  }

  private static Choice chosen(BuildIsolation isolation, String reason, boolean fallback) {
    var event = fallback ? log.atWarn() : log.atInfo();
    event.setMessage("stager.isolation").addKeyValue("backend", isolation.name())
        .addKeyValue("reason", reason).log();
    return new Choice(isolation, reason);
  }
}
