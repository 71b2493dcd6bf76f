package io.updraft.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.updraft.client.api.AppArchive;
import io.updraft.client.api.CloudClient;
import io.updraft.common.protocol.Json;
import io.updraft.common.testing.NatsServer;
import io.updraft.common.testing.NatsServerExtension;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The heart of the PaaS, with every part real: a nats-server, the controller, a stager, two
 * DEAs and a router as processes. Apps are pushed with the client library and reached over
 * HTTP through the router.
 */
@ExtendWith(NatsServerExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AppLifecycleIT {

  private static final Duration BOOT = Duration.ofSeconds(120);
  private static final Duration RUN = Duration.ofSeconds(120);

  @TempDir
  static Path dir;

  private static Cloud cloud;
  private static CloudClient api;

  @BeforeAll
  static void startCloud(NatsServer nats) throws Exception {
    cloud = new Cloud(nats, dir);
    cloud.controller();
    cloud.stager();
    cloud.dea("dea-a");
    cloud.dea("dea-b");
    cloud.router();
    cloud.awaitComponents(Map.of("CloudController", 1, "Stager", 1, "DEA", 2, "Router", 1),
        BOOT);
    api = cloud.admin();
  }

  @AfterAll
  static void stopCloud() {
    if (cloud != null) {
      cloud.close();
    }
  }

  private static void push(String name, Path app) throws Exception {
    if (!api.exists(name)) {
      var spec = Json.mapper().createObjectNode().put("name", name);
      spec.putArray("uris").add(name + "." + Cloud.DOMAIN);
      spec.put("instances", 1);
      spec.putObject("resources").put("memory", 128);
      api.createApp(spec);
    }
    api.upload(name, AppArchive.scan(app), sent -> { });
    if ("STARTED".equals(api.app(name).path("state").asText())) {
      api.redeploy(name);
    } else {
      api.start(name);
    }
    assertThat(api.awaitRunning(name, RUN)).as(name + " running").isTrue();
  }

  private static HttpResponse<String> get(String name) throws Exception {
    return cloud.viaRouter(name + "." + Cloud.DOMAIN, "/");
  }

  /** The java-jar example as users push it: its executable jar, built with the JDK alone. */
  private static Path javaJarApp() throws Exception {
    Path src = Cloud.example("java-jar");
    Path out = dir.resolve("java-jar-app");
    Path classes = dir.resolve("java-jar-classes");
    Files.createDirectories(out);
    String javaHome = System.getProperty("java.home");
    run(javaHome + "/bin/javac", "--release", "17", "-d", classes.toString(),
        src.resolve("src/main/java/io/updraft/examples/hello/HelloServer.java").toString());
    run(javaHome + "/bin/jar", "--create", "--file", out.resolve("app.jar").toString(),
        "--main-class", "io.updraft.examples.hello.HelloServer", "-C", classes.toString(), ".");
    return out;
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).inheritIO().start();
    assertThat(p.waitFor()).as(String.join(" ", command)).isZero();
  }

  private static boolean onPath(String binary) {
    return java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
        .anyMatch(d -> Files.isExecutable(Path.of(d, binary)));
  }

  @Test
  @Order(1)
  void pushedExamplesAnswerThroughTheRouter() throws Exception {
    Map<String, Path> examples = new java.util.LinkedHashMap<>();
    for (String example : new String[] {"python", "static", "procfile"}) {
      examples.put("ex-" + example, Cloud.example(example));
    }
    examples.put("ex-java-jar", javaJarApp());
    if (onPath("node")) {
      examples.put("ex-node", Cloud.example("node"));
    }
    for (var e : examples.entrySet()) {
      String name = e.getKey();
      push(name, e.getValue());
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          assertThat(get(name).statusCode()).as(name + " via router").isEqualTo(200));
    }
    assertThat(get("ex-java-jar").body()).contains("Hello from java-jar");
  }

  @Test
  @Order(2)
  void scaledInstancesSpreadOverBothDeasAndStopStartWork() throws Exception {
    String name = "ex-python";
    api.scale(name, 3);
    assertThat(api.awaitRunning(name, RUN)).isTrue();
    String id = api.app(name).path("id").asText();
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(new HashSet<>(cloud.deasRunning(id))).hasSize(2));
    assertThat(cloud.deasRunning(id)).hasSize(3);

    api.stop(name);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(get(name).statusCode()).isNotEqualTo(200));
    api.start(name);
    assertThat(api.awaitRunning(name, RUN)).isTrue();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(get(name).statusCode()).isEqualTo(200));
  }

  @Test
  @Order(3)
  void aNewVersionReplacesTheOldWithoutAFailedRequest() throws Exception {
    String name = "ex-static";
    Path v2 = dir.resolve("static-v2");
    Files.createDirectories(v2);
    Files.writeString(v2.resolve("index.html"), "<h1>version two</h1>");
    AtomicBoolean polling = new AtomicBoolean(true);
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    Thread poller = new Thread(() -> {
      while (polling.get()) {
        try {
          if (get(name).statusCode() == 200) {
            ok.incrementAndGet();
          } else {
            failed.incrementAndGet();
          }
        } catch (Exception e) {
          failed.incrementAndGet();
        }
      }
    });
    poller.start();
    try {
      push(name, v2);
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
          assertThat(get(name).body()).contains("version two"));
    } finally {
      polling.set(false);
      poller.join();
    }
    assertThat(ok.get()).isPositive();
    assertThat(failed.get()).as("failed requests during the switch").isZero();
  }

  @Test
  @Order(4)
  void deletedAppsAreGone() throws Exception {
    api.deleteApp("ex-procfile");
    assertThat(api.exists("ex-procfile")).isFalse();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(get("ex-procfile").statusCode()).isEqualTo(404));
  }
}
