package io.updraft.stager;

import static io.updraft.common.testing.Futures.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.updraft.common.bus.NatsBus;
import io.updraft.common.component.ComponentLauncher;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.staging.StagingProperties;
import io.updraft.common.protocol.staging.StagingRequest;
import io.updraft.common.protocol.staging.StagingResult;
import io.updraft.common.testing.Containers;
import io.updraft.common.testing.NatsServer;
import io.updraft.common.testing.NatsServerExtension;
import io.updraft.stager.StagerConfig.Isolation;
import io.updraft.stager.testing.BitsServer;
import io.updraft.stager.testing.Droplets;
import io.updraft.stager.testing.NpmRegistry;
import io.updraft.stager.testing.PythonIndex;
import io.updraft.stager.testing.Zips;
import io.vertx.core.Vertx;
import java.io.IOException;
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
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stagers whose build steps run in containers on the real stack and an OCI runtime: what a
 * hostile build step can and cannot reach, its memory limit, its deadline, registries it may
 * use, tools that are not in the stack. Needs root, an OCI runtime and the stack
 * ({@code scripts/build-stack}); skips saying which is missing, except in CI
 * ({@code CI=true}), where a missing one is a failure (a skip would hide a regression).
 */
@ExtendWith(NatsServerExtension.class)
class StagerContainerIT {

  private static final Duration STAGING_WAIT = Duration.ofSeconds(150);
  private static final Path STACK = Containers.STACK;
  /** Distinct from StagerIT's and the DEA's, so tests running side by side never mix. */
  private static final String NETWORK = "10.252.0.0/16";

  @TempDir
  Path tmp;

  private NatsServer nats;
  private Vertx vertx;
  private NatsBus client;
  private BitsServer bits;
  private String lan;
  private final List<ComponentLauncher.Running<StagerConfig>> stagers = new ArrayList<>();
  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void setUp(NatsServer nats) throws Exception {
    Containers.assume();
    this.nats = nats;
    vertx = Vertx.vertx();
    client = result(NatsBus.connect(vertx, nats.config(), "stager-container-it",
        new SimpleMeterRegistry()));
    bits = new BitsServer(vertx, Files.createDirectories(tmp.resolve("uploads")));
    lan = Containers.lanAddress();
  }

  @AfterEach
  void tearDown() throws Exception {
    stagers.forEach(ComponentLauncher.Running::stop);
    for (AutoCloseable c : closing) {
      c.close();
    }
    if (bits != null) {
      bits.close();
      result(client.close());
      result(vertx.close());
    }
  }



  private StagerConfig config(String name, Isolation.Mode mode, List<Integer> allowedPorts)
      throws IOException {
    return StagerConfig.defaults(nats.config())
        .withWorkDir(Files.createDirectories(tmp.resolve("work-" + name)))
        .withIsolation(new Isolation(mode, null, STACK.toString(), NETWORK, allowedPorts, 128,
            16, 31_000, 20));
  }

  private ComponentLauncher.Running<StagerConfig> startStager(StagerConfig config)
      throws Exception {
    ComponentLauncher.Running<StagerConfig> running = result(ComponentLauncher.start(
        StagerMain.TYPE, config, runtime -> StagerMain.verticle(runtime, System.getenv())));
    stagers.add(running);
    result(running.runtime().bus().flush());
    return running;
  }

  private static StagingProperties props(List<String> env) {
    return new StagingProperties(List.of(), null, null, null, null,
        new StagingProperties.Resources(256, 1024, 256), env, Map.of());
  }

  private StagingResult stage(String appId, byte[] zip, List<String> env) throws Exception {
    bits.addPackage(appId, zip);
    StagingRequest request = new StagingRequest(appId, props(env), bits.downloadUri(appId),
        bits.uploadUri(appId), null);
    return client.request(Subjects.STAGING, request, StagingResult.class, STAGING_WAIT)
        .toCompletionStage().toCompletableFuture()
        .get(STAGING_WAIT.toSeconds() + 5, TimeUnit.SECONDS);
  }

  /** A TCP listener of the test's own that counts the connections it accepts. */
  private static final class Listener implements AutoCloseable {
    final ServerSocket socket;
    final AtomicInteger accepted = new AtomicInteger();

