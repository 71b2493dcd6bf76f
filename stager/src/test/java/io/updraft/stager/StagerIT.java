package io.updraft.stager;

import static io.updraft.common.testing.Futures.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.updraft.common.bus.NatsBus;
import io.updraft.common.component.ComponentLauncher;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.staging.StagingLogLine;
import io.updraft.common.protocol.staging.StagingProperties;
import io.updraft.common.protocol.staging.StagingRequest;
import io.updraft.common.protocol.staging.StagingResult;
import io.updraft.common.testing.NatsServer;
import io.updraft.common.testing.NatsServerExtension;
import io.updraft.stager.testing.BitsServer;
import io.updraft.stager.testing.Droplets;
import io.updraft.stager.testing.Examples;
import io.updraft.stager.testing.NpmRegistry;
import io.updraft.stager.testing.PythonIndex;
import io.updraft.stager.testing.Zips;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Stagers started as components against a real nats-server, a package/droplet server standing
 * in for the controller, and the droplets they produce started the way a DEA starts them. Build
 * steps run as processes here ({@code isolation.mode: process}: the tools on this machine's
 * PATH, registries on loopback); {@link StagerContainerIT} stages in containers.
 */
@ExtendWith(NatsServerExtension.class)
class StagerIT {

  private static final Duration STAGING_WAIT = Duration.ofSeconds(150);
  private static final String DEAD_URL = "http://127.0.0.1:9/";

  @TempDir
  Path tmp;

  private NatsServer nats;
  private Vertx vertx;
  private NatsBus client;
  private BitsServer bits;
  private final List<ComponentLauncher.Running<StagerConfig>> stagers = new ArrayList<>();
  private final List<Droplets.Instance> instances = new ArrayList<>();

  @BeforeEach
  void setUp(NatsServer nats) throws Exception {
    this.nats = nats;
    vertx = Vertx.vertx();
    client = result(NatsBus.connect(vertx, nats.config(), "stager-it-client",
        new SimpleMeterRegistry()));
    bits = new BitsServer(vertx, Files.createDirectories(tmp.resolve("uploads")));
  }

  @AfterEach
  void tearDown() throws Exception {
    instances.forEach(Droplets.Instance::close);
    stagers.forEach(ComponentLauncher.Running::stop);
    bits.close();
    result(client.close());
    result(vertx.close());
  }

  private StagerConfig config(String name) throws Exception {
    return StagerConfig.defaults(nats.config())
        .withWorkDir(Files.createDirectories(tmp.resolve("work-" + name)))
        .withRegistries(DEAD_URL, DEAD_URL, false)
        .withIsolation(StagerConfig.Isolation.of(StagerConfig.Isolation.Mode.PROCESS));
  }

  private void startStager(StagerConfig config, Map<String, String> env) throws Exception {
    ComponentLauncher.Running<StagerConfig> running = result(ComponentLauncher.start(
        StagerMain.TYPE, config, runtime -> StagerMain.verticle(runtime, env)));
    stagers.add(running);
    // a round trip on the stager's own connection: its SUB has reached the server
    result(running.runtime().bus().flush());
  }

  private void startStager() throws Exception {
    startStager(config("s" + stagers.size()), System.getenv());
  }

  private static StagingProperties props(String framework, Map<String, Object> meta) {
    return new StagingProperties(List.of(), framework, null, null, null,
        new StagingProperties.Resources(256, 1024, 256), List.of(), meta);
  }

  private StagingRequest request(String appId, String taskId, StagingProperties props) {
    return new StagingRequest(appId, props, bits.downloadUri(appId), bits.uploadUri(appId),
        taskId);
  }

  private StagingResult stage(StagingRequest request) throws Exception {
    return client.request(Subjects.STAGING, request, StagingResult.class, STAGING_WAIT)
        .toCompletionStage().toCompletableFuture()
        .get(STAGING_WAIT.toSeconds() + 5, java.util.concurrent.TimeUnit.SECONDS);
  }

