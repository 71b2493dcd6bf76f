package io.updraft.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Subscription;
import io.updraft.client.api.AppArchive;
import io.updraft.client.api.CloudClient;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.component.ComponentDiscover;
import io.updraft.common.testing.Containers;
import io.updraft.common.testing.NatsServer;
import io.updraft.common.testing.NatsServerExtension;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * App code is hostile: a test app pushed through the real controller, stager, DEA (container
 * isolation forced) and router tries, from inside its running instance, to reach what the
 * platform keeps from it: the controller's database and blobs, other apps' instances, the
 * components' logs and config, NATS, the API, the data servers and the DEA's ports, host
 * processes, writes outside its directories, raw sockets and mounts, its memory and pids
 * limits, and symlinks that the DEA (root, on the host) might follow for it. Each attempt is
 * asserted on its own. A plain app keeps serving all along; a port in
 * {@code isolation.allowed_host_ports} is reached, to show the allow-list opens exactly that.
 *
 * <p>Also: instances of an app bound to a filesystem service share its directory.
 *
 * <p>Needs root, an OCI runtime and the stack ({@code scripts/build-stack}); skips saying which
 * is missing, except with {@code CI=true}, where a missing prerequisite is a failure.
 */
@ExtendWith(NatsServerExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainmentIT {

  private static final Duration BOOT = Duration.ofSeconds(90);
  private static final Duration RUN = Duration.ofSeconds(60);
  private static final Path STACK = Containers.STACK;
  /** The DEA's {@code isolation.pids}: processes and threads per container. */
  private static final int PIDS_LIMIT = 64;
  private static final String DEA = "dea-c";
  private static final String PLAIN = "plain";
  private static final String HOSTILE = "hostile";
  private static final String FSAPP = "fsapp";
  private static final String ALLOWED_GREETING = "updraft-e2e-allowed";
  /** What the host-only secret file holds; no answer from the platform may carry it. */
  private static final String SECRET = "HOST-SECRET-" + UUID.randomUUID();

  @TempDir
  static Path dir;

  /** Why containers cannot run here, or null. */
  private static String missing;
  private static Cloud cloud;
  private static CloudClient api;
  private static String lan;
  private static Path secretFile;
  private static TinyServer allowed;
  private static TinyServer forbidden;
  /** Attempt name → what it targets (described for the assertions) and how. */
  private static final Map<String, Target> reads = new LinkedHashMap<>();
  private static final Map<String, Target> connects = new LinkedHashMap<>();
  private static JsonNode plainInstance;
  private static ScheduledExecutorService poller;
  private static final AtomicInteger plainOk = new AtomicInteger();
  private static final ConcurrentLinkedQueue<String> plainFailures =
      new ConcurrentLinkedQueue<>();
  private static final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(3)).build();

  // ---- set-up

  @BeforeAll
  static void startCloud(NatsServer nats) throws Exception {
    missing = Containers.missing();
    if ("true".equals(System.getenv("CI"))) {
      assertThat(missing).as("containers must run in CI").isNull();
    }
    if (missing != null) {
      return; // each test skips, saying why
    }
    Instant t0 = Instant.now();
    lan = Containers.lanAddress();
    secretFile = dir.resolve("host-secret.txt");
    Files.writeString(secretFile, SECRET + "\n");
    allowed = new TinyServer(ALLOWED_GREETING);
    forbidden = new TinyServer("updraft-e2e-forbidden");

    cloud = new Cloud(nats, dir);
    cloud.deaTemplate(512); // a config file with the NATS password, as a scaled DEA gets
    cloud.controller();
    cloud.stager();
    cloud.dea(DEA, 2048, Map.of(
        "UPDRAFT__ISOLATION__MODE", "container",
        "UPDRAFT__ISOLATION__STACK", STACK.toString(),
        "UPDRAFT__ISOLATION__PIDS", String.valueOf(PIDS_LIMIT),
        "UPDRAFT__ISOLATION__ALLOWED_HOST_PORTS", "[" + allowed.port + "]",
        // a stopping DEA hands its instances on after 1 s (no other DEA takes them here)
        "UPDRAFT__EVACUATION_DELAY_MS", "1000"));
    cloud.router();
    cloud.healthManager("hm", List.of(), 0);
    cloud.servicesNode(Map.of("UPDRAFT__SERVICES", "{filesystem: {}}"));
    cloud.awaitComponents(Map.of("CloudController", 1, "Stager", 1, "DEA", 1, "Router", 1,
        "HealthManager", 1, "ServicesNode", 1), BOOT);
    api = cloud.admin();
    System.out.printf("ContainmentIT: cloud up in %d ms%n", millisSince(t0));

    await().atMost(Duration.ofSeconds(30)).until(() -> "available".equals(
        serviceState("filesystem")));
    api.createService("filesystem", "shared-files", "free");
    Path fsApp = resourceDir("containment/fsapp");
    CompletableFuture<Void> plain = CompletableFuture.runAsync(() ->
        push(PLAIN, Cloud.example("python"), 1, 64, List.of(), List.of()));
    CompletableFuture<Void> fs = CompletableFuture.runAsync(() ->
        push(FSAPP, fsApp, 2, 64, List.of(), List.of("shared-files")));
    CompletableFuture.allOf(plain, fs).join();
    System.out.printf("ContainmentIT: plain and fsapp running at %d ms%n", millisSince(t0));

    plainInstance = running(appId(PLAIN)).get(0);
    poller = Executors.newSingleThreadScheduledExecutor();
    poller.scheduleAtFixedRate(ContainmentIT::pollPlain, 0, 200, TimeUnit.MILLISECONDS);

    push(HOSTILE, resourceDir("containment/hostile"), 1, 128, hostileEnv(), List.of());
    await().atMost(RUN).until(() -> hostile("/").statusCode() == 200);
    System.out.printf("ContainmentIT: hostile running at %d ms%n", millisSince(t0));
  }

  @BeforeEach
  void containersCanRunHere() {
    Assumptions.assumeTrue(missing == null, missing);
  }

  @AfterAll
  static void stopCloud() {
    if (poller != null) {
      poller.shutdownNow();
    }
    if (cloud != null) {
      cloud.close();
    }
    for (TinyServer s : new TinyServer[] {allowed, forbidden}) {
      if (s != null) {
        s.close();
      }
    }
  }



  /**
   * What the hostile app is told to try: absolute host paths to read ({@code READ_*}) and
   * addresses to connect to ({@code CONNECT_*}; {@code GATEWAY} is the container's default
   * gateway, the host's end of its link).
   */
  private static List<String> hostileEnv() throws Exception {
    Path controller = dir.resolve("controller");
    Path dea = dir.resolve(DEA);
    Path plainDir = dea.resolve("apps").resolve(plainInstance.path("staged").asText());
    String plainId = plainInstance.path("instance").asText();
    read("controller_db", "the controller's database file", firstFile(controller,
        p -> p.getFileName().toString().endsWith(".mv.db")));
    read("controller_dir", "the controller's data directory", controller);
    read("package_blob", "an app package in the blobstore", firstFile(
        controller.resolve("blobs"), p -> p.toString().contains("/packages/")));
    read("droplet_blob", "a droplet in the blobstore", firstFile(
        controller.resolve("blobs"), p -> p.toString().contains("/droplets/")));
    read("dea_apps_dir", "the DEA's directory of all instances", dea.resolve("apps"));
    read("other_instance_dir", "the plain app's instance directory", plainDir);
    read("other_app_file", "the plain app's app.py", plainDir.resolve("app/app.py"));
    read("other_bundle_config", "the plain app's container config.json (its env)",
        dea.resolve("containers").resolve(plainId).resolve("config.json"));
    read("fs_share", "the filesystem service directory bound to fsapp, not to this app",
        Path.of(fsapp(0, "/dir").body()));
    read("stager_dir", "the stager's work directory", dir.resolve("stager"));
    read("controller_log", "the controller's log", ComponentProcess.LOGS.resolve(
        "controller.log"));
    read("dea_log", "the DEA's log", ComponentProcess.LOGS.resolve(DEA + ".log"));
    read("config_file", "a DEA config file with the NATS password written by the Cloud",
        dir.resolve("dea-template.yml"));
    read("host_secret", "a host file of the test's", secretFile);
    read("test_tmp_dir", "the test's temporary directory", dir);

    int natsPort = cloud.nats.port();
    int deaStatus = statusPort("DEA");
    int deaFiles = URI.create(plainInstance.path("file_uri").asText()).getPort();
    for (String[] host : new String[][] {{"lo", "127.0.0.1"}, {"lan", lan},
        {"gw", "GATEWAY"}}) {
      connect("nats_" + host[0], "NATS", host[1], natsPort);
      connect("api_" + host[0], "the controller's API", host[1], cloud.apiPort);
      connect("postgres_" + host[0], "PostgreSQL", host[1], 5432);
      connect("mysql_" + host[0], "MariaDB", host[1], 3306);
      connect("redis_" + host[0], "Redis", host[1], 6379);
      connect("dea_status_" + host[0], "the DEA's status port", host[1], deaStatus);
      connect("dea_files_" + host[0], "the DEA's file server", host[1], deaFiles);
    }
    int plainPort = plainInstance.path("stats").path("port").asInt();
    connect("other_container", "the plain app's container directly",
        plainInstance.path("stats").path("host").asText(), plainPort);
    connect("other_published_lan", "the plain app's port published on the host",
        lan, plainPort);
    connect("forbidden_lan", "a host server whose port is not allowed", lan, forbidden.port);
    connect("forbidden_gw", "a host server whose port is not allowed", "GATEWAY",
        forbidden.port);
    connect("allowed_lan", "the host server in allowed_host_ports", lan, allowed.port);
    connect("allowed_gw", "the host server in allowed_host_ports", "GATEWAY", allowed.port);

    List<String> env = new ArrayList<>();
    env.add("HOST_SECRET=" + secretFile);
    env.add("TEST_PID=" + ProcessHandle.current().pid());
    reads.forEach((name, t) -> env.add("READ_" + name.toUpperCase() + "=" + t.value()));
    connects.forEach((name, t) -> env.add("CONNECT_" + name.toUpperCase() + "=" + t.value()));
    return env;
  }

  /** What an attempt is after: {@code what} for people, {@code value} for the app. */
  private record Target(String what, String value) {
    @Override
    public String toString() {
      return what + " (" + value + ")";
    }
  }

  private static void read(String name, String what, Path path) {
    reads.put(name, new Target(what, path.toString()));
  }

  private static void connect(String name, String what, String host, int port) {
    connects.put(name, new Target(what, host + ":" + port));
  }

  private static Path firstFile(Path root, Predicate<Path> match)
      throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).filter(match).findFirst().orElseThrow(() ->
          new IllegalStateException("nothing to match under " + root));
    }
  }

  private static Path resourceDir(String name) throws Exception {
    return Path.of(ContainmentIT.class.getClassLoader().getResource(name).toURI());
  }

  private static void push(String name, Path app, int instances, int memoryMb,
      List<String> env, List<String> services) {
    try {
      ObjectNode spec = Json.mapper().createObjectNode().put("name", name);
      spec.putArray("uris").add(name + "." + Cloud.DOMAIN);
      spec.put("instances", instances);
      spec.putObject("resources").put("memory", memoryMb);
      env.forEach(spec.putArray("env")::add);
      services.forEach(spec.putArray("services")::add);
      api.createApp(spec);
      api.upload(name, AppArchive.scan(app), sent -> { });
      api.start(name);
      assertThat(api.awaitRunning(name, RUN)).as(name + " running").isTrue();
    } catch (Exception e) {
      throw new IllegalStateException("push " + name + ": " + e.getMessage(), e);
    }
  }

  private static String serviceState(String vendor) {
    for (JsonNode category : api.serviceOfferings()) {
      JsonNode versions = category.path(vendor);
      if (versions.isObject() && versions.elements().hasNext()) {
        return versions.elements().next().path("state").asText();
      }
    }
    return "missing";
  }

  private static String appId(String name) {
    return api.app(name).path("id").asText();
  }

  /** The app's RUNNING instances as the DEA reports them (with stats), by index. */
  private static List<JsonNode> running(String appId) throws Exception {
    try (Connection c = cloud.connect()) {
      String inbox = c.createInbox();
      Subscription sub = c.subscribe(inbox);
      c.publish(Subjects.DEA_FIND_DROPLET, inbox, ("{\"droplet\":\"" + appId
          + "\",\"states\":[\"RUNNING\"],\"include_stats\":true}")
          .getBytes(StandardCharsets.UTF_8));
      List<JsonNode> out = new ArrayList<>();
      io.nats.client.Message m;
      while ((m = sub.nextMessage(Duration.ofMillis(800))) != null) {
        if (!m.isStatusMessage()) {
          out.add(Json.tree(m.getData()));
        }
      }
      out.sort(java.util.Comparator.comparingInt(r -> r.path("index").asInt()));
      return out;
    }
  }

  /** The port of the first component of that type's status endpoint (from discover). */
  private static int statusPort(String type) throws Exception {
    try (Connection c = cloud.connect()) {
      String inbox = c.createInbox();
      Subscription sub = c.subscribe(inbox);
      c.publish(Subjects.COMPONENT_DISCOVER, inbox, "{}".getBytes(StandardCharsets.UTF_8));
      io.nats.client.Message m;
      while ((m = sub.nextMessage(Duration.ofMillis(800))) != null) {
        if (!m.isStatusMessage()) {
          ComponentDiscover d = ComponentDiscover.fromJson(m.getData());
          if (type.equals(d.type())) {
            return Integer.parseInt(d.host().substring(d.host().lastIndexOf(':') + 1));
          }
        }
      }
    }
    throw new IllegalStateException("no " + type + " answered discover");
  }

  private static HttpResponse<String> hostile(String path) throws Exception {
    return cloud.viaRouter(HOSTILE + "." + Cloud.DOMAIN, path);
  }

  private static HttpResponse<String> fsapp(int index, String path) throws Exception {
    JsonNode stats = running(appId(FSAPP)).get(index).path("stats");
    return get("http://" + stats.path("host").asText() + ":" + stats.path("port").asInt()
        + path);
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void pollPlain() {
    try {
      HttpResponse<String> r = cloud.viaRouter(PLAIN + "." + Cloud.DOMAIN, "/");
      if (r.statusCode() == 200 && r.body().contains("Hello from python")) {
        plainOk.incrementAndGet();
      } else {
        plainFailures.add(Instant.now() + " " + r.statusCode() + " " + r.body());
      }
    } catch (Exception e) {
      plainFailures.add(Instant.now() + " " + e);
    }
  }

  private static long millisSince(Instant t) {
    return Duration.between(t, Instant.now()).toMillis();
  }

  // ---- the filesystem service

  @Test
  @Order(1)
  void twoInstancesBoundToAFilesystemServiceShareItsFiles() throws Exception {
    assertThat(running(appId(FSAPP))).as("fsapp instances").hasSize(2);
    String share = fsapp(0, "/dir").body();
    assertThat(fsapp(1, "/dir").body()).as("both instances are given the same directory")
        .isEqualTo(share);

    HttpResponse<String> w0 = fsapp(0, "/write?name=from0&text=zero");
    assertThat(w0.statusCode()).as("instance 0 writes a file: " + w0.body()).isEqualTo(200);
    assertThat(w0.body()).as("written by instance 0").isEqualTo("0");
    HttpResponse<String> w1 = fsapp(1, "/write?name=from1&text=one");
    assertThat(w1.statusCode()).as("instance 1 writes a file: " + w1.body()).isEqualTo(200);
    assertThat(w1.body()).as("written by instance 1").isEqualTo("1");

    assertThat(fsapp(0, "/read?name=from0").body()).as("instance 0 reads its own file")
        .isEqualTo("zero");
    assertThat(fsapp(0, "/read?name=from1").body()).as("instance 0 reads instance 1's file")
        .isEqualTo("one");
    assertThat(fsapp(1, "/read?name=from0").body()).as("instance 1 reads instance 0's file")
        .isEqualTo("zero");
    HttpResponse<String> append = fsapp(1, "/append?name=from0&text=+and+one");
    assertThat(append.statusCode()).as("instance 1 appends to instance 0's file: "
        + append.body()).isEqualTo(200);
    assertThat(fsapp(0, "/read?name=from0").body())
        .as("instance 0 reads what instance 1 appended").isEqualTo("zero and one");
    assertThat(Files.readString(Path.of(share).resolve("from0")))
        .as("the file on the host, in the service's directory").isEqualTo("zero and one");
  }

  // ---- the hostile app

  @Test
  @Order(2)
  void everyAttemptFromInsideTheContainerIsRefused() throws Exception {
    HttpResponse<String> r = hostile("/probe");
    assertThat(r.statusCode()).as("/probe: " + r.body()).isEqualTo(200);
    JsonNode probe = Json.tree(r.body().getBytes(StandardCharsets.UTF_8));
    System.out.println("ContainmentIT: probe answered " + probe.toPrettyString());
    JsonNode facts = probe.path("facts");

    SoftAssertions soft = new SoftAssertions();
    // files of the platform and of other apps
    reads.forEach((name, target) -> soft.assertThat(probe.path("read " + name).asText())
        .as("read %s", target).startsWith("refused"));
    soft.assertThat(probe.path("read /proc/1/root + host secret").asText())
        .as("read the host secret through /proc/1/root").startsWith("refused");
    soft.assertThat(probe.path("symlink inside to host secret").asText())
        .as("read the host secret through a symlink in its own directory")
        .startsWith("refused");
    // writes
    for (String where : List.of("/usr", "/etc", "/", "/var")) {
      soft.assertThat(probe.path("write " + where).asText()).as("write a file in " + where)
          .startsWith("refused");
    }
    soft.assertThat(probe.path("write /tmp").asText()).as("write its private /tmp")
        .startsWith("ok");
    soft.assertThat(probe.path("write home").asText()).as("write its own directory")
        .startsWith("ok");
    // privileges
    soft.assertThat(probe.path("raw socket").asText()).as("open a raw IP socket")
        .startsWith("refused");
    soft.assertThat(probe.path("packet socket").asText()).as("open a packet socket")
        .startsWith("refused");
    soft.assertThat(probe.path("mount syscall").asText()).as("mount a tmpfs (syscall)")
        .startsWith("refused");
    soft.assertThat(probe.path("mount with the stack's setuid mount binary").asText())
        .as("mount a tmpfs with the stack's setuid-root mount binary").startsWith("refused");
    soft.assertThat(probe.path("setuid root").asText()).as("setuid(0)").startsWith("refused");
    soft.assertThat(facts.path("uid").asInt()).as("the app's uid").isGreaterThanOrEqualTo(
        20_000);
    // processes
    List<String> processes = new ArrayList<>();
    facts.path("processes").forEach(p -> processes.add(p.asText()));
    soft.assertThat(processes).as("processes visible in /proc").hasSizeLessThan(8);
    soft.assertThat(processes).as("no JVM of the platform or the test is visible")
        .noneMatch(p -> p.contains("java"));
    soft.assertThat(processes).as("the test JVM's pid is not visible")
        .noneMatch(p -> p.startsWith(ProcessHandle.current().pid() + ":"));
    soft.assertThat(probe.path("signal test JVM").asText())
        .as("send a signal to the test JVM's host pid").startsWith("refused");
    // network
    connects.forEach((name, target) -> {
      if (name.startsWith("allowed_")) {
        soft.assertThat(probe.path("connect " + name).asText()).as("connect to %s", target)
            .startsWith("ok").contains(ALLOWED_GREETING);
      } else {
        soft.assertThat(probe.path("connect " + name).asText()).as("connect to %s", target)
            .startsWith("refused");
      }
    });
    soft.assertAll();
  }

  /** The files API is served by the DEA on the host, as root: a symlink must not lead out. */
  @Test
  @Order(3)
  void theDeasFileServerDoesNotFollowASymlinkOutOfTheInstance() throws Exception {
    assertThat(hostile("/symlink-file").statusCode()).isEqualTo(200);
    String answer;
    try {
      answer = api.file(HOSTILE, "0", "app/escape");
    } catch (RuntimeException e) {
      answer = "refused: " + e.getMessage();
    }
    assertThat(answer).as("app/escape -> the host secret, fetched through the files API")
        .doesNotContain(SECRET).startsWith("refused");
  }

  /**
   * The symlink-exchange race (as CVE-2018-15664 against {@code docker cp}): the app swaps a
   * directory of its own with a symlink to a host directory, atomically and over and over,
   * while its owner asks the files API for a file under it. A check of the real path before
   * the file is opened passes whenever the directory is in place and the open then follows
   * the symlink. Probabilistic: a few hundred requests find it in practice.
   */
  @Test
  @Order(4)
  void theDeasFileServerCannotBeRacedOutOfTheInstance() throws Exception {
    String name = secretFile.getFileName().toString();
    HttpResponse<String> started = hostile("/race?seconds=10");
    assertThat(started.statusCode()).as("/race: " + started.body()).isEqualTo(200);
    Map<String, Integer> outcomes = new LinkedHashMap<>();
    List<String> leaks = new ArrayList<>();
    Instant until = Instant.now().plusSeconds(5);
    for (int i = 0; i < 300 && Instant.now().isBefore(until); i++) {
      String path = i % 2 == 0 ? "app/race/" + name : "app/race/";
      String answer;
      try {
        answer = api.file(HOSTILE, "0", path);
      } catch (RuntimeException e) {
        answer = "refused: " + e.getMessage();
      }
      String kind = answer.contains(SECRET) ? "host secret"
          : answer.contains("dea-template.yml") || answer.contains(DEA) ? "host listing"
          : answer.startsWith("refused") ? "refused" : "decoy";
      outcomes.merge(kind, 1, Integer::sum);
      if (kind.startsWith("host")) {
        leaks.add(path + " -> " + answer.strip().replace('\n', ' '));
      }
    }
    System.out.println("ContainmentIT: file server race outcomes " + outcomes);
    assertThat(outcomes.getOrDefault("decoy", 0)).as("requests that saw the app's own file")
        .isPositive();
    assertThat(leaks).as("app/race swapped with a symlink to a host directory: files API "
        + "answers with host content (outcomes " + outcomes + ")").isEmpty();
  }

  /**
   * The DEA (root, on the host) streams the instance's {@code logs/stdout.log} to its owner;
   * the app replaces that file with a symlink to a host file.
   */
  @Test
  @Order(5)
  void theDeasLogStreamerDoesNotFollowASymlinkedLogFile() throws Exception {
    String appId = appId(HOSTILE);
    List<String> lines = Collections.synchronizedList(new ArrayList<>());
    try (Connection c = cloud.connect()) {
      Dispatcher d = c.createDispatcher(m -> lines.add(Json.tree(m.getData()).path("line")
          .asText()));
      d.subscribe(Subjects.appLogs(appId));
      c.flush(Duration.ofSeconds(2));
      HttpResponse<String> swapped = hostile("/symlink-logs");
      assertThat(swapped.statusCode()).as("/symlink-logs: " + swapped.body()).isEqualTo(200);
      // a marker on stderr written after the swap; a second one after the first was streamed:
      // the poll that streams the second read stdout.log after the swap
      for (String marker : List.of("marker-one-" + UUID.randomUUID(),
          "marker-two-" + UUID.randomUUID())) {
        assertThat(hostile("/mark?text=" + marker).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> lines.contains(marker));
      }
    }
    assertThat(lines).as("logs/stdout.log -> the host secret: lines the DEA streamed on "
        + "logs." + appId + " (what `updraft logs " + HOSTILE + "` shows)")
        .noneMatch(l -> l.contains(SECRET));
  }

  @Test
  @Order(6)
  void aForkBombStopsAtThePidsLimitAndTheDeaKeepsServing() throws Exception {
    HttpResponse<String> r = hostile("/forkbomb?hold=4");
    assertThat(r.statusCode()).as("/forkbomb: " + r.body()).isEqualTo(200);
    JsonNode bomb = Json.tree(r.body().getBytes(StandardCharsets.UTF_8));
    System.out.println("ContainmentIT: fork bomb " + bomb);
    // while the bomb's processes are alive: the other app and the DEA answer
    HttpResponse<String> plain = cloud.viaRouter(PLAIN + "." + Cloud.DOMAIN, "/");
    HttpResponse<String> health = get("http://127.0.0.1:" + statusPort("DEA") + "/healthz");
    assertThat(bomb.path("refused").asText()).as("forking was refused at some point")
        .isNotEmpty();
    assertThat(bomb.path("forked").asInt()).as("processes forked before the refusal")
        .isBetween(PIDS_LIMIT / 2, PIDS_LIMIT - 1);
    assertThat(plain.statusCode()).as("the plain app answers during the fork bomb")
        .isEqualTo(200);
    assertThat(health.statusCode()).as("the DEA answers during the fork bomb").isEqualTo(200);
    // once its holder kills them, the bomb's processes are gone: the container recovers
    await().atMost(Duration.ofSeconds(20)).until(() -> Json.tree(hostile("/processes").body()
        .getBytes(StandardCharsets.UTF_8)).path("count").asInt(PIDS_LIMIT) < 8);
  }

  @Test
  @Order(7)
  void anInstanceOverItsMemoryLimitCrashesWithOutOfMemory() throws Exception {
    String appId = appId(HOSTILE);
    String instance = running(appId).get(0).path("instance").asText();
    List<JsonNode> exits = Collections.synchronizedList(new ArrayList<>());
    try (Connection c = cloud.connect()) {
      Dispatcher d = c.createDispatcher(m -> exits.add(Json.tree(m.getData())));
      d.subscribe(Subjects.DROPLET_EXITED);
      c.flush(Duration.ofSeconds(2));
      try {
        hostile("/hog");
      } catch (IOException e) {
        // the instance is killed while answering
      }
      await().atMost(RUN).until(() -> exits.stream().anyMatch(e ->
          instance.equals(e.path("instance").asText())));
    }
    JsonNode exit = exits.stream().filter(e -> instance.equals(e.path("instance").asText()))
        .findFirst().orElseThrow();
    assertThat(exit.path("reason").asText()).as("droplet.exited reason").isEqualTo("CRASHED");
    assertThat(exit.path("exit_description").asText()).as("droplet.exited description")
        .isEqualTo("out of memory");
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(api.crashes(HOSTILE))
        .as("crashes of " + HOSTILE).anyMatch(c -> instance.equals(c.path("instance")
            .asText())));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(api.file(HOSTILE, instance, "logs/stderr.log"))
            .as("the crashed instance's stderr.log through the API")
            .contains("instance crashed: out of memory"));
  }

  @Test
  @Order(8)
  void thePlainAppServedThroughout() {
    poller.shutdownNow();
    assertThat(plainOk.get()).as("requests the plain app answered").isPositive();
    assertThat(plainFailures).as("requests the plain app failed").isEmpty();
  }

  @Test
  @Order(9)
  void aStoppedDeaLeavesNoneOfItsContainersOnTheHost() throws Exception {
    List<String> instances = new ArrayList<>();
    List<Integer> slots = new ArrayList<>();
    // the hostile app's replacement after its crash
    await().atMost(RUN).until(() -> running(appId(HOSTILE)).size() == 1);
    for (String app : List.of(PLAIN, FSAPP, HOSTILE)) {
      for (JsonNode i : running(appId(app))) {
        instances.add(i.path("instance").asText());
        String[] octets = i.path("stats").path("host").asText().split("\\.");
        // slot n is the /30 whose container end is .4n+2 of 10.254.0.0/16
        slots.add((Integer.parseInt(octets[2]) * 256 + Integer.parseInt(octets[3]) - 2) / 4);
      }
    }
    assertThat(instances).as("instances running before the DEA stops").hasSize(4);
    ComponentProcess dea = cloud.deas.get(DEA);
    dea.close(); // SIGTERM: evacuates, then stops what it runs
    assertThat(dea.isAlive()).as("the DEA stopped within 15 s of SIGTERM").isFalse();
    String dnat = run("iptables", "-w", "-t", "nat", "-S", "UPDRAFT-DNAT");
    SoftAssertions soft = new SoftAssertions();
    for (int slot : slots) {
      soft.assertThat(Path.of("/run/netns/updraft-s" + slot)).as("network slot " + slot)
          .doesNotExist();
      soft.assertThat(dnat).as("published ports of slot " + slot)
          .doesNotContain("--comment updraft-s" + slot + " ");
    }
    for (String id : instances) {
      for (String controller : List.of("memory", "pids", "cpu")) {
        soft.assertThat(Path.of("/sys/fs/cgroup", controller, "updraft-dea", id))
            .as("%s cgroup of instance %s", controller, id).doesNotExist();
      }
      soft.assertThat(Path.of("/sys/fs/cgroup/updraft-dea", id))
          .as("cgroup v2 of instance %s", id).doesNotExist();
    }
    soft.assertAll();
  }

  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
    return out;
  }

  /** A host TCP server that greets each connection with a line and closes it. */
  private static final class TinyServer implements AutoCloseable {
    final int port;
    private final ServerSocket socket;

    TinyServer(String greeting) throws IOException {
      int p = NatsServer.freePort();
      socket = new ServerSocket();
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress("0.0.0.0", p));
      port = p;
      Thread t = new Thread(() -> {
        while (!socket.isClosed()) {
          try (Socket s = socket.accept(); OutputStream out = s.getOutputStream()) {
            out.write((greeting + "\n").getBytes(StandardCharsets.UTF_8));
          } catch (IOException e) {
            // closed, or the peer went away
          }
        }
      }, "tiny-server-" + p);
      t.setDaemon(true);
      t.start();
    }

    @Override
    public void close() {
      try {
        socket.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }
}
