package io.updraft.dea;

import static io.updraft.common.testing.Futures.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.updraft.common.fixtures.AppFixture;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.dea.DeaStartRequest;
import io.updraft.common.protocol.dea.Limits;
import io.updraft.common.protocol.router.RouteRegistration;
import io.updraft.common.testing.Containers;
import io.updraft.common.testing.NatsServer;
import io.updraft.common.testing.NatsServerExtension;
import io.updraft.dea.droplet.TarBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container backend on a real OCI runtime and the real stack: what an instance can and
 * cannot reach from inside, limits, crash reasons and re-adoption after a DEA restart. Needs
 * root, an OCI runtime and the stack ({@code scripts/build-stack}); skips without them, except
 * in CI, where they are all there and a skip would hide a regression.
 */
@ExtendWith(NatsServerExtension.class)
class ContainerIT {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  Path base;
  private DeaHarness h;
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeEach
  void setUp(NatsServer nats) throws Exception {
    Containers.assume();
    h = new DeaHarness(nats, base.resolve("dea"));
    h.isolation = new DeaConfig.Isolation(DeaConfig.Isolation.Mode.CONTAINER, null, null,
        Containers.STACK.toString(), null, null, 64, 16, 24_000, 50);
    h.memoryLimits = DeaConfig.MemoryLimits.AUTO;
    h.localIp = Containers.lanAddress();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (h != null) {
      h.close();
    }
  }

  /**
   * A droplet that looks around from inside and serves what it found as {@code key=value}
   * lines: {@code facts} at start, and the answer of each connection attempt listed in
   * {@code PROBE_TARGETS} ({@code host:port} separated by spaces).
   */
  static byte[] probeApp() {
    String probe = String.join("\n",
        "import json, os, socket, subprocess, sys",
        "out = {}",
        "out['uid'] = os.getuid()",
        "out['pid1'] = open('/proc/1/cmdline','rb').read().split(b'\\0')[0].decode()",
        "out['pids_seen'] = len([p for p in os.listdir('/proc') if p.isdigit()])",
        "out['home'] = os.environ.get('HOME')",
        "out['cwd'] = os.getcwd()",
        "import pwd",
        "out['user'] = pwd.getpwuid(os.getuid()).pw_name + ':' + pwd.getpwuid(os.getuid()).pw_dir",
        "def attempt(name, fn):",
        "    try:",
        "        fn(); out[name] = 'ok'",
        "    except Exception as e:",
        "        out[name] = 'refused: ' + type(e).__name__",
        "attempt('write_usr', lambda: open('/usr/x', 'w').write('x'))",
        "attempt('write_etc', lambda: open('/etc/x', 'w').write('x'))",
        "attempt('write_tmp', lambda: open('/tmp/x', 'w').write('x'))",
        "attempt('write_home', lambda: open(os.environ['HOME'] + '/x', 'w').write('x'))",
        "attempt('read_host_secret', lambda: open(os.environ['HOST_SECRET']).read())",
        "attempt('raw_socket', lambda: socket.socket(socket.AF_INET, socket.SOCK_RAW, 1))",
        "attempt('mount', lambda: subprocess.run(['mount', '-t', 'tmpfs', 't', '/tmp'],"
            + " check=True, capture_output=True))",
        "attempt('cgroup_write', lambda: open('/sys/fs/cgroup/cgroup.procs', 'w')"
            + ".write(str(os.getpid())))",
        "attempt('fill_tmp', lambda: open('/tmp/big', 'wb').write(b'x' * (32 * 1024 * 1024)))",
        "attempt('user_namespace', lambda: subprocess.run(['unshare', '--user', '--map-root-user',"
            + " 'true'], check=True, capture_output=True))",
        "attempt('proc1_root', lambda: open('/proc/1/root' + os.environ['HOST_SECRET']).read())",
        "for t in os.environ.get('PROBE_TARGETS', '').split():",
        "    h, p = t.rsplit(':', 1)",
        "    def c(h=h, p=p):",
        "        s = socket.create_connection((h, int(p)), timeout=3); s.close()",
        "    attempt('connect ' + t, c)",
        "json.dump(out, open('app/facts.json', 'w'))",
        "");
    return new TarBuilder()
        .file("startup", "#!/bin/sh\n"
            + "python3 probe.py 2>>logs/stderr.log\n"
            + "cd app\n"
            + "exec python3 -m http.server \"$2\" --bind \"$VCAP_APP_HOST\"\n", 0755)
        .file("probe.py", probe, 0644)
        .dir("app")
        .file("app/index.html", "probe")
        .build();
  }

