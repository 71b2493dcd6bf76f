package io.updraft.kato.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.updraft.common.testing.NatsServer;
import io.updraft.kato.node.NodeConfig;
import io.updraft.kato.roles.Roles;
import io.updraft.kato.supervisor.Backoff;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code $UPDRAFT_HOME} as a core node's agent leaves it: the home passable (0711: the DEA's
 * apps are below it) but not listable, and everything of kato's in it (node.yml, the token, the
 * process logs and pid files, the rendered configs, NATS's config and JetStream store, the
 * cluster state) its user's alone; an older install's readable modes are tightened at start,
 * and the DEA's directory (apps' files) is left as it is.
 */
class PrivateHomeIT {

  private static final Roles ROLES = Roles.load(Path.of(
      "src/test/resources/private-home-roles.yml"));
  private static final NodeAgent.Options FAST = new NodeAgent.Options(
      new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofMinutes(1)),
      Duration.ofMillis(300), Duration.ofSeconds(5), Duration.ofMillis(500),
      Duration.ofSeconds(3));
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  Path tmp;

  private NodeAgent agent;

  @AfterEach
  void stop() {
    if (agent != null) {
      agent.close();
    }
  }

  @Test
  void theAgentKeepsKatosStatePrivateAndTightensWhatAnOlderVersionLeft() throws Exception {
    Path home = tmp.resolve("updraft");
    Path jars = Files.createDirectories(tmp.resolve("jars"));
    Files.writeString(jars.resolve("updraft-router.jar"), "a stand-in: it does not start");
    // what an older version left: readable logs, config, pid file and JetStream store
    Path oldLog = old(home.resolve("logs/dea.log"));
    Path oldPid = old(home.resolve("logs/run/dea.pid"));
    Path oldConfig = old(home.resolve("config/dea.yml"));
    Path oldStore = old(home.resolve("data/nats/jetstream/$G/streams/UPDRAFT_LOGS/msgs/1.blk"));
    Path oldAgentPid = old(home.resolve("agent.pid"));
    Path appFile = old(home.resolve("dea/apps/a1/app/app.py"));
    try (Stream<Path> all = Files.walk(home)) {
      for (Path dir : all.filter(Files::isDirectory).toList()) {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
    }
    new NodeConfig(null, null, "core-1", "127.0.0.1", List.of("core"), true, null,
        "api.127.0.0.1.xip.io", NatsServer.freePort(), NatsServer.freePort(),
        NatsServer.freePort(), null, jars.toString()).write(home.resolve("node.yml"));

    agent = new NodeAgent(home, ROLES, FAST);
    agent.start();
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(state("nats")).isEqualTo("RUNNING");
      assertThat(state("sleeper")).isEqualTo("RUNNING");
      assertThat(home.resolve("config/router.yml")).exists();
      assertThat(home.resolve("logs/run/sleeper.pid")).exists();
    });

    assertThat(mode(home)).isEqualTo("rwx--x--x");
    for (String file : List.of("node.yml", "agent.token", "logs/nats.log", "logs/sleeper.log",
        "logs/router.log", "logs/run/nats.pid", "logs/run/sleeper.pid", "config/nats.conf",
        "config/router.yml", "cluster/updraft.config/cluster.json")) {
      assertThat(mode(home.resolve(file))).as(file).isEqualTo("rw-------");
    }
    for (String dir : List.of("logs", "logs/run", "config", "cluster", "cluster/updraft.config",
        "cluster/updraft.nodes", "data/nats")) {
      assertThat(mode(home.resolve(dir))).as(dir).isEqualTo("rwx------");
    }
    // passable, not listable: the data servers' users reach their own directories below it
    assertThat(mode(home.resolve("data"))).isEqualTo("rwx--x--x");
    for (Path file : List.of(oldLog, oldPid, oldConfig, oldStore, oldAgentPid)) {
      assertThat(mode(file)).as(file.toString()).isEqualTo("rw-------");
    }
    assertThat(mode(oldStore.getParent())).isEqualTo("rwx------");
    // the DEA's: apps' files, left as they were
    assertThat(mode(appFile)).isEqualTo("rw-r--r--");
    assertThat(mode(home.resolve("dea"))).isEqualTo("rwxr-xr-x");

    // stopped (nothing changes under the walk), nothing of kato's can be reached by another
    // user: it is private itself or behind a private directory (nats-server makes its store's
    // files with its own modes)
    agent.close();
    agent = null;
    UserPrincipal me = Files.getOwner(Files.createTempFile(tmp, "me", ".tmp"));
    try (Stream<Path> all = Files.walk(home)) {
      for (Path p : all.filter(p -> !p.equals(home) && !p.startsWith(home.resolve("dea")))
          .toList()) {
        assertThat(Files.getOwner(p, LinkOption.NOFOLLOW_LINKS)).as("owner of %s", p)
            .isEqualTo(me);
        assertThat(reachableByOthers(home, p)).as("%s (%s) reachable by others", p, mode(p))
            .isFalse();
      }
    }
  }

  private String state(String process) {
    for (JsonNode p : agent.status(false).path("nodes").path(0).path("processes")) {
      if (process.equals(p.path("name").asText())) {
        return p.path("state").asText();
      }
    }
    return null;
  }

  /** A file as an older version left it: 0644. */
  private static Path old(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, "old");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    return file;
  }

  /** Whether a user other than the owner could read {@code p}: every directory on the way. */
  private static boolean reachableByOthers(Path home, Path p) {
    for (Path dir = p.getParent(); !dir.equals(home); dir = dir.getParent()) {
      Set<PosixFilePermission> perms = perms(dir);
      if (!perms.contains(PosixFilePermission.OTHERS_EXECUTE)
          && !perms.contains(PosixFilePermission.GROUP_EXECUTE)) {
        return false;
      }
    }
    Set<PosixFilePermission> perms = perms(p);
    return perms.contains(PosixFilePermission.OTHERS_READ)
        || perms.contains(PosixFilePermission.GROUP_READ)
        || perms.contains(PosixFilePermission.OTHERS_WRITE)
        || perms.contains(PosixFilePermission.GROUP_WRITE);
  }

  private static Set<PosixFilePermission> perms(Path p) {
    try {
      return Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String mode(Path p) {
    return PosixFilePermissions.toString(perms(p));
  }
}
