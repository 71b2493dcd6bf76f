package io.updraft.systemtests;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.testcontainers.DockerClientFactory;

/**
 * The images under test: {@code docker/build-images} run once per test JVM on the jars the
 * reactor just built (the layer cache makes a rebuild cost only the jars' layers). A missing
 * engine skips the calling test with the reason; a failing build fails it.
 */
final class Images {

  /** The source tree: failsafe runs in {@code system-tests/}. */
  static final Path SOURCE_TREE = Path.of("").toAbsolutePath().getParent();
  static final Path LOGS = SOURCE_TREE.resolve("system-tests/target/system-test-logs");
  private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(15);
  private static boolean built;

  private Images() {
  }

  /** Skips the test unless an engine answers, then builds the images once. */
  static synchronized void ensureBuilt() throws Exception {
    assumeTrue(DockerClientFactory.instance().isDockerAvailable(), "no Docker engine answers "
        + "(scripts/setup-docker starts one as root); skipping the container system tests");
    if (built) {
      return;
    }
    Files.createDirectories(LOGS);
    Path log = LOGS.resolve("build-images.log");
    Process build = new ProcessBuilder(List.of("bash",
        SOURCE_TREE.resolve("docker/build-images").toString()))
        .directory(SOURCE_TREE.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    if (!build.waitFor(BUILD_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      build.destroyForcibly();
      throw new IllegalStateException("docker/build-images took over " + BUILD_TIMEOUT
          + "; see " + log);
    }
    if (build.exitValue() != 0) {
      throw new IllegalStateException("docker/build-images failed:\n" + Files.readString(log));
    }
    built = true;
  }

  static String image(String component) {
    return "updraft/" + component + ":latest";
  }
}