    Listener(String host) throws IOException {
      socket = new ServerSocket();
      socket.bind(new InetSocketAddress(host, 0));
      Thread t = new Thread(() -> {
        while (!socket.isClosed()) {
          try (Socket s = socket.accept()) {
            accepted.incrementAndGet();
          } catch (IOException e) {
            return;
          }
        }
      }, "it-listener");
      t.setDaemon(true);
      t.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  /**
   * A Python app whose {@code requirements.txt} installs a local package ({@code ./evil}: pip
   * needs no index for it) whose {@code setup.py} tries to leave its container while pip
   * builds it, and writes what each attempt got into {@code escape.json} beside it in the
   * app: {@code ok…} when it got through, {@code refused: <error>} when it did not.
   */
  static byte[] escapingApp() {
    String setup = String.join("\n",
        "import json, os, socket",
        "from setuptools import setup",
        "env = os.environ",
        "out = {'uid': os.getuid()}",
        "def attempt(name, fn):",
        "    try:",
        "        r = fn()",
        "        out[name] = 'ok' + ('' if r is None else ': ' + str(r)[:100])",
        "    except Exception as e:",
        "        out[name] = 'refused: ' + type(e).__name__ + ': ' + str(e)[:100]",
        "attempt('read_host_file', lambda: open(env['HOST_FILE']).read())",
        "attempt('read_host_file_via_proc1_root',",
        "        lambda: open('/proc/1/root' + env['HOST_FILE']).read())",
        "attempt('read_stager_config', lambda: open(env['STAGER_CONFIG']).read())",
        "def connect(host, port):",
        "    socket.create_connection((host, int(port)), timeout=3).close()",
        "for t in env['TARGETS'].split():",
        "    h, p = t.rsplit(':', 1)",
        "    attempt('connect ' + t, lambda h=h, p=p: connect(h, p))",
        "def gateway():",
        "    for line in open('/proc/net/route').read().splitlines()[1:]:",
        "        f = line.split()",
        "        if f[1] == '00000000':",
        "            return socket.inet_ntoa(int(f[2], 16).to_bytes(4, 'little'))",
        "out['gateway'] = gateway()",
        "attempt('connect gateway', lambda: connect(out['gateway'], env['GATEWAY_PORT']))",
        "def host_processes():",
        "    seen = []",
        "    for pid in os.listdir('/proc'):",
        "        if pid.isdigit():",
        "            try:",
        "                seen.append(open('/proc/%s/cmdline' % pid, 'rb').read()",
        "                    .replace(b'\\0', b' ').decode())",
        "            except OSError:",
        "                pass",
        "    out['processes_seen'] = len(seen)",
        "    if any(env['MARKER'] in c for c in seen):",
        "        return 'saw the host process ' + env['MARKER']",
        "    raise PermissionError('%d processes, all its own' % len(seen))",
        "attempt('list_host_processes', host_processes)",
        "attempt('write_host_path', lambda: open(env['WRITE_TO'], 'w').write('escaped'))",
        "attempt('write_etc', lambda: open('/etc/escaped', 'w').write('x'))",
        "attempt('write_usr', lambda: open('/usr/escaped', 'w').write('x'))",
        "attempt('write_root', lambda: open('/escaped', 'w').write('x'))",
        "attempt('write_home_parent', lambda: open('/home/escaped', 'w').write('x'))",
        "here = os.path.dirname(os.path.abspath(__file__))",
        "json.dump(out, open(os.path.join(here, '..', 'escape.json'), 'w'), indent=1)",
        "setup(name='evil', version='1.0', py_modules=['evil'])",
        "");
    return Zips.builder()
        .file("requirements.txt", "./evil\n")
        .file("app.py", "print('hello')\n")
        .file("evil/setup.py", setup)
        .file("evil/evil.py", "GREETING = 'installed'\n")
        .bytes();
  }

  /** Everything the escaping app needs to know about the host, as app environment. */
  private final class HostBait implements AutoCloseable {
    final Path hostFile;
    final Path stagerConfig;
    final Path writeTo;
    final String marker = "updraft-it-" + UUID.randomUUID();
    final Process markerProcess;
    final Listener loopback;
    final Listener any;

    HostBait() throws IOException {
      hostFile = Files.writeString(tmp.resolve("host-secret"), "platform secret");
      stagerConfig = Files.writeString(tmp.resolve("stager.yml"),
          "nats:\n  password: nats-s3cret\n");
      for (Path p : List.of(hostFile, stagerConfig)) {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
      }
      writeTo = tmp.resolve("escaped-write");
      markerProcess = new ProcessBuilder("sh", "-c", "sleep 600; :", marker).start();
      loopback = new Listener("127.0.0.1");
      any = new Listener("0.0.0.0");
    }

    List<String> env() {
      return List.of("HOST_FILE=" + hostFile, "STAGER_CONFIG=" + stagerConfig,
          "WRITE_TO=" + writeTo, "MARKER=" + marker,
          "TARGETS=127.0.0.1:" + loopback.port() + " " + lan + ":" + any.port(),
          "GATEWAY_PORT=" + any.port());
    }

    @Override
    public void close() throws IOException {
      markerProcess.destroyForcibly();
      loopback.close();
      any.close();
    }
  }

  private JsonNode escapeReport(String appId) throws IOException {
    Path dir = Droplets.unpack(bits.droplet(appId), tmp.resolve("droplet-" + appId));
    return Json.mapper().readTree(dir.resolve("app/escape.json").toFile());
  }

  /** A reachable index for the buildpack's probe; pip never asks it for a local path. */
  private String anIndex() throws Exception {
    PythonIndex index = new PythonIndex(vertx, lan);
    closing.add(index);
    return index.url();
  }

  @Test
  void aBuildStepsEscapeAttemptsEachFailAndStagingStillMakesTheDroplet() throws Exception {
    startStager(config("escape", Isolation.Mode.CONTAINER, List.of()).withRegistries(
        anIndex(), "http://" + lan + ":9/", false));
    try (HostBait bait = new HostBait()) {
      StagingResult result = stage("escape", escapingApp(), bait.env());

      assertThat(result.error()).as(result.taskLog()).isNull();
      assertThat(result.taskLog()).contains("Successfully installed evil-1.0", "Done!");
      assertThat(Droplets.entries(bits.droplet("escape"))).contains("app/escape.json",
          "app/.python_packages/evil.py", "startup");
      JsonNode report = escapeReport("escape");
      System.out.println("escape report: " + report.toPrettyString());
      assertThat(report.path("uid").asInt()).isBetween(31_000, 31_019);
      List<String> attempts = new ArrayList<>();
      for (Iterator<String> it = report.fieldNames(); it.hasNext(); ) {
        String name = it.next();
        if (!List.of("uid", "gateway", "processes_seen").contains(name)) {
          attempts.add(name);
        }
      }
      assertThat(attempts).containsExactlyInAnyOrder("read_host_file",
          "read_host_file_via_proc1_root", "read_stager_config",
          "connect 127.0.0.1:" + bait.loopback.port(), "connect " + lan + ":" + bait.any.port(),
          "connect gateway", "list_host_processes", "write_host_path", "write_etc", "write_usr",
          "write_root", "write_home_parent");
      for (String attempt : attempts) {
        assertThat(report.path(attempt).asText()).as(attempt + " in " + report)
            .startsWith("refused: ");
      }
      assertThat(report.path("gateway").asText()).startsWith("10.252.");
      assertThat(report.path("processes_seen").asInt()).isLessThan(20);
      assertThat(bait.loopback.accepted.get() + bait.any.accepted.get()).isZero();
      assertThat(bait.writeTo).doesNotExist();
      assertThat(result.taskLog()).doesNotContain("platform secret", "nats-s3cret");
    }
  }

  /** The same app in process mode gets through: the probes above would see an escape. */
  @Test
  void theSameBuildAsAProcessOfTheHostReachesWhatTheContainerCannot() throws Exception {
    startStager(config("escape-p", Isolation.Mode.PROCESS, List.of()).withRegistries(
        anIndex(), "http://" + lan + ":9/", false));
    try (HostBait bait = new HostBait()) {
      StagingResult result = stage("escape-p", escapingApp(), bait.env());

      assertThat(result.error()).as(result.taskLog()).isNull();
      JsonNode report = escapeReport("escape-p");
      assertThat(report.path("read_host_file").asText()).isEqualTo("ok: platform secret");
      assertThat(report.path("read_stager_config").asText()).startsWith("ok: nats:");
      assertThat(report.path("connect 127.0.0.1:" + bait.loopback.port()).asText())
          .isEqualTo("ok");
      assertThat(report.path("connect " + lan + ":" + bait.any.port()).asText())
          .isEqualTo("ok");
      assertThat(report.path("list_host_processes").asText()).startsWith("ok: saw");
      assertThat(report.path("write_host_path").asText()).isEqualTo("ok: 7");
      assertThat(bait.writeTo).hasContent("escaped");
    }
  }

  @Test
  void aBuildStepOverTheMemoryLimitFailsWithTheMemoryMessage() throws Exception {
    startStager(config("oom", Isolation.Mode.CONTAINER, List.of()).withMaxMemoryMb(128)
        .withRegistries(anIndex(), "http://" + lan + ":9/", false));
    byte[] hog = Zips.builder()
        .file("requirements.txt", "./hog\n")
        .file("app.py", "print('hello')\n")
        .file("hog/setup.py", "from setuptools import setup\n"
            + "x = bytearray(512 * 1024 * 1024)\n"
            + "setup(name='hog', version='1.0', py_modules=[])\n")
        .bytes();

    StagingResult result = stage("oom", hog, List.of());

    assertThat(result.error()).as(result.taskLog())
        .startsWith("Staging exceeded the memory limit of 128 MB");
    assertThat(bits.uploads("oom")).isZero();
  }

  @Test
  void aStepKilledAtOnceForMemoryAlsoFailsWithTheMemoryMessage() throws Exception {
    // npm itself is the process over the limit: it dies before its cgroup is read (cgroup v1)
    NpmRegistry registry = new NpmRegistry(vertx, lan);
    closing.add(registry);
    startStager(config("oom-npm", Isolation.Mode.CONTAINER, List.of()).withMaxMemoryMb(96)
        .withRegistries("http://" + lan + ":9/", registry.url(), false));
    byte[] hog = Zips.builder()
        .file("package.json", "{\"name\":\"hog\",\"dependencies\":{\""
            + NpmRegistry.PACKAGE + "\":\"1.0.0\"}}")
        .file("hog.js", "globalThis.hog = Buffer.alloc(512 * 1024 * 1024, 1);\n")
        .file("server.js", "")
        .bytes();

    StagingResult result = stage("oom-npm", hog,
        List.of("NODE_OPTIONS=--require=/home/vcap/app/hog.js"));

    assertThat(result.error()).as(result.taskLog())
        .startsWith("Staging exceeded the memory limit of 96 MB");
  }

  @Test
  void aHangingBuildStepIsKilledAtTheDeadlineAndLeavesNothingBehind() throws Exception {
    ComponentLauncher.Running<StagerConfig> stager = startStager(
        config("hang", Isolation.Mode.CONTAINER, List.of()).withMaxStagingSeconds(4)
            .withRegistries(anIndex(), "http://" + lan + ":9/", false));
    String marker = "300." + Math.abs(UUID.randomUUID().getMostSignificantBits() % 100000);
    byte[] hang = Zips.builder()
        .file("requirements.txt", "./hang\n")
        .file("app.py", "")
        .file("hang/setup.py", "import subprocess, time\n"
            + "subprocess.Popen(['setsid', 'sleep', '" + marker + "'])\n"
            + "time.sleep(" + marker + ")\n")
        .bytes();

    long start = System.nanoTime();
    StagingResult result = stage("hang", hang, List.of());

    assertThat(result.error()).isEqualTo("Staging timed out after 4 seconds");
    assertThat(result.taskLog()).contains("Processing ./hang");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.allProcesses()
        .noneMatch(p -> p.info().commandLine().orElse("").contains("sleep " + marker)));
    Path containers = stager.runtime().config().workPath().resolve("containers");
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      try (Stream<Path> left = Files.list(containers)) {
        return left.allMatch(p -> p.getFileName().toString().startsWith("."));
      }
    });
    try (Stream<Path> state = Files.list(containers.resolve(".runtime"))) {
      assertThat(state.toList()).isEmpty();
    }
  }

  @Test
  void aStagedAppRunsWithWhatItsBuildStepInstalledAndVarzSaysContainer() throws Exception {
    ComponentLauncher.Running<StagerConfig> stager = startStager(
        config("run", Isolation.Mode.AUTO, List.of()).withRegistries(anIndex(),
            "http://" + lan + ":9/", false));
    byte[] app = Zips.builder()
        .file("requirements.txt", "./greeting\n")
        .file("greeting/setup.py", "from setuptools import setup\n"
            + "setup(name='greeting', version='1.0', py_modules=['greeting'])\n")
        .file("greeting/greeting.py", "TEXT = 'built in a container'\n")
        .file("app.py", String.join("\n",
            "import os, greeting",
            "from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer",
            "class H(BaseHTTPRequestHandler):",
            "    def do_GET(self):",
            "        self.send_response(200); self.end_headers()",
            "        self.wfile.write(greeting.TEXT.encode())",
            "ThreadingHTTPServer(('127.0.0.1', int(os.environ['PORT'])), H).serve_forever()",
            ""))
        .bytes();

    StagingResult result = stage("run", app, List.of());

    assertThat(result.error()).as(result.taskLog()).isNull();
    Path dir = Droplets.unpack(bits.droplet("run"), tmp.resolve("run"));
    Droplets.Instance instance = Droplets.start(dir, NatsServer.freePort(), "run", 0);
    closing.add(instance);
    assertThat(Droplets.get(instance, Duration.ofSeconds(30))).isEqualTo("built in a container");

    JsonNode varz = varz(stager);
    assertThat(varz.path("isolation").path("backend").asText()).isEqualTo("container");
    assertThat(varz.path("isolation").path("reason").asText()).contains("runs containers");
    assertThat(varz.path("active_tasks").isNumber()).isTrue();
  }

  private JsonNode varz(ComponentLauncher.Running<StagerConfig> stager) throws Exception {
    var component = stager.runtime().component();
    List<String> creds = component.statusCredentials();
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + component.statusPort() + "/varz"))
        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
            (creds.get(0) + ":" + creds.get(1)).getBytes(StandardCharsets.UTF_8)))
        .build(), HttpResponse.BodyHandlers.ofString());
    return Json.mapper().readTree(r.body());
  }

  @Test
  void packagesComeFromAnIndexOnThisHostWhenItsPortIsAllowed() throws Exception {
    PythonIndex index = new PythonIndex(vertx, lan);
    closing.add(index);
    startStager(config("pip", Isolation.Mode.CONTAINER, List.of(index.port()))
        .withRegistries(index.url(), "http://" + lan + ":9/", false));
    byte[] app = Zips.builder()
        .file("requirements.txt", PythonIndex.REQUIREMENT + "\n")
        .file("app.py", "import updraft_hello\n")
        .bytes();

    // plain http to an address that is not loopback: pip wants it named trusted
    StagingResult result = stage("pip", app, List.of("PIP_TRUSTED_HOST=" + lan));

    assertThat(result.error()).as(result.taskLog()).isNull();
    assertThat(Droplets.entries(bits.droplet("pip")))
        .contains("app/.python_packages/updraft_hello/__init__.py");
  }

  @Test
  void anIndexOnThisHostsLoopbackFailsAtOnceSayingContainersCannotReachIt() throws Exception {
    PythonIndex index = new PythonIndex(vertx);
    closing.add(index);
    startStager(config("loop", Isolation.Mode.CONTAINER, List.of())
        .withRegistries(index.url(), "http://" + lan + ":9/", false));
    byte[] app = Zips.builder().file("requirements.txt", PythonIndex.REQUIREMENT + "\n")
        .file("app.py", "").bytes();

    StagingResult result = stage("loop", app, List.of());

    assertThat(result.error()).isEqualTo("Cannot install requirements.txt: the Python package "
        + "index " + index.url() + " is on this stager's loopback, which build containers "
        + "cannot reach (use an address of this host they can, and list its port in "
        + "isolation.allowed_host_ports)");
  }

  @Test
  void nodeDependenciesComeFromARegistryOnThisHostAndInstallScriptsRunContained()
      throws Exception {
    NpmRegistry registry = new NpmRegistry(vertx, lan);
    closing.add(registry);
    startStager(config("npm", Isolation.Mode.CONTAINER, List.of(registry.port()))
        .withRegistries("http://" + lan + ":9/", registry.url(), false));
    byte[] app = Zips.builder()
        .file("package.json", "{\"name\":\"npm1\",\"dependencies\":{\""
            + NpmRegistry.PACKAGE + "\":\"1.0.0\"},\"scripts\":{\"start\":\"node main.js\","
            + "\"preinstall\":\"id -u > preinstall-uid\"}}")
        .file("main.js", "require('" + NpmRegistry.PACKAGE + "');\n")
        .bytes();

    StagingResult result = stage("npm", app, List.of());

    assertThat(result.error()).as(result.taskLog()).isNull();
    Path dir = Droplets.unpack(bits.droplet("npm"), tmp.resolve("npm"));
    assertThat(dir.resolve("app/node_modules/" + NpmRegistry.PACKAGE + "/index.js")).exists();
    assertThat(Integer.parseInt(Files.readString(dir.resolve("app/preinstall-uid")).strip()))
        .isBetween(31_000, 31_019);
  }

  @Test
  void anOfflineStagerInstallsFromItsSharedNpmCacheWhichBuildsCannotChange() throws Exception {
    NpmRegistry registry = new NpmRegistry(vertx, lan);
    closing.add(registry);
    String packageJson = "{\"name\":\"off\",\"dependencies\":{\"" + NpmRegistry.PACKAGE
        + "\":\"1.0.0\"}}";
    byte[] app = Zips.builder().file("package.json", packageJson).file("server.js", "").bytes();
    StagerConfig online = config("offline", Isolation.Mode.CONTAINER, List.of(registry.port()))
        .withRegistries("http://" + lan + ":9/", registry.url(), false);
    // the operator fills <work_dir>/cache/npm with the stack's npm: here, with what an
    // online staging of the same package left in its app's cache (owned by root, as theirs)
    ComponentLauncher.Running<StagerConfig> first = startStager(online);
    assertThat(stage("seed", app, List.of()).error()).isNull();
    first.stop();
    stagers.remove(first);
    Path shared = online.workPath().resolve("cache/npm");
    try (Stream<Path> apps = Files.list(online.workPath().resolve("cache/apps"))) {
      Path seeded = apps.findFirst().orElseThrow().resolve("npm");
      Process cp = new ProcessBuilder("cp", "-a", seeded.toString(), shared.toString()).start();
      assertThat(cp.waitFor()).isZero();
      assertThat(new ProcessBuilder("chown", "-R", "0:0", shared.toString()).start().waitFor())
          .isZero();
    }
    registry.close();
    closing.remove(registry);
    startStager(online.withRegistries("http://" + lan + ":9/", "http://" + lan + ":9/", true));
    Map<String, String> before = tree(shared); // the stager made its top 0700 at start

    // the cache's entries are keyed by the registry they came from
    StagingResult result = stage("offline", app, List.of("npm_config_registry=" + registry.url()));

    assertThat(result.error()).as(result.taskLog()).isNull();
    assertThat(result.taskLog()).contains("--offline");
    assertThat(Droplets.entries(bits.droplet("offline")))
        .contains("app/node_modules/" + NpmRegistry.PACKAGE + "/index.js");
    assertThat(tree(shared)).isEqualTo(before);
  }

  /** Every file below {@code dir} with its owner, mode and content digest. */
  private static Map<String, String> tree(Path dir) throws Exception {
    Map<String, String> files = new java.util.TreeMap<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.toList()) {
        String what = Files.getAttribute(p, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS)
            + " " + PosixFilePermissions.toString(Files.getPosixFilePermissions(p,
            java.nio.file.LinkOption.NOFOLLOW_LINKS));
        if (Files.isRegularFile(p)) {
          what += " " + java.util.HexFormat.of().formatHex(java.security.MessageDigest
              .getInstance("SHA-256").digest(Files.readAllBytes(p)));
        }
        files.put(dir.relativize(p).toString(), what);
      }
    }
    return files;
  }

  @Test
  void aMavenProjectSaysMavenIsNotInTheStack() throws Exception {
    startStager(config("mvn", Isolation.Mode.CONTAINER, List.of()));

    StagingResult result = stage("mvn", Zips.builder().file("pom.xml", "<project/>").bytes(),
        List.of());

    assertThat(result.error()).startsWith("mvn is not in the stack; add maven to "
        + "scripts/build-stack's package list");
  }

  @Test
  void aLinkTheBuildLeavesPointingOutOfTheAppFailsStaging() throws Exception {
    startStager(config("link", Isolation.Mode.CONTAINER, List.of()).withRegistries(anIndex(),
        "http://" + lan + ":9/", false));
    byte[] app = Zips.builder()
        .file("requirements.txt", "./linker\n")
        .file("app.py", "")
        .file("linker/setup.py", "import os\nfrom setuptools import setup\n"
            + "os.symlink('/etc/shadow', '/home/vcap/app/Procfile')\n"
            + "setup(name='linker', version='1.0', py_modules=[])\n")
        .bytes();

    StagingResult result = stage("link", app, List.of());

    assertThat(result.error()).isEqualTo("The build left links that point outside the app, "
        + "which a droplet may not hold: Procfile -> /etc/shadow");
  }
}
