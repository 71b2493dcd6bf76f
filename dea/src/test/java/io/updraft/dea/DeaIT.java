package io.updraft.dea;

import static io.updraft.common.testing.Futures.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.updraft.common.fixtures.AppFixture;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.dea.DeaDiscoverRequest;
import io.updraft.common.protocol.dea.DeaHello;
import io.updraft.common.protocol.dea.DeaStatusReply;
import io.updraft.common.protocol.dea.DeaStopRequest;
import io.updraft.common.protocol.dea.FindDropletReply;
import io.updraft.common.protocol.dea.FindDropletRequest;
import io.updraft.common.protocol.dea.InstanceState;
import io.updraft.common.protocol.dea.Limits;
import io.updraft.common.protocol.droplet.DropletExited;
import io.updraft.common.protocol.droplet.ExitReason;
import io.updraft.common.protocol.logs.AppLogLine;
import io.updraft.common.protocol.logs.LogSource;
import io.updraft.common.protocol.router.RouteRegistration;
import io.updraft.common.security.FileToken;
import io.updraft.common.testing.NatsServer;
import io.updraft.common.testing.NatsServerExtension;
import io.updraft.dea.droplet.TarBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A real DEA on a real nats-server running real droplets (python3 web apps). */
@ExtendWith(NatsServerExtension.class)
class DeaIT {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir
  Path base;
  private DeaHarness h;
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeEach
  void setUp(NatsServer nats) throws Exception {
    h = new DeaHarness(nats, base.resolve("dea"));
  }

  @AfterEach
  void tearDown() throws Exception {
    h.close();
  }

  @Test
  void startsServesReportsAndStopsAnInstance() throws Exception {
    String deaId = h.startDea(DeaConfig.ShutdownAction.EVACUATE);
    AppFixture app = AppFixture.create();
    List<AppLogLine> appLogs = new java.util.concurrent.CopyOnWriteArrayList<>();
    h.observer.subscribe(Subjects.appLogs(app.id()), AppLogLine.class,
        d -> appLogs.add(d.body()));
    result(h.observer.flush());
    h.start(h.startRequest(app, 0, TarBuilder.pythonWebApp("hello from " + app.name())));

    await().atMost(WAIT).until(() -> h.running(app.id(), 0));
    String instance = h.instanceId(app.id(), 0);
    await().atMost(WAIT).until(() -> h.registered.stream()
        .anyMatch(r -> app.id().equals(r.app())));
    RouteRegistration route = h.registered.stream().filter(r -> app.id().equals(r.app()))
        .findFirst().orElseThrow();
    assertThat(route.uris()).containsExactly(app.uri());
    assertThat(route.dea()).isEqualTo(deaId);
    assertThat(route.host()).isEqualTo("127.0.0.1");
    assertThat(route.privateInstanceId()).hasSize(64);
    // the app's stdout streams on logs.<app_id> (issue 10)
    await().atMost(WAIT).until(() -> appLogs.stream().anyMatch(l -> l.line()
        .contains("starting on port " + route.port())));
    assertThat(appLogs).filteredOn(l -> l.line().startsWith("starting on port")).first()
        .satisfies(l -> {
      assertThat(l.instance()).isEqualTo(instance);
      assertThat(l.index()).isZero();
      assertThat(l.source()).isEqualTo(LogSource.STDOUT);
    });

    HttpResponse<String> page = get("http://127.0.0.1:" + route.port() + "/index.html", null);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).isEqualTo("hello from " + app.name());

    List<FindDropletReply> found = result(h.observer.gather(Subjects.DEA_FIND_DROPLET,
        new FindDropletRequest(app.id(), null, null, List.of(instance), null,
            List.of(InstanceState.RUNNING), true),
        FindDropletReply.class, Duration.ofSeconds(1), 10));
    assertThat(found).hasSize(1);
    FindDropletReply reply = found.get(0);
    assertThat(reply.dea()).isEqualTo(deaId);
    assertThat(reply.state()).isEqualTo(InstanceState.RUNNING);
    assertThat(reply.stats()).isNotNull();
    assertThat(reply.stats().port()).isEqualTo(route.port());
    assertThat(reply.stats().memQuotaBytes()).isEqualTo(128L * 1024 * 1024);
    assertThat(reply.credentials()).hasSize(2);
    assertThat(reply.staged()).endsWith(instance);

