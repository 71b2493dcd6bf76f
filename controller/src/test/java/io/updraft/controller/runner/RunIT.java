package io.updraft.controller.runner;

import static io.updraft.common.testing.Futures.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.updraft.common.bus.NatsBus;
import io.updraft.common.testing.NatsServer;
import io.updraft.common.testing.NatsServerExtension;
import io.updraft.controller.RunningController;
import io.updraft.controller.api.ApiClient;
import io.updraft.controller.db.DatabaseConfig;
import io.updraft.controller.fakes.FakeDea;
import io.updraft.controller.fakes.FakeStager;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start, scale, stop and restage through the API, with the controller talking over a real bus
 * to a protocol-faithful stager and DEAs (the real ones are tested in their modules and end to
 * end).
 */
@ExtendWith(NatsServerExtension.class)
class RunIT {

  private static final Duration WAIT = Duration.ofSeconds(15);

  @TempDir
  Path data;

  private RunningController controller;
  private Vertx vertx;
  private NatsBus bus;
  private FakeStager stager;
  private FakeDea dea1;
  private FakeDea dea2;
  private ApiClient ann;

  @BeforeEach
  void start(NatsServer nats) throws Exception {
    controller = RunningController.start(RunningController.config(nats.config(), data,
        DatabaseConfig.defaults()));
    vertx = Vertx.vertx();
    bus = result(NatsBus.connect(vertx, nats.config(), "fakes", new SimpleMeterRegistry()));
    stager = new FakeStager(bus);
    dea1 = new FakeDea(bus, "0-dea1");
    dea2 = new FakeDea(bus, "0-dea2");
    result(bus.flush());
    ann = controller.api().login("ann@example.com", "pw1");
    assertThat(ann.post("/apps", "{\"name\":\"web\",\"uris\":[\"web.updraft.test\"],"
        + "\"resources\":{\"memory\":128}}").status()).isEqualTo(302);
    assertThat(ann.upload("web", zip("index.html", "<h1>v1</h1>"), "[]").status())
        .isEqualTo(200);
  }

  @AfterEach
  void stop() throws Exception {
    dea1.close();
    dea2.close();
    controller.close();
    result(bus.close());
    result(vertx.close());
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

  private int lock() throws Exception {
    return ann.get("/apps/web").json().path("meta").path("version").asInt();
  }

  @Test
  void startStagesPlacesAndScalesAcrossDeas() throws Exception {
    dea1.advertise(4096);
    dea2.advertise(4096);
    await().atMost(WAIT).untilAsserted(() -> {
      dea1.advertise(4096);
      dea2.advertise(4096);
      ApiClient.Reply started = ann.put("/apps/web", "{\"state\":\"STARTED\"}");
      assertThat(started.status()).isEqualTo(200);
    });
    assertThat(stager.requests).hasSize(1);
    assertThat(stager.requests.get(0).taskId()).isNotBlank();
    await().atMost(WAIT).until(() -> dea1.starts.size() + dea2.starts.size() == 1);
    String version = ann.get("/apps/web").json().path("version").asText();
    assertThat(version).matches("[0-9a-f]{40}-1");

    // scale to 3: spread over both DEAs
    assertThat(ann.put("/apps/web", "{\"instances\":3}").status()).isEqualTo(200);
    await().atMost(WAIT).until(() -> dea1.starts.size() + dea2.starts.size() == 3);
    assertThat(dea1.starts).isNotEmpty();
    assertThat(dea2.starts).isNotEmpty();
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(dea1.dropletProblems).isEmpty();
      assertThat(ann.get("/apps/web").json().path("runningInstances").asInt()).isEqualTo(3);
    });
    var instances = ann.get("/apps/web/instances").json().path("instances");
    assertThat(instances).hasSize(3);
    assertThat(instances.findValuesAsText("state")).containsOnly("RUNNING");
    assertThat(ann.get("/apps/web/instances/0/files/%2Flogs%2Fstaging.log").text())
        .contains("Detected buildpack: fake");

    // scale down stops the highest index of this version
    assertThat(ann.put("/apps/web", "{\"instances\":2}").status()).isEqualTo(200);
    await().atMost(WAIT).until(() -> dea1.stops.stream().anyMatch(s -> s.indices() != null
        && s.indices().contains(2) && version.equals(s.version())));

