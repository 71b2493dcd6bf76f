package io.updraft.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.updraft.common.protocol.Json;
import io.updraft.common.testing.NatsServer;
import io.updraft.common.testing.NatsServerExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The {@code updraft} client run as a process, the way developers and scripts use it. */
@ExtendWith(NatsServerExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClientIT {

  @TempDir
  static Path dir;

  private static Cloud cloud;
  private static Path config;

  /** What a client run printed and how it ended. */
  record Run(int status, String out, String err) {
    JsonNode json() {
      return Json.tree(out.getBytes(StandardCharsets.UTF_8));
    }
  }

  @BeforeAll
  static void startCloud(NatsServer nats) throws Exception {
    cloud = new Cloud(nats, dir);
    cloud.controller();
    cloud.stager();
    cloud.dea("dea-a");
    cloud.router();
    cloud.awaitComponents(Map.of("CloudController", 1, "Stager", 1, "DEA", 1, "Router", 1),
        Duration.ofSeconds(120));
    config = Files.createDirectories(dir.resolve("xdg"));
  }

  @AfterAll
  static void stopCloud() {
    if (cloud != null) {
      cloud.close();
    }
  }

  static Run updraft(String... args) throws Exception {
    return updraft(Map.of(), args);
  }

  static Run updraft(Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
        ComponentProcess.SOURCE_TREE.resolve("client/target/updraft-client.jar").toString()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile())
        .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(
            Path.of("/dev/null").toFile()));
    builder.environment().put("XDG_CONFIG_HOME", config.toString());
    builder.environment().remove("UPDRAFT_TARGET");
    builder.environment().remove("UPDRAFT_TOKEN");
    builder.environment().putAll(env);
    Process p = builder.start();
    assertThat(p.waitFor(240, TimeUnit.SECONDS)).as("updraft " + String.join(" ", args))
        .isTrue();
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  private static Path app(String name, Map<String, String> files) throws IOException {
    Path app = Files.createDirectories(dir.resolve(name));
    for (var f : files.entrySet()) {
      Files.writeString(app.resolve(f.getKey()), f.getValue());
    }
    return app;
  }

  @Test
  @Order(1)
  void withoutATargetOrLoginCommandsSayWhatToDo() throws Exception {
    Run apps = updraft("apps");
    assertThat(apps.status()).isEqualTo(1);
    assertThat(apps.err()).isEqualTo("updraft: no target set: run 'updraft target URL' first\n");

    Run unreachable = updraft("target", "http://127.0.0.1:" + NatsServer.freePort());
    assertThat(unreachable.status()).isEqualTo(1);
    assertThat(unreachable.err()).startsWith("updraft: cannot reach http://127.0.0.1:");

    assertThat(updraft("target", "http://127.0.0.1:" + cloud.apiPort).status()).isZero();
    Run notLoggedIn = updraft("apps");
    assertThat(notLoggedIn.err()).contains("not logged in");

    Run wrong = updraft("login", Cloud.ADMIN, "--password", "wrong");
    assertThat(wrong.status()).isEqualTo(1);
    assertThat(wrong.err()).isEqualTo("updraft: Operation not permitted\n");

    Run login = updraft("login", Cloud.ADMIN, "--password", Cloud.ADMIN_PASSWORD);
    assertThat(login.status()).isZero();
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(config.resolve("updraft/client.json"))))
        .isEqualTo("rw-------");
    assertThat(updraft("unknown-command").status()).isEqualTo(2);
  }

  @Test
  @Order(2)
  void pushWithAManifestThenScaleAndInspect() throws Exception {
    Path app = app("greeter", Map.of(
        "app.py", Files.readString(Cloud.example("python").resolve("app.py")),
        "manifest.yml", "name: greeter\nmemory: 128M\ninstances: 1\nenv:\n  GREETING: hi\n"));
    Run push = updraft("push", "--path", app.toString());
    assertThat(push.status()).as(push.err()).isZero();
    assertThat(push.out()).contains("Creating greeter... OK").contains("greeter is running")
        // the staging log, streamed while the stager works
        .contains("  Downloading application");

    Run apps = updraft("apps", "--json");
    JsonNode list = apps.json();
    assertThat(list).hasSize(1);
    assertThat(list.get(0).path("name").asText()).isEqualTo("greeter");
    assertThat(list.get(0).path("env").get(0).asText()).isEqualTo("GREETING=hi");

    // the app's log stream (issue 10): new instances' stdout shows up live, with instance
    Path followed = Files.createTempFile(dir, "follow", ".txt");
    Path followErr = Files.createTempFile(dir, "follow-err", ".txt");
    ProcessBuilder follow = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin",
        "java").toString(), "-jar", ComponentProcess.SOURCE_TREE.resolve(
            "client/target/updraft-client.jar").toString(), "logs", "greeter", "--follow")
        .redirectOutput(followed.toFile()).redirectError(followErr.toFile());
    follow.environment().put("XDG_CONFIG_HOME", config.toString());
    follow.environment().remove("UPDRAFT_TARGET");
    follow.environment().remove("UPDRAFT_TOKEN");
    Process following = follow.start();
    try {
      // following once the cloud answered: recent lines (with JetStream), else its notice
      await().atMost(Duration.ofSeconds(30)).until(() -> Files.size(followed) > 0
          || Files.readString(followErr).contains("keeps no recent log lines"));
      assertThat(updraft("instances", "greeter", "+2").out()).contains("1 -> 3 instances");
      await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
        JsonNode instances = updraft("instances", "greeter", "--json").json();
        assertThat(instances).hasSize(3);
        assertThat(instances.findValuesAsText("state")).containsOnly("RUNNING");
      });
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          assertThat(Files.readString(followed)).contains("[stdout/1] listening on port")
              .contains("[stdout/2] listening on port"));
      assertThat(following.isAlive()).isTrue();
      // latency: the app logs each request on stderr; how soon does --follow show it? The
      // clock starts before the request, so each figure is an upper bound.
      List<Long> latencies = new ArrayList<>();
      for (int probe = 1; probe <= 3; probe++) {
        String marker = "GET /latency-probe-" + probe + " ";
        long sent = System.nanoTime();
        assertThat(cloud.viaRouter("greeter." + Cloud.DOMAIN, "/latency-probe-" + probe)
            .statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
            .until(() -> Files.readString(followed).contains(marker));
        latencies.add((System.nanoTime() - sent) / 1_000_000);
      }
      System.out.println("logs --follow latency (request sent to line shown), ms: " + latencies);
      assertThat(Files.readString(followed)).containsPattern(
          "\\[stderr/[0-2]\\] .*GET /latency-probe-1 HTTP");
      assertThat(latencies.stream().mapToLong(Long::longValue).min().orElseThrow())
          .as("a line shown within a second of the app printing it").isLessThan(1_000);
    } finally {
      following.destroy();
    }
    JsonNode stats = updraft("stats", "greeter", "--json").json();
    assertThat(stats.path("0").path("state").asText()).isEqualTo("RUNNING");
    assertThat(stats.path("0").path("stats").path("port").asInt()).isPositive();

    Run logs = updraft("logs", "greeter");
    assertThat(logs.status()).isZero();
    assertThat(logs.out()).contains("==> logs/staging.log <==");
    assertThat(updraft("files", "greeter", "app").out()).contains("app.py");
  }

  @Test
  @Order(3)
  void pushWithoutAManifestUsesTheDirectoryAndFlags() throws Exception {
    Path site = app("site", Map.of("index.html", "<h1>plain</h1>"));
    Run push = updraft("push", "plain", "--path", site.toString(), "--memory", "64M");
    assertThat(push.status()).as(push.err()).isZero();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(cloud.viaRouter("plain." + Cloud.DOMAIN, "/").body()).contains("plain"));
    assertThat(updraft("app", "plain", "--json").json().path("resources").path("memory")
        .asInt()).isEqualTo(64);
  }

  @Test
  @Order(4)
  void badInputIsOneLineAndANonZeroStatus() throws Exception {
    Run unknown = updraft("app", "no-such-app");
    assertThat(unknown.status()).isEqualTo(1);
    assertThat(unknown.err()).isEqualTo("updraft: Application not found\n");

    Path broken = app("broken", Map.of("app.py", "print(1)",
        "manifest.yml", "name: broken\nmemory: [oops\ninstances: 1\n"));
    Run bad = updraft("push", "--path", broken.toString());
    assertThat(bad.status()).isEqualTo(1);
    assertThat(bad.err()).startsWith("updraft: manifest.yml line ");

    Run badScale = updraft("instances", "plain", "+lots");
    assertThat(badScale.status()).isEqualTo(1);
    assertThat(badScale.err()).contains("expected N, +N or -N");
  }

  @Test
  @Order(5)
  void deleteWithForce() throws Exception {
    assertThat(updraft("delete", "plain", "--force").status()).isZero();
    assertThat(updraft("app", "plain").status()).isEqualTo(1);
    Run noForce = updraft("delete", "greeter");
    assertThat(noForce.status()).isEqualTo(1);
    assertThat(noForce.err()).contains("not deleted");
  }
}