    // the files API: Basic credentials, a signed token, and refusals
    String logs = reply.fileUri() + reply.staged() + "/logs/stdout.log";
    String basic = "Basic " + Base64.getEncoder().encodeToString(
        (reply.credentials().get(0) + ":" + reply.credentials().get(1))
            .getBytes(StandardCharsets.UTF_8));
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(get(logs, basic).body()).contains("starting on port " + route.port()
            + " as " + route.port()));
    assertThat(get(reply.fileUri() + reply.staged() + "/", basic).body())
        .contains("app/").contains("logs/").doesNotContain("startup");
    assertThat(get(logs, "Basic " + Base64.getEncoder().encodeToString(
        "x:y".getBytes(StandardCharsets.UTF_8))).statusCode()).isEqualTo(401);
    assertThat(get(logs, null).statusCode()).isEqualTo(401);
    assertThat(get(reply.fileUri() + reply.staged() + "/logs/%2E%2E/startup", basic)
        .statusCode()).isEqualTo(403);
    assertThat(get(reply.fileUri() + reply.staged() + "/startup", basic).statusCode())
        .isEqualTo(403);
    FileToken tokens = new FileToken(DeaHarness.SECRET, 600);
    long exp = Instant.now().getEpochSecond() + 60;
    assertThat(get(logs, "Bearer " + tokens.mint(instance, "/logs", exp)).statusCode())
        .isEqualTo(200);
    assertThat(get(logs + "?token=" + tokens.mint(instance, "/logs", exp), null).statusCode())
        .isEqualTo(200);
    assertThat(get(reply.fileUri() + reply.staged() + "/app/index.html",
        "Bearer " + tokens.mint(instance, "/logs", exp)).statusCode()).isEqualTo(401);
    assertThat(get(logs, "Bearer " + new FileToken("another-secret-0123456789", 600)
        .mint(instance, "/", exp)).statusCode()).isEqualTo(401);

    Long pid = h.pid(instance);
    assertThat(pid).isNotNull();
    assertThat(Files.readAllLines(Path.of("/proc", pid.toString(), "limits")))
        .anyMatch(l -> l.matches("Max open files\\s+256\\s+256\\s+files\\s*"));
    h.observer.publish(Subjects.DEA_STOP, DeaStopRequest.all(app.id()));
    await().atMost(WAIT).until(() -> h.exited.stream().anyMatch(e -> e.instance().equals(instance)
        && e.reason() == ExitReason.STOPPED));
    await().atMost(WAIT).until(() -> h.unregistered.stream()
        .anyMatch(r -> app.id().equals(r.app()) && r.port().equals(route.port())));
    await().atMost(WAIT).until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
    await().atMost(WAIT).until(() -> h.state(app.id(), 0) == null
        || !Files.exists(h.base.resolve("apps").resolve(reply.staged())));
    assertThat(h.exited.stream().filter(e -> e.instance().equals(instance))).hasSize(1);
  }

  @Test
  void anAppKilledWithSigkillIsReportedCrashed() throws Exception {
    h.startDea(DeaConfig.ShutdownAction.EVACUATE);
    AppFixture app = AppFixture.create();
    h.start(h.startRequest(app, 0, TarBuilder.pythonWebApp("crash me")));
    await().atMost(WAIT).until(() -> h.running(app.id(), 0));
    String instance = h.instanceId(app.id(), 0);
    await().atMost(WAIT).until(() -> h.pid(instance) != null);
    ProcessHandle.of(h.pid(instance)).orElseThrow().destroyForcibly();

    await().atMost(WAIT).until(() -> h.exited.stream().anyMatch(e ->
        e.instance().equals(instance) && e.reason() == ExitReason.CRASHED));
    DropletExited exit = h.exited.stream().filter(e -> e.instance().equals(instance))
        .findFirst().orElseThrow();
    assertThat(exit.crashTimestamp()).isNotNull();
    assertThat(exit.ccPartition()).isEqualTo(app.ccPartition());
    await().atMost(WAIT).until(() -> h.state(app.id(), 0) == InstanceState.CRASHED);
    await().atMost(WAIT).until(() -> h.unregistered.stream()
        .anyMatch(r -> app.id().equals(r.app())));
  }

  @Test
  void aSha1MismatchFailsTheStart() throws Exception {
    h.startDea(DeaConfig.ShutdownAction.EVACUATE);
    AppFixture app = AppFixture.create();
    byte[] droplet = TarBuilder.pythonWebApp("tampered");
    String uri = h.droplets.put("tampered", droplet);
    h.start(DeaHarness.startRequest(app, 0, "0".repeat(40), uri));

    await().atMost(WAIT).until(() -> h.exited.stream().anyMatch(e ->
        e.droplet().equals(app.id()) && e.reason() == ExitReason.CRASHED));
    assertThat(h.registered).noneMatch(r -> app.id().equals(r.app()));
    assertThat(Files.exists(h.base.resolve("staged").resolve("0".repeat(40) + ".tgz"))).isFalse();
  }

  @Test
  void aDropletEscapingItsDirectoryFailsSafely() throws Exception {
    h.startDea(DeaConfig.ShutdownAction.EVACUATE);
    AppFixture app = AppFixture.create();
    byte[] evil = new TarBuilder().file("startup", "#!/bin/sh\nexec sleep 600\n", 0755)
        .file("../../evil", "gotcha").build();
    h.start(h.startRequest(app, 0, evil));

    await().atMost(WAIT).until(() -> h.exited.stream().anyMatch(e ->
        e.droplet().equals(app.id()) && e.reason() == ExitReason.CRASHED));
    try (var files = Files.walk(base)) {
      assertThat(files.filter(p -> p.getFileName().toString().equals("evil"))).isEmpty();
    }
  }

  @Test
  void anAppThatNeverOpensItsPortCrashesAfterTheStartTimeout() throws Exception {
    h.startDea(DeaConfig.ShutdownAction.EVACUATE);
    AppFixture app = AppFixture.create();
    h.start(h.startRequest(app, 0, TarBuilder.silentApp()));
    await().atMost(WAIT).until(() -> h.state(app.id(), 0) == InstanceState.STARTING);
    String instance = h.instanceId(app.id(), 0);
    await().atMost(WAIT).until(() -> h.pid(instance) != null);
    long pid = h.pid(instance);

    await().atMost(WAIT).until(() -> h.exited.stream().anyMatch(e ->
        e.instance().equals(instance) && e.reason() == ExitReason.CRASHED));
    await().atMost(WAIT).until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
    assertThat(h.registered).noneMatch(r -> app.id().equals(r.app()));
  }

  @Test
  void aRestartedDeaReadoptsItsLiveInstances() throws Exception {
    h.startDea(DeaConfig.ShutdownAction.LEAVE_RUNNING);
    AppFixture app = AppFixture.create();
    h.start(h.startRequest(app, 0, TarBuilder.pythonWebApp("survivor")));
    await().atMost(WAIT).until(() -> h.running(app.id(), 0));
    String instance = h.instanceId(app.id(), 0);
    await().atMost(WAIT).until(() -> h.pid(instance) != null);
    long pid = h.pid(instance);
    h.stopDea();
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);
    assertThat(h.exited).noneMatch(e -> e.instance().equals(instance));

    h.heartbeats.clear();
    h.registered.clear();
    String newDea = h.startDea(DeaConfig.ShutdownAction.EVACUATE);
    await().atMost(WAIT).until(() -> h.heartbeats.stream().anyMatch(hb ->
        newDea.equals(hb.dea()) && hb.droplets().stream().anyMatch(e ->
            e.instance().equals(instance) && e.state() == InstanceState.RUNNING)));
    await().atMost(WAIT).until(() -> h.registered.stream()
        .anyMatch(r -> newDea.equals(r.dea()) && app.id().equals(r.app())));

    h.observer.publish(Subjects.DEA_STOP, DeaStopRequest.all(app.id()));
    await().atMost(WAIT).until(() -> h.exited.stream().anyMatch(e ->
        e.instance().equals(instance) && e.reason() == ExitReason.STOPPED));
    await().atMost(WAIT).until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
  }

  @Test
  void shuttingDownEvacuatesThenStops() throws Exception {
    h.startDea(DeaConfig.ShutdownAction.EVACUATE);
    AppFixture app = AppFixture.create();
    h.start(h.startRequest(app, 0, TarBuilder.pythonWebApp("evacuee")));
    await().atMost(WAIT).until(() -> h.running(app.id(), 0));
    String instance = h.instanceId(app.id(), 0);
    await().atMost(WAIT).until(() -> h.pid(instance) != null);
    long pid = h.pid(instance);

    h.stopDea();

    await().atMost(WAIT).until(() -> h.exited.stream().anyMatch(e ->
        e.instance().equals(instance) && e.reason() == ExitReason.DEA_EVACUATION));
    assertThat(ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true)).isTrue();
    assertThat(h.exited.stream().filter(e -> e.instance().equals(instance))).hasSize(1);
  }

  @Test
  void answersDiscoverStatusAndAdvertises() throws Exception {
    String deaId = h.startDea(DeaConfig.ShutdownAction.EVACUATE);
    await().atMost(WAIT).until(() -> h.adverts.stream().anyMatch(a -> deaId.equals(a.id())));
    assertThat(h.adverts.stream().filter(a -> deaId.equals(a.id())).findFirst().orElseThrow()
        .availableMemoryMb()).isEqualTo(1024L);

    DeaHello hello = result(h.observer.request(Subjects.DEA_DISCOVER,
        new DeaDiscoverRequest("42", "blog", new Limits(128, null, null), "ruby19", null, false,
            null), DeaHello.class, Duration.ofSeconds(2)));
    assertThat(hello.id()).isEqualTo(deaId);
    assertThat(hello.port()).isPositive();
    List<DeaHello> none = result(h.observer.gather(Subjects.DEA_DISCOVER,
        new DeaDiscoverRequest("42", "big", new Limits(4096, null, null), "ruby19", null, false,
            null), DeaHello.class, Duration.ofMillis(600), 1));
    assertThat(none).isEmpty();

    DeaStatusReply status = result(h.observer.request(Subjects.DEA_STATUS,
        io.updraft.common.protocol.Empty.INSTANCE, DeaStatusReply.class, Duration.ofSeconds(2)));
    assertThat(status.maxMemoryMb()).isEqualTo(1024L);
    assertThat(status.reservedMemoryMb()).isZero();
    assertThat(status.state()).isEqualTo(DeaStatusReply.State.RUNNING);

    var component = h.dea.runtime().component();
    List<String> creds = component.statusCredentials();
    HttpResponse<String> varz = get("http://127.0.0.1:" + component.statusPort() + "/varz",
        "Basic " + Base64.getEncoder().encodeToString((creds.get(0) + ":" + creds.get(1))
            .getBytes(StandardCharsets.UTF_8)));
    assertThat(varz.statusCode()).isEqualTo(200);
    assertThat(varz.body()).contains("\"reserved_memory\"").contains("\"available_memory\"")
        .doesNotContain(DeaHarness.SECRET);
  }

  /** By the kernel where a memory cgroup is writable (AUTO), by RSS polling otherwise. */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(DeaConfig.MemoryLimits.class)
  void anAppOverItsMemoryLimitIsStoppedAsOutOfMemory(DeaConfig.MemoryLimits mode)
      throws Exception {
    h.memoryLimits = mode;
    h.startDea(DeaConfig.ShutdownAction.EVACUATE);
    AppFixture app = AppFixture.create();
    byte[] hog = new TarBuilder().file("startup", "#!/bin/sh\n"
        + "exec python3 -c 'import time; b = b\"x\" * (96 * 1024 * 1024); time.sleep(600)'\n",
        0755).build();
    h.start(DeaHarness.withLimits(h.startRequest(app, 0, hog), new Limits(32, 64, 256)));

    await().atMost(WAIT).until(() -> h.exited.stream().anyMatch(e ->
        e.droplet().equals(app.id()) && e.reason() == ExitReason.CRASHED));
    String instance = h.exited.stream().filter(e -> e.droplet().equals(app.id())).findFirst()
        .orElseThrow().instance();
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(h.crashNote(instance)).contains("instance crashed: out of memory"));
  }

  @Test
  void anAppOverItsDiskQuotaIsStopped() throws Exception {
    h.startDea(DeaConfig.ShutdownAction.EVACUATE);
    AppFixture app = AppFixture.create();
    byte[] filler = new TarBuilder().file("startup", "#!/bin/sh\n"
        + "head -c 2000000 /dev/zero > tmp/fill\nexec sleep 600\n", 0755).build();
    h.start(DeaHarness.withLimits(h.startRequest(app, 0, filler), new Limits(64, 1, 256)));

    await().atMost(WAIT).until(() -> h.exited.stream().anyMatch(e ->
        e.droplet().equals(app.id()) && e.reason() == ExitReason.CRASHED));
    String instance = h.exited.stream().filter(e -> e.droplet().equals(app.id())).findFirst()
        .orElseThrow().instance();
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(h.crashNote(instance)).contains("instance crashed: disk quota exceeded"));
  }

  @Test
  void concurrentStartsOfOneDropletDownloadItOnce() throws Exception {
    h.startDea(DeaConfig.ShutdownAction.EVACUATE);
    AppFixture app = AppFixture.create();
    byte[] droplet = TarBuilder.pythonWebApp("twice");
    h.start(h.startRequest(app, 0, droplet));
    h.start(h.startRequest(app, 1, droplet));

    await().atMost(WAIT).until(() -> h.running(app.id(), 0) && h.running(app.id(), 1));
    assertThat(h.droplets.downloads.get()).isEqualTo(1);
    assertThat(h.registered.stream().filter(r -> app.id().equals(r.app()))
        .map(RouteRegistration::port).distinct()).hasSize(2);
  }

  @Test
  void asRootEachInstanceRunsAsItsOwnUser() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid")),
        "user isolation needs root");
    // the base dir must be reachable by the instances' users
    Files.setPosixFilePermissions(base, java.nio.file.attribute.PosixFilePermissions
        .fromString("rwx--x--x"));
    h.isolation = new DeaConfig.Isolation(DeaConfig.Isolation.Mode.PROCESS,
        DeaConfig.Isolation.Users.ON, null, null, null, null, null, null, 23_000, 10);
    h.startDea(DeaConfig.ShutdownAction.EVACUATE);
    AppFixture app = AppFixture.create();
    byte[] droplet = TarBuilder.pythonWebApp("isolated");
    h.start(h.startRequest(app, 0, droplet));
    h.start(h.startRequest(app, 1, droplet));
    await().atMost(WAIT).until(() -> h.running(app.id(), 0) && h.running(app.id(), 1));

    java.util.Set<Integer> uids = new java.util.HashSet<>();
    for (int index = 0; index < 2; index++) {
      String instance = h.instanceId(app.id(), index);
      await().atMost(WAIT).until(() -> h.pid(instance) != null);
      int uid = (Integer) Files.getAttribute(Path.of("/proc", String.valueOf(h.pid(instance))),
          "unix:uid");
      assertThat(uid).isBetween(23_000, 23_009);
      uids.add(uid);
      try (var dirs = Files.list(h.base.resolve("apps"))) {
        Path dir = dirs.filter(d -> d.toString().endsWith(instance)).findFirst().orElseThrow();
        assertThat(Files.getAttribute(dir, "unix:uid")).isEqualTo(uid);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
            Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
      }
    }
    assertThat(uids).hasSize(2);
    RouteRegistration route = h.registered.stream().filter(r -> app.id().equals(r.app()))
        .findFirst().orElseThrow();
    assertThat(get("http://127.0.0.1:" + route.port() + "/index.html", null).body())
        .isEqualTo("isolated");
  }

  @Test
  void logsNeverShowCredentialsOrEnvValues() throws Exception {
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
        new ch.qos.logback.core.read.ListAppender<>();
    logs.start();
    ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger)
        org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(logs);
    try {
      h.startDea(DeaConfig.ShutdownAction.EVACUATE);
      AppFixture app = AppFixture.create();
      io.updraft.common.protocol.dea.DeaStartRequest r =
          h.startRequest(app, 0, TarBuilder.pythonWebApp("quiet"));
      io.updraft.common.protocol.dea.ServiceBinding db =
          new io.updraft.common.protocol.dea.ServiceBinding("db", "postgresql-9.1", "postgresql",
              "9.1", "database", List.of(), "free", null, java.util.Map.of("host", "10.0.0.9",
              "port", 5432, "user", "u", "password", "svc-pw-s3cret"), null);
      h.start(new io.updraft.common.protocol.dea.DeaStartRequest(r.droplet(), r.index(),
          r.name(), r.uris(), r.runtime(), r.runtimeInfo(), r.framework(), r.prod(), r.sha1(),
          r.executableFile(), r.executableUri(), r.version(), List.of(db), r.limits(),
          List.of("API_KEY=env-s3cret"), r.users(), null, null, null, r.ccPartition()));
      await().atMost(WAIT).until(() -> h.running(app.id(), 0));
      h.observer.publish(Subjects.DEA_STOP, DeaStopRequest.all(app.id()));
      await().atMost(WAIT).until(() -> h.exited.stream().anyMatch(e ->
          e.droplet().equals(app.id())));
    } finally {
      root.detachAppender(logs);
    }
    assertThat(logs.list).isNotEmpty();
    for (var event : logs.list) {
      String line = event.getFormattedMessage() + " " + event.getKeyValuePairs();
      assertThat(line).doesNotContain("svc-pw-s3cret", "env-s3cret", "s3cret@");
    }
  }

  private HttpResponse<String> get(String url, String authorization) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