  private String runDroplet(String appId, String name) throws Exception {
    Path dir = Droplets.unpack(bits.droplet(appId), tmp.resolve("instance-" + appId));
    Droplets.Instance instance = Droplets.start(dir, NatsServer.freePort(), name, 1);
    instances.add(instance);
    return Droplets.get(instance, Duration.ofSeconds(30));
  }

  @Test
  void stagesThePythonExampleIntoADropletTheDeaContractCanRun() throws Exception {
    startStager();
    bits.addPackage("py1", Zips.of(Examples.dir("python")));
    String taskId = UUID.randomUUID().toString().replace("-", "");
    List<String> streamed = new CopyOnWriteArrayList<>();
    client.subscribe(Subjects.stagingLog(taskId), StagingLogLine.class,
        d -> streamed.add(d.body().line()));
    result(client.flush());

    StagingResult result = stage(request("py1", taskId, props(null, Map.of())));

    assertThat(result.error()).isNull();
    assertThat(result.taskId()).isEqualTo(taskId);
    assertThat(result.taskLog()).contains("Setting up temporary directories",
        "Downloading application", "Unpacking application", "Staging application",
        "Detecting buildpack, in order: procfile, java-jar, java-maven, node, python, static",
        "Using buildpack python (app.py)", "Start command: python3 app.py",
        "Creating droplet", "Uploading droplet", "Done!");
    List<String> expectedLines = Arrays.asList(result.taskLog().split("\n"));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(streamed).containsExactlyElementsOf(expectedLines));
    assertThat(result.taskLog()).doesNotContain(BitsServer.PASSWORD);

    byte[] droplet = bits.droplet("py1");
    assertThat(bits.downloads("py1")).isEqualTo(1);
    List<String> entries = Droplets.entries(droplet);
    assertThat(entries).contains("startup", "stop", "droplet.json", "app/", "app/app.py",
        "app/README.md", "logs/", "logs/staging.log", "tmp/");
    Path dir = Droplets.unpack(droplet, tmp.resolve("inspect"));
    assertThat(Files.isExecutable(dir.resolve("startup"))).isTrue();
    assertThat(Files.readString(dir.resolve("startup"))).startsWith("#!/bin/sh\n")
        .contains("exec python3 app.py");
    JsonNode meta = Json.mapper().readTree(dir.resolve("droplet.json").toFile());
    assertThat(meta.path("buildpack").asText()).isEqualTo("python");
    assertThat(meta.path("detected").asText()).isEqualTo("app.py");
    assertThat(meta.path("runtime").asText()).isEqualTo("python3");
    assertThat(meta.path("start_command").asText()).isEqualTo("python3 app.py");
    assertThat(meta.path("staged_at").asText()).isNotBlank();
    assertThat(dir.resolve("logs/staging.log")).content().contains("Using buildpack python");

