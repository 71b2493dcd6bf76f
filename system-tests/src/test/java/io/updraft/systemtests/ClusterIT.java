package io.updraft.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import io.updraft.client.api.AppArchive;
import io.updraft.client.api.CloudClient;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.dea.DeaAdvertise;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * A cluster of the built images on a private Docker network, started with Testcontainers:
 * NATS (with credentials), controller, router, stager, health manager and two DEAs. An app is
 * pushed and reached through the router container; a DEA container is killed and its
 * instances come back on the other; a third DEA container joins, advertises and takes new
 * instances. Each container's log is kept in {@code target/system-test-logs/}, with the time
 * each component took from container start to {@code /healthz} answering 200.
 */
@TestMethodOrder(OrderAnnotation.class)
class ClusterIT {

  private static final String NATS_USER = "updraft";
  private static final String NATS_PASSWORD = "system-test-nats-secret";
  private static final String ADMIN = "admin@system.test";
  private static final String ADMIN_PASSWORD = "system-test-admin-secret";
  private static final String DOMAIN = "system.test";
  private static final String APP = "hello";
  private static final Duration STARTUP = Duration.ofMinutes(3);
  private static final Duration CONVERGE = Duration.ofMinutes(3);

  private static Network network;
  private static final List<GenericContainer<?>> containers = new ArrayList<>();
  private static final Map<Integer, GenericContainer<?>> deas = new LinkedHashMap<>();
  private static final Map<String, Long> coldStartMs = new LinkedHashMap<>();
  private static GenericContainer<?> nats;
  private static GenericContainer<?> controller;
  private static GenericContainer<?> router;
  private static CloudClient api;
  private static Connection bus;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir
  static Path dir;

  /** Longer than the default: the first image build fetches the JRE from Debian's mirror. */
  @BeforeAll
  @Timeout(value = 15, unit = TimeUnit.MINUTES)
  static void startCluster() throws Exception {
    Images.ensureBuilt();
    network = Network.newNetwork();
    nats = new GenericContainer<>(DockerImageName.parse(Images.image("nats")))
        .withNetwork(network).withNetworkAliases("nats")
        .withCommand("--user", NATS_USER, "--pass", NATS_PASSWORD)
        .withExposedPorts(4222, 8222)
        .waitingFor(Wait.forHttp("/healthz").forPort(8222).withStartupTimeout(STARTUP));
    start("nats", nats);
    bus = Nats.connect(new Options.Builder()
        .server("nats://localhost:" + nats.getMappedPort(4222))
        .userInfo(NATS_USER.toCharArray(), NATS_PASSWORD.toCharArray()).build());

    controller = component("controller", "controller")
        .withEnv("UPDRAFT__EXTERNAL_URI", "api." + DOMAIN)
        .withEnv("UPDRAFT__PASSWORD_HASH_ITERATIONS", "1000")
        .withEnv("UPDRAFT__ADMINS", "[{email: '" + ADMIN + "', password: '" + ADMIN_PASSWORD
            + "'}]")
        .withExposedPorts(8080, 9100);
    start("controller", controller);
    router = component("router", "router").withExposedPorts(8080, 9100);
    start("router", router);
    start("stager", component("stager", "stager"));
    start("health-manager", component("health-manager", "health-manager")
        // a lost DEA is noticed within seconds, as in the e2e tests
        .withEnv("UPDRAFT__ANALYSIS_INTERVAL_MS", "500")
        .withEnv("UPDRAFT__DEA_LOST_SECONDS", "5")
        .withEnv("UPDRAFT__STARTUP_GRACE_SECONDS", "3")
        .withEnv("UPDRAFT__START_PENDING_SECONDS", "20")
        .withEnv("UPDRAFT__DESIRED_STATE_INTERVAL_SECONDS", "5"));
    startDea(1);
    startDea(2);
    writeColdStarts();

    CloudClient anonymous = new CloudClient("http://localhost:" + controller.getMappedPort(8080),
        null);
    api = anonymous.withToken(anonymous.login(ADMIN, ADMIN_PASSWORD));
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (bus != null) {
      bus.close();
    }
    for (int i = containers.size() - 1; i >= 0; i--) {
      containers.get(i).stop();
    }
    if (network != null) {
      network.close();
    }
  }