    assertThat(ann.put("/apps/web", "{\"state\":\"STOPPED\"}").status()).isEqualTo(200);
    await().atMost(WAIT).until(() -> dea1.stops.stream().anyMatch(s -> s.version() == null
        && s.indices() == null));
    assertThat(ann.get("/apps/web").json().path("runningInstances").asInt()).isZero();
  }

  @Test
  void filesAreRelayedFromTheInstancesDea() throws Exception {
    dea1.advertise(4096);
    assertThat(ann.put("/apps/web", "{\"state\":\"STARTED\"}").status()).isEqualTo(200);
    await().atMost(WAIT).until(() -> dea1.running.size() == 1);

    // vmc percent-encodes the path, '/' included
    ApiClient.Reply log = ann.get("/apps/web/instances/0/files/%2Flogs%2Fstdout.log");
    assertThat(log.status()).isEqualTo(200);
    assertThat(log.text()).isEqualTo("hello from the app\n");
    assertThat(dea1.fileRequests).last().asString()
        .matches("/droplets/web-0-0-dea1-[0-9a-f]{40}-1-0/logs/stdout.log");
    assertThat(ann.get("/apps/web/instances/0/files/logs").text()).contains("stdout.log");

    assertThat(ann.get("/apps/web/instances/0/files/nothing").code()).isEqualTo(303);
    assertThat(ann.get("/apps/web/instances/5/files/logs").code()).isEqualTo(304);
    assertThat(ann.get("/apps/web/instances/ffff/files/logs").code()).isEqualTo(306);
    ApiClient bob = controller.api().login("bob@example.com", "pw2");
    assertThat(bob.get("/apps/web/instances/0/files/logs").status()).isEqualTo(404);
  }

  @Test
  void instancesWaitForADeaWithRoom() throws Exception {
    // no DEA advertises: the start succeeds, the instance waits
    assertThat(ann.put("/apps/web", "{\"state\":\"STARTED\"}").status()).isEqualTo(200);
    assertThat(dea1.starts).isEmpty();
    dea1.advertise(64);
    dea1.advertise(2048);
    await().atMost(WAIT).until(() -> dea1.starts.size() == 1);
    assertThat(dea1.starts.get(0).index()).isZero();
  }

  @Test
  void newBitsForARunningAppRollWithoutStoppingFirst() throws Exception {
    dea1.advertise(4096);
    assertThat(ann.put("/apps/web", "{\"state\":\"STARTED\"}").status()).isEqualTo(200);
    await().atMost(WAIT).until(() -> dea1.running.size() == 1);
    String v1 = ann.get("/apps/web").json().path("version").asText();

    assertThat(ann.upload("web", zip("index.html", "<h1>v2</h1>"), "[]").status())
        .isEqualTo(200);
    dea1.advertise(4096);
    assertThat(ann.put("/apps/web/update", "").status()).isEqualTo(204);
    String v2 = ann.get("/apps/web").json().path("version").asText();
    assertThat(v2).isNotEqualTo(v1);
    // the new instance started before the old one was stopped, and only the old one stops
    await().atMost(WAIT).until(() -> dea1.stops.stream().anyMatch(s -> v1.equals(s.version())));
    assertThat(dea1.starts.stream().filter(s -> s.version().equals(v2))).hasSize(1);
    assertThat(dea1.running.values()).extracting(s -> s.version()).containsExactly(v2);
    assertThat(stager.requests).hasSize(2);
  }

  @Test
  void theStagingLogStreamsToAFollowerWhileTheAppStarts() throws Exception {
    dea1.advertise(4096);
    // the app's log stream (issue 10) carries the staging lines too
    var appLogs = new java.util.concurrent.CopyOnWriteArrayList<
        io.updraft.common.protocol.logs.AppLogLine>();
    bus.subscribe(io.updraft.common.protocol.Subjects.APP_LOGS_ANY,
        io.updraft.common.protocol.logs.AppLogLine.class, d -> appLogs.add(d.body()));
    result(bus.flush());
    var http = java.net.http.HttpClient.newHttpClient();
    var lines = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
        "http://127.0.0.1:" + controller.apiPort() + "/updraft/apps/web/staging_log"))
        .header("AUTHORIZATION", ann.token()).build(),
        java.net.http.HttpResponse.BodyHandlers.ofLines());
    assertThat(lines.statusCode()).isEqualTo(200);
    var seen = new java.util.concurrent.CopyOnWriteArrayList<String>();
    Thread reader = new Thread(() -> lines.body().forEach(seen::add));
    reader.start();
    assertThat(ann.put("/apps/web", "{\"state\":\"STARTED\"}").status()).isEqualTo(200);
    // the stream ends with the staging
    reader.join(WAIT.toMillis());
    assertThat(reader.isAlive()).isFalse();
    assertThat(seen).contains("Detected buildpack: fake");
    String id = ann.get("/apps/web").json().path("id").asText();
    await().atMost(WAIT).until(() -> appLogs.stream().anyMatch(l ->
        l.app().equals(id) && l.line().equals("Detected buildpack: fake")
            && l.source() == io.updraft.common.protocol.logs.LogSource.STAGING
            && l.index() == null));
  }

  @Test
  void stagingFailureStopsTheAppAndKeepsTheLog() throws Exception {
    stager.failWith = "No buildpack detected";
    ApiClient.Reply failed = ann.put("/apps/web", "{\"state\":\"STARTED\"}");
    assertThat(failed.status()).isEqualTo(500);
    assertThat(failed.code()).isEqualTo(310);
    assertThat(failed.json().path("description").asText()).contains("No buildpack detected");
    assertThat(ann.get("/apps/web").json().path("state").asText()).isEqualTo("STOPPED");
    assertThat(ann.get("/apps/web/instances/0/files/logs/staging.log").text())
        .contains("Detected buildpack: fake");
  }

  @Test
  void startingWithoutBitsIsRefused() throws Exception {
    assertThat(ann.post("/apps", "{\"name\":\"empty\"}").status()).isEqualTo(302);
    ApiClient.Reply reply = ann.put("/apps/empty", "{\"state\":\"STARTED\"}");
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.json().path("description").asText()).contains("no application bits");
    assertThat(ann.put("/apps/empty/update", "").code()).isEqualTo(305);
  }
}