  private DeaStartRequest withEnv(DeaStartRequest r, List<String> env, Limits limits) {
    return new DeaStartRequest(r.droplet(), r.index(), r.name(), r.uris(), r.runtime(),
        r.runtimeInfo(), r.framework(), r.prod(), r.sha1(), r.executableFile(),
        r.executableUri(), r.version(), r.services(), limits == null ? r.limits() : limits,
        env, r.users(), r.debug(), r.console(), r.flapping(), r.ccPartition());
  }

  private RouteRegistration awaitRoute(AppFixture app) {
    await().atMost(WAIT).until(() -> h.registered.stream()
        .anyMatch(r -> app.id().equals(r.app())));
    return h.registered.stream().filter(r -> app.id().equals(r.app())).findFirst()
        .orElseThrow();
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> facts(RouteRegistration route) throws Exception {
    await().atMost(WAIT).until(() -> get("http://" + route.host() + ":" + route.port()
        + "/facts.json").statusCode() == 200);
    return Json.mapper().readValue(get("http://" + route.host()
        + ":" + route.port() + "/facts.json").body(), Map.class);
  }

  @Test
  void anInstanceSeesOnlyItsOwnContainerAndIsServedAtTheDeaHostsAddress() throws Exception {
    h.startDea(DeaConfig.ShutdownAction.EVACUATE);
    Path secret = base.resolve("host-secret");
    Files.writeString(secret, "platform secret");
    String nats = "127.0.0.1:" + URI.create(h.nats.url()).getPort();
    String lanNats = h.localIp + ":" + URI.create(h.nats.url()).getPort();
    AppFixture app = AppFixture.create();
    DeaStartRequest req = h.startRequest(app, 0, probeApp());
    h.start(withEnv(req, List.of("HOST_SECRET=" + secret, "PROBE_TARGETS=" + nats + " "
        + lanNats), null));
    await().atMost(WAIT).until(() -> h.running(app.id(), 0));
    RouteRegistration route = awaitRoute(app);
    assertThat(route.host()).isEqualTo(h.localIp);

    Map<String, Object> facts = facts(route);
    assertThat(facts.get("uid")).isNotEqualTo(0);
    assertThat(facts.get("pid1")).isEqualTo("/usr/bin/tini");
    assertThat((Integer) facts.get("pids_seen")).isLessThan(10);
    assertThat(facts.get("home")).isEqualTo("/home/vcap");
    assertThat(facts.get("cwd")).isEqualTo("/home/vcap");
    assertThat(facts.get("user")).isEqualTo("vcap:/home/vcap");
    assertThat(facts.get("write_usr")).asString().startsWith("refused");
    assertThat(facts.get("write_etc")).asString().startsWith("refused");
    assertThat(facts.get("write_tmp")).isEqualTo("ok");
    assertThat(facts.get("write_home")).isEqualTo("ok");
    assertThat(facts.get("read_host_secret")).asString().startsWith("refused");
    assertThat(facts.get("raw_socket")).asString().startsWith("refused");
    assertThat(facts.get("mount")).asString().startsWith("refused");
    assertThat(facts.get("proc1_root")).asString().startsWith("refused");
    assertThat(facts.get("user_namespace")).asString().startsWith("refused");
    // its cgroup is not its to change, and its /tmp holds tmp_mb (16 here), not the disk
    assertThat(facts.get("cgroup_write")).asString().startsWith("refused");
    assertThat(facts.get("fill_tmp")).asString().startsWith("refused");
    assertThat(facts.get("connect " + nats)).asString().startsWith("refused");
    assertThat(facts.get("connect " + lanNats)).asString().startsWith("refused");
  }

  @Test
  void anInstanceOverItsMemoryLimitCrashesWithOutOfMemory() throws Exception {
    h.startDea(DeaConfig.ShutdownAction.EVACUATE);
    AppFixture app = AppFixture.create();
    byte[] hog = new TarBuilder()
        .file("startup", "#!/bin/sh\nexec python3 -c 'x = bytearray(256 * 1024 * 1024)'\n",
            0755)
        .dir("app").build();
    h.start(withEnv(h.startRequest(app, 0, hog), List.of(), new Limits(64, 256, 256)));
    await().atMost(WAIT).until(() -> h.exited.stream().anyMatch(e -> app.id()
        .equals(e.droplet())));
    String instance = h.exited.stream().filter(e -> app.id().equals(e.droplet())).findFirst()
        .orElseThrow().instance();
    await().atMost(WAIT).until(() -> h.crashNote(instance).contains("out of memory"));
  }

  @Test
  void anInstanceFillingItsDiskQuotaIsStopped() throws Exception {
    h.startDea(DeaConfig.ShutdownAction.EVACUATE);
    AppFixture app = AppFixture.create();
    byte[] filler = new TarBuilder()
        .file("startup", "#!/bin/sh\n"
            + "head -c 40000000 /dev/zero > app/fill\n"
            + "cd app\nexec python3 -m http.server \"$2\" --bind \"$VCAP_APP_HOST\"\n", 0755)
        .dir("app").build();
    h.start(withEnv(h.startRequest(app, 0, filler), List.of(), new Limits(128, 16, 256)));
    await().atMost(WAIT).until(() -> h.exited.stream().anyMatch(e -> app.id()
        .equals(e.droplet())));
    String instance = h.exited.stream().filter(e -> app.id().equals(e.droplet())).findFirst()
        .orElseThrow().instance();
    await().atMost(WAIT).until(() -> h.crashNote(instance).contains("disk quota exceeded"));
  }

  @Test
  void aForkBombStaysInsideItsPidsLimit() throws Exception {
    h.startDea(DeaConfig.ShutdownAction.EVACUATE);
    AppFixture app = AppFixture.create();
    byte[] bomb = new TarBuilder()
        .file("startup", "#!/bin/sh\npython3 bomb.py\n"
            + "cd app\nexec python3 -m http.server \"$2\" --bind \"$VCAP_APP_HOST\"\n", 0755)
        .file("bomb.py", String.join("\n",
            "import subprocess",
            "ps = []",
            "try:",
            "    for i in range(200):",
            "        ps.append(subprocess.Popen(['sleep', '600']))",
            "except Exception:",
            "    pass",
            "n = len(ps)",
            "for p in ps:",
            "    p.kill(); p.wait()",
            "open('app/count', 'w').write(str(n))",
            ""), 0644)
        .dir("app").build();
    h.start(h.startRequest(app, 0, bomb));
    RouteRegistration route = awaitRoute(app);
    await().atMost(WAIT).until(() -> get("http://" + route.host() + ":" + route.port()
        + "/count").statusCode() == 200);
    int count = Integer.parseInt(get("http://" + route.host() + ":" + route.port() + "/count")
        .body().strip());
    assertThat(count).isBetween(10, 63);
    // the DEA keeps serving others
    AppFixture other = AppFixture.create();
    h.start(h.startRequest(other, 0, TarBuilder.pythonWebApp("still here")));
    RouteRegistration otherRoute = awaitRoute(other);
    await().atMost(WAIT).until(() -> get("http://" + otherRoute.host() + ":"
        + otherRoute.port() + "/index.html").body().equals("still here"));
  }

  @Test
  void aRestartedDeaReadoptsItsContainersAndTheyKeepServing() throws Exception {
    h.startDea(DeaConfig.ShutdownAction.LEAVE_RUNNING);
    AppFixture app = AppFixture.create();
    h.start(h.startRequest(app, 0, TarBuilder.pythonWebApp("adopted")));
    await().atMost(WAIT).until(() -> h.running(app.id(), 0));
    RouteRegistration route = awaitRoute(app);
    String url = "http://" + route.host() + ":" + route.port() + "/index.html";
    await().atMost(WAIT).until(() -> get(url).body().equals("adopted"));
    String instance = h.instanceId(app.id(), 0);
    Long pid = h.pid(instance);

    h.stopDea();
    assertThat(get(url).body()).isEqualTo("adopted");
    h.heartbeats.clear();
    h.startDea(DeaConfig.ShutdownAction.EVACUATE);
    await().atMost(WAIT).until(() -> h.running(app.id(), 0));
    assertThat(h.instanceId(app.id(), 0)).isEqualTo(instance);
    assertThat(h.pid(instance)).isEqualTo(pid);
    assertThat(get(url).body()).isEqualTo("adopted");

    // stopping it now frees its container: the port no longer answers
    h.stopDea();
    await().atMost(WAIT).until(() -> {
      try {
        get(url);
        return false;
      } catch (java.io.IOException e) {
        return true;
      }
    });
  }
}