  @Test
  @Order(1)
  void pushedAppAnswersThroughTheRouterContainer() throws Exception {
    ObjectNode spec = Json.mapper().createObjectNode().put("name", APP);
    spec.putArray("uris").add(APP + "." + DOMAIN);
    spec.put("instances", 2);
    spec.putObject("resources").put("memory", 128);
    api.createApp(spec);
    api.upload(APP, AppArchive.scan(javaJarApp()), sent -> { });
    api.start(APP);
    assertThat(api.awaitRunning(APP, CONVERGE)).as(APP + " running").isTrue();

    await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
      HttpResponse<String> reply = viaRouter();
      assertThat(reply.statusCode()).isEqualTo(200);
      assertThat(reply.body()).contains("Hello from java-jar: app=" + APP);
    });
  }

  @Test
  @Order(2)
  void instancesOfAStoppedDeaContainerComeBackOnTheOther() throws Exception {
    String appId = api.app(APP).path("id").asText();
    List<String> before = deasRunning(appId);
    assertThat(before).hasSize(2);
    int victim = indexOf(before.get(0));
    int survivor = victim == 1 ? 2 : 1;

    deas.remove(victim).stop();

    await().atMost(CONVERGE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
        assertThat(deasRunning(appId)).hasSize(2)
            .allSatisfy(dea -> assertThat(indexOf(dea)).isEqualTo(survivor)));
    await().atMost(Duration.ofMinutes(1)).untilAsserted(() ->
        assertThat(viaRouter().statusCode()).isEqualTo(200));
  }

  @Test
  @Order(3)
  void aThirdDeaContainerAdvertisesAndReceivesInstances() throws Exception {
    List<String> advertised = new java.util.concurrent.CopyOnWriteArrayList<>();
    var dispatcher = bus.createDispatcher(m -> advertised.add(
        DeaAdvertise.fromJson(m.getData()).id()));
    dispatcher.subscribe(Subjects.DEA_ADVERTISE);
    try {
      startDea(3);
      await().atMost(STARTUP).untilAsserted(() ->
          assertThat(advertised).anySatisfy(id -> assertThat(indexOf(id)).isEqualTo(3)));
    } finally {
      bus.closeDispatcher(dispatcher);
    }

    String appId = api.app(APP).path("id").asText();
    api.scale(APP, 4);
    await().atMost(CONVERGE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
        assertThat(deasRunning(appId)).hasSize(4)
            .anySatisfy(dea -> assertThat(indexOf(dea)).isEqualTo(3)));
  }

  /** A component container on the cluster's network, configured by environment only. */
  private static GenericContainer<?> component(String alias, String image) {
    return new GenericContainer<>(DockerImageName.parse(Images.image(image)))
        .withNetwork(network).withNetworkAliases(alias)
        .withEnv("UPDRAFT__NATS__SERVERS", "[nats://nats:4222]")
        .withEnv("UPDRAFT__NATS__USER", NATS_USER)
        .withEnv("UPDRAFT__NATS__PASSWORD", NATS_PASSWORD)
        .withExposedPorts(9100)
        .waitingFor(Wait.forHttp("/healthz").forPort(9100).withStartupTimeout(STARTUP));
  }

  /** A DEA whose id starts with {@code index-}, advertising and heartbeating every second. */
  private static void startDea(int index) throws Exception {
    GenericContainer<?> dea = component("dea-" + index, "dea")
        .withEnv("UPDRAFT__INDEX", String.valueOf(index))
        .withEnv("UPDRAFT__MAX_MEMORY_MB", "1024")
        .withEnv("UPDRAFT__INTERVALS__HEARTBEAT_MS", "1000")
        .withEnv("UPDRAFT__INTERVALS__ADVERTISE_MS", "1000");
    start("dea-" + index, dea);
    deas.put(index, dea);
  }

  /** Starts a container, keeps its log and how long it took until its wait strategy passed. */
  private static void start(String name, GenericContainer<?> container) throws Exception {
    Path log = Images.LOGS.resolve(name + ".log");
    Files.deleteIfExists(log);
    container.withLogConsumer(frame -> {
      try {
        Files.writeString(log, frame.getUtf8String(), StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
      } catch (java.io.IOException e) {
        // the log is for people reading a failure; losing a line must not fail the test
      }
    });
    containers.add(container);
    long started = System.nanoTime();
    container.start();
    coldStartMs.put(name, (System.nanoTime() - started) / 1_000_000);
  }

  private static void writeColdStarts() throws Exception {
    StringBuilder out = new StringBuilder("container start to /healthz 200, ms\n");
    coldStartMs.forEach((k, v) -> out.append(k).append(' ').append(v).append('\n'));
    Files.writeString(Images.LOGS.resolve("cold-start.txt"), out.toString());
    System.out.print(out);
  }

  private HttpResponse<String> viaRouter() throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://localhost:"
        + router.getMappedPort(8080) + "/")).header("Host", APP + "." + DOMAIN)
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The ids of the DEAs running the app's instances, one per instance (dea.find.droplet). */
  private static List<String> deasRunning(String appId) throws Exception {
    String inbox = bus.createInbox();
    Subscription sub = bus.subscribe(inbox);
    try {
      bus.publish(Subjects.DEA_FIND_DROPLET, inbox, ("{\"droplet\":\"" + appId
          + "\",\"states\":[\"RUNNING\"]}").getBytes(StandardCharsets.UTF_8));
      List<String> out = new ArrayList<>();
      io.nats.client.Message m;
      while ((m = sub.nextMessage(Duration.ofMillis(800))) != null) {
        if (!m.isStatusMessage()) {
          out.add(Json.tree(m.getData()).path("dea").asText());
        }
      }
      return out;
    } finally {
      sub.unsubscribe();
    }
  }

  /** A DEA id is {@code <index>-<hex>}. */
  private static int indexOf(String deaId) {
    return Integer.parseInt(deaId.substring(0, deaId.indexOf('-')));
  }

  /** The java-jar example as users push it: its executable jar, built with the JDK alone. */
  private static Path javaJarApp() throws Exception {
    Path src = Images.SOURCE_TREE.resolve("examples/java-jar/src/main/java/io/updraft/examples"
        + "/hello/HelloServer.java");
    Path classes = dir.resolve("classes");
    Path out = dir.resolve("app");
    Files.createDirectories(out);
    String bin = System.getProperty("java.home") + "/bin/";
    run(bin + "javac", "--release", "17", "-d", classes.toString(), src.toString());
    run(bin + "jar", "--create", "--file", out.resolve("app.jar").toString(), "--main-class",
        "io.updraft.examples.hello.HelloServer", "-C", classes.toString(), ".");
    return out;
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).inheritIO().start();
    assertThat(p.waitFor()).as(String.join(" ", command)).isZero();
  }
}
