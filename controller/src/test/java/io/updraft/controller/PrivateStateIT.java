package io.updraft.controller;

import static io.updraft.common.testing.Futures.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.updraft.common.bus.NatsBus;
import io.updraft.common.testing.NatsServer;
import io.updraft.common.testing.NatsServerExtension;
import io.updraft.controller.api.ApiClient;
import io.updraft.controller.db.DatabaseConfig;
import io.updraft.controller.fakes.FakeDea;
import io.updraft.controller.fakes.FakeStager;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller's state is its user's alone: an app on the same machine must not read the
 * database (token secret, service credentials), other users' packages and droplets, or the
 * staging logs. Directories 0700, files 0600, owned by the user the controller runs as; an older
 * install's readable modes are tightened at start.
 */
@ExtendWith(NatsServerExtension.class)
class PrivateStateIT {

  private static final Duration WAIT = Duration.ofSeconds(15);

  @TempDir
  Path tmp;

  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  @Test
  void databaseBlobsAndStagingLogsAreTheControllersAlone(NatsServer nats) throws Exception {
    Path data = tmp.resolve("var").resolve("controller");
    RunningController controller = RunningController.start(RunningController.config(
        nats.config(), data, DatabaseConfig.defaults()));
    open.add(controller);
    Vertx vertx = Vertx.vertx();
    open.add(() -> result(vertx.close()));
    NatsBus bus = result(NatsBus.connect(vertx, nats.config(), "fakes",
        new SimpleMeterRegistry()));
    open.add(() -> result(bus.close()));
    new FakeStager(bus);
    FakeDea dea = new FakeDea(bus, "0-dea1");
    open.add(dea::close);
    result(bus.flush());

    ApiClient ann = controller.api().login("ann@example.com", "pw1");
    assertThat(ann.post("/apps", "{\"name\":\"web\",\"uris\":[\"web.updraft.test\"],"
        + "\"resources\":{\"memory\":128}}").status()).isEqualTo(302);
    assertThat(ann.upload("web", zip("index.html", "<h1>v1</h1>"), "[]").status())
        .isEqualTo(200);
    await().atMost(WAIT).untilAsserted(() -> {
      dea.advertise(4096);
      assertThat(ann.put("/apps/web", "{\"state\":\"STARTED\"}").status()).isEqualTo(200);
    });
    await().atMost(WAIT).until(() -> dea.starts.size() == 1);

    assertThat(mode(data)).isEqualTo("rwx------");
    // the parent is not the controller's: it may be shared with the DEA's apps
    assertThat(mode(data.getParent())).isNotEqualTo("rwx------");
    assertThat(mode(data.resolve("controller.mv.db"))).isEqualTo("rw-------");
    assertThat(mode(data.resolve("blobs"))).isEqualTo("rwx------");
    Path packageBlob = single(data.resolve("blobs").resolve("packages"));
    assertThat(mode(packageBlob)).isEqualTo("rw-------");
    assertThat(mode(packageBlob.getParent())).isEqualTo("rwx------");
    assertThat(mode(single(data.resolve("blobs").resolve("droplets")))).isEqualTo("rw-------");
    assertThat(mode(single(data.resolve("blobs").resolve("resources")))).isEqualTo("rw-------");
    await().atMost(WAIT).until(() -> Files.isDirectory(data.resolve("staging-logs"))
        && !files(data.resolve("staging-logs")).isEmpty());
    assertThat(mode(single(data.resolve("staging-logs")))).isEqualTo("rw-------");
    // and nothing else slipped through: every directory 0700, every file its owner's only
    UserPrincipal me = Files.getOwner(Files.createTempFile(tmp, "me", ".tmp"));
    try (Stream<Path> all = Files.walk(data)) {
      for (Path p : all.toList()) {
        assertThat(Files.getOwner(p, LinkOption.NOFOLLOW_LINKS)).as("owner of %s", p)
            .isEqualTo(me);
        assertThat(mode(p)).as("mode of %s", p)
            .isIn(Files.isDirectory(p) ? List.of("rwx------") : List.of("rw-------", "r--------"));
      }
    }
  }

  @Test
  void anOlderInstallsReadableStateIsTightenedAtStartButNotTheAppsOfALocalDea(NatsServer nats)
      throws Exception {
    Path data = tmp.resolve("controller");
    Path blob = data.resolve("blobs/packages/ab/cd/abcd" + "0".repeat(36));
    Path log = data.resolve("staging-logs/7.log");
    Path deaLog = data.resolve("local-deas/local-dea-1/dea.log");
    Path appFile = data.resolve("local-deas/local-dea-1/base/apps/x/app.py");
    for (Path file : List.of(blob, log, deaLog, appFile)) {
      Files.createDirectories(file.getParent());
      Files.writeString(file, "old");
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    }
    try (Stream<Path> all = Files.walk(data)) {
      for (Path dir : all.filter(Files::isDirectory).toList()) {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
    }

    open.add(RunningController.start(RunningController.config(nats.config(), data,
        DatabaseConfig.defaults())));

    assertThat(mode(data)).isEqualTo("rwx------");
    assertThat(mode(blob)).isEqualTo("rw-------");
    assertThat(mode(blob.getParent())).isEqualTo("rwx------");
    assertThat(mode(data.resolve("blobs"))).isEqualTo("rwx------");
    assertThat(mode(log)).isEqualTo("rw-------");
    assertThat(mode(deaLog)).isEqualTo("rw-------");
    assertThat(mode(data.resolve("local-deas/local-dea-1"))).isEqualTo("rwx------");
    // what the DEA keeps in its base dir is the DEA's (apps' files): left as it was
    assertThat(mode(appFile)).isEqualTo("rw-r--r--");
    assertThat(mode(appFile.getParent())).isEqualTo("rwxr-xr-x");
    assertThat(mode(data.resolve("controller.mv.db"))).isEqualTo("rw-------");
  }

  private static String mode(Path p) {
    try {
      return PosixFilePermissions.toString(Files.getPosixFilePermissions(p,
          LinkOption.NOFOLLOW_LINKS));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static List<Path> files(Path dir) throws java.io.IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      return all.filter(Files::isRegularFile).toList();
    }
  }

  private static Path single(Path dir) throws java.io.IOException {
    List<Path> files = files(dir);
    assertThat(files).as("files in %s", dir).hasSize(1);
    return files.get(0);
  }

  private static byte[] zip(String name, String content) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.putNextEntry(new ZipEntry(name));
      zip.write(content.getBytes(StandardCharsets.UTF_8));
      zip.closeEntry();
    }
    return out.toByteArray();
  }
}
