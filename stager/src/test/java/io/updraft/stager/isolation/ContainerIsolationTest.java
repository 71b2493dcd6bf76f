package io.updraft.stager.isolation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.updraft.common.bus.NatsConfig;
import io.updraft.common.container.ContainerNetwork;
import io.updraft.common.container.OciRuntime;
import io.updraft.stager.StagerConfig;
import io.updraft.stager.StagerConfig.Isolation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The container sandbox's view of the world, without running a container. */
class ContainerIsolationTest {

  @TempDir
  Path tmp;

  private ContainerIsolation isolation(boolean offline, int uids) throws Exception {
    StagerConfig config = StagerConfig.defaults(NatsConfig.of("nats://127.0.0.1:4222", null,
            null))
        .withWorkDir(Files.createDirectories(tmp.resolve("work")))
        .withRegistries("https://pypi.org/simple/", "https://registry.npmjs.org/", offline)
        .withIsolation(new Isolation(Isolation.Mode.CONTAINER, null, null, null, null, null,
            null, 30_000, uids));
    return new ContainerIsolation(config, new OciRuntime("runc", Path.of("/nonexistent/runc"),
        tmp.resolve("state")), new ContainerNetwork("10.253.0.0/16"), tmp.resolve("containers"));
  }

  private Sandbox open(ContainerIsolation iso, String appId, String task) throws Exception {
    Path taskDir = Files.createDirectories(tmp.resolve(task));
    Path app = Files.createDirectories(taskDir.resolve("droplet/app"));
    return iso.open(appId, taskDir, app, Files.createDirectories(taskDir.resolve("tmp")));
  }

  @Test
  void aStepSeesContainerPathsAndNoneOfTheStagersOwnVariables() throws Exception {
    try (Sandbox s = open(isolation(false, 10), "app-1", "t1")) {
      Map<String, String> env = s.baseEnvironment(Map.of("PATH", "/opt/host/bin",
          "HOME", "/root", "JAVA_HOME", "/opt/jdk", "LANG", "de_DE.UTF-8",
          "UPDRAFT__NATS__PASSWORD", "secret", "https_proxy", "http://proxy:3128"));
      assertThat(env).containsExactlyInAnyOrderEntriesOf(Map.of(
          "PATH", "/usr/local/bin:/usr/bin:/bin", "HOME", "/home/vcap",
          "LANG", "de_DE.UTF-8", "TMPDIR", "/home/vcap/tmp", "https_proxy",
          "http://proxy:3128"));
      assertThat(s.cacheEnvironment()).containsEntry("npm_config_cache", "/home/vcap/cache/npm")
          .containsEntry("PIP_CACHE_DIR", "/home/vcap/cache/pip");
      assertThat(s.registryProblem("http://127.0.0.1:3141/simple/")).get().asString()
          .startsWith("is on this stager's loopback");
      assertThat(s.registryProblem("http://localhost/")).isPresent();
      assertThat(s.registryProblem("https://pypi.org/simple/")).isEmpty();
      assertThat(s.missingTool("mvn", "java-maven")).startsWith("mvn is not in the stack");
    }
  }

  @Test
  void eachRunningTaskHasItsOwnUidAndAnAppItsOwnCache() throws Exception {
    ContainerIsolation iso = isolation(false, 2);
    Sandbox a = open(iso, "app-1", "t1");
    Sandbox b = open(iso, "app-1", "t2");
    // the app's cache is a's while it builds: b gets one of its own, in its task
    assertThat(tmp.resolve("work/cache/apps").resolve(ContainerIsolation.cacheKey("app-1")))
        .isDirectory();
    assertThat(tmp.resolve("t2/cache/npm")).isDirectory();
    assertThatThrownBy(() -> open(iso, "app-2", "t3")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("isolation.uid_count");
    a.close();
    open(iso, "app-2", "t4").close();
    b.close();
    assertThat(ContainerIsolation.cacheKey("app-1")).hasSize(20)
        .isNotEqualTo(ContainerIsolation.cacheKey("app-2"));
  }

  @Test
  void offlineTheSharedNpmCacheIsCopiedWithItsPackagesLinked() throws Exception {
    Path shared = Files.createDirectories(tmp.resolve("shared"));
    Path content = Files.createDirectories(shared.resolve("_cacache/content-v2/sha512/ab"));
    Path pkg = Files.writeString(content.resolve("cd"), "tarball");
    Files.setPosixFilePermissions(pkg, PosixFilePermissions.fromString("rw-r--r--"));
    Path open = Files.writeString(content.resolve("ef"), "writable by all");
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-rw-rw-"));
    Path index = Files.createDirectories(shared.resolve("_cacache/index-v5/12"));
    Files.writeString(index.resolve("34"), "entry\n");
    Files.createDirectories(shared.resolve("_logs"));
    Path dest = tmp.resolve("copy");

    ContainerIsolation.seedOfflineNpmCache(shared, dest);

    Path copied = dest.resolve("_cacache/content-v2/sha512/ab");
    assertThat(Files.isSameFile(copied.resolve("cd"), pkg)).isTrue();
    assertThat(Files.isSameFile(copied.resolve("ef"), open)).isFalse();
    assertThat(dest.resolve("_cacache/index-v5/12/34")).hasContent("entry\n");
    assertThat(Files.isSameFile(dest.resolve("_cacache/index-v5/12/34"),
        index.resolve("34"))).isFalse();
    assertThat(dest.resolve("_logs")).doesNotExist();
  }

  @Test
  void offlineTheNpmCacheIsTheTasksCopy() throws Exception {
    try (Sandbox s = open(isolation(true, 10), "app-1", "t1")) {
      assertThat(s.cacheEnvironment()).containsEntry("npm_config_cache",
          "/home/vcap/npm-cache");
    }
  }

  @Test
  void mountPointsAreMadeOfPlainDirectoriesNeverThroughALinkAStepLeft() throws Exception {
    Path home = Files.createDirectories(tmp.resolve("home"));
    Path hostDir = Files.createDirectories(tmp.resolve("host-etc"));
    Files.createSymbolicLink(home.resolve(".m2"), hostDir);
    Files.writeString(home.resolve("tmp"), "a file where a directory goes");

    ContainerIsolation.plainDirectories(home, ".m2/repository");
    ContainerIsolation.plainDirectories(home, "tmp");

    assertThat(hostDir).isEmptyDirectory();
    assertThat(Files.isSymbolicLink(home.resolve(".m2"))).isFalse();
    assertThat(home.resolve(".m2/repository")).isDirectory();
    assertThat(home.resolve("tmp")).isDirectory();
  }
}