    assertThat(runDroplet("py1", "hello-py")).startsWith("Hello from python: app=hello-py "
        + "instance=1 port=");
  }

  @ParameterizedTest
  @ValueSource(strings = {"static", "procfile", "node", "java-jar"})
  void eachExampleStagesAndAnswersOverHttp(String example) throws Exception {
    assumeTrue(!example.equals("node") || Examples.onPath("node"), "node is not installed");
    startStager();
    String appId = "ex-" + example;
    byte[] zip = example.equals("java-jar")
        ? Zips.builder().file("app.jar", Files.readAllBytes(Examples.buildHelloJar(tmp,
            tmp.resolve("app.jar"))), 0644).bytes()
        : Zips.of(Examples.dir(example));
    bits.addPackage(appId, zip);

    StagingResult result = stage(request(appId, null, props(null, Map.of())));

    assertThat(result.error()).as(result.taskLog()).isNull();
    String expected = switch (example) {
      case "static" -> "Hello from static";
      case "procfile" -> "Hello from procfile: app=hello instance=1";
      case "node" -> "Hello from node: app=hello instance=1";
      default -> "Hello from java-jar: app=hello instance=1";
    };
    assertThat(runDroplet(appId, "hello")).contains(expected);
  }

  @Test
  void theMavenExampleIsBuiltOfflineAndRuns() throws Exception {
    assumeTrue(Examples.onPath("mvn"), "maven is not installed");
    startStager();
    bits.addPackage("mvn1", Zips.of(Examples.dir("java-jar")));

    StagingResult result = stage(request("mvn1", null, props("java_maven", Map.of())));

    assertThat(result.error()).as(result.taskLog()).isNull();
    assertThat(result.taskLog()).contains("Using buildpack java-maven (pom.xml)",
        "-jar target/updraft-example-java-jar.jar");
    assertThat(runDroplet("mvn1", "hello-mvn")).startsWith("Hello from java-jar: app=hello-mvn");
  }

  @Test
  void pythonRequirementsAreInstalledFromAReachableIndexAndImportedAtRunTime() throws Exception {
    try (PythonIndex index = new PythonIndex(vertx)) {
      startStager(config("pip").withRegistries(index.url(), DEAD_URL, false), System.getenv());
      bits.addPackage("pip1", Zips.builder()
          .file("requirements.txt", PythonIndex.REQUIREMENT + "\n")
          .file("app.py", String.join("\n",
              "import os, updraft_hello",
              "from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer",
              "class H(BaseHTTPRequestHandler):",
              "    def do_GET(self):",
              "        b = updraft_hello.GREETING.encode()",
              "        self.send_response(200); self.end_headers(); self.wfile.write(b)",
              "ThreadingHTTPServer(('0.0.0.0', int(os.environ['PORT'])), H).serve_forever()",
              ""))
          .bytes());

      StagingResult result = stage(request("pip1", null, props(null, Map.of())));

      assertThat(result.error()).as(result.taskLog()).isNull();
      assertThat(result.taskLog()).contains("Successfully installed updraft-hello-1.0");
      assertThat(Droplets.entries(bits.droplet("pip1")))
          .contains("app/.python_packages/updraft_hello/__init__.py");
      assertThat(runDroplet("pip1", "pip")).isEqualTo(PythonIndex.GREETING);
    }
  }

  @Test
  void pythonRequirementsWithoutAReachableIndexFailClearly() throws Exception {
    startStager();
    bits.addPackage("pip2", Zips.builder().file("requirements.txt", "flask\n")
        .file("app.py", "").bytes());

    StagingResult result = stage(request("pip2", null, props(null, Map.of())));

    assertThat(result.error()).isEqualTo("Cannot install requirements.txt: the Python package "
        + "index " + DEAD_URL + " is not reachable from this stager");
  }

  @Test
  void nodeDependenciesAreInstalledFromAReachableRegistryAndRequiredAtRunTime()
      throws Exception {
    assumeTrue(Examples.onPath("node") && Examples.onPath("npm"), "node/npm not installed");
    try (NpmRegistry registry = new NpmRegistry(vertx)) {
      startStager(config("npm").withRegistries(DEAD_URL, registry.url(), false),
          System.getenv());
      bits.addPackage("npm1", Zips.builder()
          .file("package.json", "{\"name\":\"npm1\",\"dependencies\":{\""
              + NpmRegistry.PACKAGE + "\":\"1.0.0\"},\"scripts\":{\"start\":\"node main.js\"}}")
          .file("main.js", String.join("\n",
              "const { greeting } = require('" + NpmRegistry.PACKAGE + "');",
              "require('http').createServer((q, r) => r.end(greeting))",
              "  .listen(Number(process.env.PORT), '0.0.0.0');", ""))
          .bytes());

      StagingResult result = stage(request("npm1", null, props(null, Map.of())));

      assertThat(result.error()).as(result.taskLog()).isNull();
      assertThat(Droplets.entries(bits.droplet("npm1")))
          .contains("app/node_modules/" + NpmRegistry.PACKAGE + "/index.js");
      assertThat(runDroplet("npm1", "npm")).isEqualTo(NpmRegistry.GREETING);
    }
  }

  @Test
  void wrongCredentialsFailWithFailedDownloadingApp() throws Exception {
    startStager();
    bits.addPackage("creds", Zips.of(Examples.dir("python")));
    StagingRequest bad = new StagingRequest("creds", props(null, Map.of()),
        bits.downloadUri("creds", "wrong-password"), bits.uploadUri("creds"), null);

    StagingResult result = stage(bad);

    assertThat(result.error()).startsWith("Failed downloading app: HTTP 401");
    assertThat(result.error() + result.taskLog()).doesNotContain("wrong-password");
    assertThat(bits.uploads("creds")).isZero();
  }

  @Test
  void theWorkDirIsTheStagersAloneWhileATaskRunsAndTheDropletKeepsItsModes() throws Exception {
    // a work dir an older version left readable, with a leftover in it
    Path work = Files.createDirectories(tmp.resolve("work-private"));
    Path leftover = Files.createDirectories(work.resolve("task-old/droplet/app"))
        .resolve("index.html");
    Files.writeString(leftover, "someone's app");
    Files.setPosixFilePermissions(leftover, PosixFilePermissions.fromString("rw-r--r--"));
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
    startStager(StagerConfig.defaults(nats.config()).withWorkDir(work)
        .withRegistries(DEAD_URL, DEAD_URL, false), System.getenv());
    assertThat(mode(work)).isEqualTo("rwx------");
    assertThat(mode(leftover)).isEqualTo("rw-------");

    bits.addPackage("priv", Zips.of(Examples.dir("static")));
    java.util.concurrent.CompletableFuture<Void> held = bits.holdUploads();
    Future<StagingResult> staging = client.request(Subjects.STAGING,
        request("priv", "tpriv", props(null, Map.of())), StagingResult.class, STAGING_WAIT);
    // the stager is uploading: its task directory is all there
    await().atMost(STAGING_WAIT).until(() -> bits.uploadsArrived() == 1);
    Path task = work.resolve("task-tpriv");
    assertThat(mode(task)).isEqualTo("rwx------");
    assertThat(mode(task.resolve("tmp"))).isEqualTo("rwx------");
    assertThat(task.resolve("droplet.tgz")).exists();
    try (java.util.stream.Stream<Path> all = Files.walk(work)) {
      for (Path p : all.filter(p -> !p.equals(work)).toList()) {
        assertThat(reachableByOthers(work, p)).as("%s (%s) reachable by others", p, mode(p))
            .isFalse();
      }
    }
    held.complete(null);
    assertThat(result(staging).error()).isNull();
    // what apps get is as before: the droplet's own modes, not the work dir's
    Map<String, Integer> modes = new HashMap<>();
    try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(
        new org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream(
            new java.io.ByteArrayInputStream(bits.droplet("priv"))))) {
      for (var e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
        modes.put(e.getName(), e.getMode() & 0777);
      }
    }
    int usual = 0;
    for (PosixFilePermission p : Files.getPosixFilePermissions(
        Files.createDirectory(tmp.resolve("usual")))) {
      usual |= 0400 >> p.ordinal();
    }
    assertThat(modes).containsEntry("startup", 0755).containsEntry("app/", usual)
        .containsEntry("logs/", usual).containsEntry("tmp/", usual);
  }

  /** Whether another user could read {@code p}: every directory on the way from {@code root}. */
  private static boolean reachableByOthers(Path root, Path p) throws java.io.IOException {
    for (Path dir = p.getParent(); !dir.equals(root.getParent()); dir = dir.getParent()) {
      var perms = Files.getPosixFilePermissions(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS);
      if (!perms.contains(PosixFilePermission.OTHERS_EXECUTE)
          && !perms.contains(PosixFilePermission.GROUP_EXECUTE)) {
        return false;
      }
    }
    var perms = Files.getPosixFilePermissions(p, java.nio.file.LinkOption.NOFOLLOW_LINKS);
    return perms.contains(PosixFilePermission.OTHERS_READ)
        || perms.contains(PosixFilePermission.GROUP_READ);
  }

  private static String mode(Path p) throws java.io.IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p,
        java.nio.file.LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void aRejectedUploadFailsWithFailedUploadingDroplet() throws Exception {
    startStager();
    bits.addPackage("up", Zips.of(Examples.dir("static")));
    StagingRequest badUpload = new StagingRequest("up", props(null, Map.of()),
        bits.downloadUri("up"), bits.uploadUri("up").replace(BitsServer.PASSWORD, "nope"), null);

    StagingResult result = stage(badUpload);

    assertThat(result.error()).startsWith("Failed uploading droplet: HTTP 401 from http://***@");
    assertThat(result.taskLog()).contains("Uploading droplet").doesNotContain("Done!");
  }

  @Test
  void aPackageOverTheLimitIsRefusedWhileDownloading() throws Exception {
    startStager(config("small").withMaxPackageMb(1), System.getenv());
    byte[] noise = new byte[2 * 1024 * 1024];
    new java.util.Random(7).nextBytes(noise); // incompressible: the zip itself is over 1 MB
    bits.addPackage("big", Zips.builder().file("index.html", "hi").file("noise.bin", noise, 0644)
        .bytes());

    StagingResult result = stage(request("big", null, props(null, Map.of())));

    assertThat(result.error()).isEqualTo("Failed downloading app: the package is larger than "
        + "1 MB");
  }

  @Test
  void aPackageNothingDetectsFailsWithTheClearError() throws Exception {
    startStager();
    bits.addPackage("none", Zips.builder().file("README.txt", "just text").bytes());

    StagingResult result = stage(request("none", null, props(null, Map.of())));

    assertThat(result.error()).startsWith("No buildpack detected: expected one of ");
    assertThat(result.taskLog()).contains("  static: no", "Staging failed: No buildpack");
    assertThat(bits.uploads("none")).isZero();
  }

  @Test
  void aHostilePackageIsRefused() throws Exception {
    startStager();
    bits.addPackage("evil", Zips.builder().file("app.py", "").file("../../evil.py", "x")
        .bytes());

    StagingResult result = stage(request("evil", null, props(null, Map.of())));

    assertThat(result.error()).startsWith("Invalid app package: entry '../../evil.py'")
        .contains("outside");
    assertThat(tmp.resolve("evil.py")).doesNotExist();
  }

  @Test
  void aHangingBuildTimesOutCleanlyAndIsKilled() throws Exception {
    // a fake mvn that never finishes, first on the stager's PATH
    Path bin = Files.createDirectories(tmp.resolve("fakebin"));
    String marker = "sleep 400." + Math.abs(UUID.randomUUID().getMostSignificantBits() % 100000);
    Files.writeString(bin.resolve("mvn"), "#!/bin/sh\necho building forever\n" + marker
        + " &\n" + marker + "\n");
    bin.resolve("mvn").toFile().setExecutable(true);
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("PATH", bin + ":" + System.getenv("PATH"));
    startStager(config("timeout").withMaxStagingSeconds(2), env);
    bits.addPackage("slow", Zips.builder().file("pom.xml", "<project/>").bytes());

    long start = System.nanoTime();
    StagingResult result = stage(request("slow", null, props(null, Map.of())));

    assertThat(result.error()).isEqualTo("Staging timed out after 2 seconds");
    assertThat(result.taskLog()).contains("building forever",
        "Staging failed: Staging timed out after 2 seconds");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
    await().atMost(Duration.ofSeconds(5)).until(() -> ProcessHandle.allProcesses()
        .noneMatch(p -> p.info().commandLine().orElse("").contains(marker)));
    assertThat(bits.uploads("slow")).isZero();
  }

  @Test
  void twoStagersInTheQueueGroupTakeEachRequestOnce() throws Exception {
    startStager();
    startStager();
    int count = 6;
    List<Future<StagingResult>> replies = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String appId = "q" + i;
      bits.addPackage(appId, Zips.of(Examples.dir("static")));
      replies.add(client.request(Subjects.STAGING, request(appId, null, props(null, Map.of())),
          StagingResult.class, STAGING_WAIT));
    }
    for (int i = 0; i < count; i++) {
      StagingResult r = result(replies.get(i));
      assertThat(r.error()).as(r.taskLog()).isNull();
      assertThat(bits.downloads("q" + i)).isEqualTo(1);
      assertThat(bits.uploads("q" + i)).isEqualTo(1);
    }
  }
}
