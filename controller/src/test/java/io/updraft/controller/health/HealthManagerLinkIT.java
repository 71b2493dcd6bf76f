package io.updraft.controller.health;

import static io.updraft.common.testing.Futures.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.updraft.common.bus.NatsBus;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.dea.InstanceState;
import io.updraft.common.protocol.health.BulkAppsReply;
import io.updraft.common.protocol.health.BulkAppsRequest;
import io.updraft.common.protocol.health.CrashesStatusReply;
import io.updraft.common.protocol.health.DeaLost;
import io.updraft.common.protocol.health.FlappingStatusReply;
import io.updraft.common.protocol.health.HealthReply;
import io.updraft.common.protocol.health.HealthRequest;
import io.updraft.common.protocol.health.HealthStatusRequest;
import io.updraft.common.protocol.health.HmRequest;
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
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller's side of the health manager's protocol over a real bus: desired state pages,
 * START/STOP requests acted on, lost DEAs forgotten, and the health manager's answers shown in
 * the API.
 */
@ExtendWith(NatsServerExtension.class)
class HealthManagerLinkIT {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  @TempDir
  Path data;

  private RunningController controller;
  private Vertx vertx;
  private NatsBus bus;
  private FakeDea dea1;
  private FakeDea dea2;
  private ApiClient ann;

  @BeforeEach
  void start(NatsServer nats) throws Exception {
    controller = RunningController.start(RunningController.config(nats.config(), data,
        DatabaseConfig.defaults()));
    vertx = Vertx.vertx();
    bus = result(NatsBus.connect(vertx, nats.config(), "fakes", new SimpleMeterRegistry()));
    new FakeStager(bus);
    dea1 = new FakeDea(bus, "0-dea1");
    dea2 = new FakeDea(bus, "0-dea2");
    result(bus.flush());
    ann = controller.api().login("ann@example.com", "pw1");
    for (String name : List.of("web", "shop")) {
      assertThat(ann.post("/apps", "{\"name\":\"" + name + "\",\"uris\":[\"" + name
          + ".updraft.test\"],\"resources\":{\"memory\":128}}").status()).isEqualTo(302);
      assertThat(ann.upload(name, zip(), "[]").status()).isEqualTo(200);
    }
  }

  @AfterEach
  void stop() throws Exception {
    dea1.close();
    dea2.close();
    controller.close();
    result(bus.close());
    result(vertx.close());
  }

  private static byte[] zip() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.putNextEntry(new ZipEntry("index.html"));
      zip.write("<h1>hi</h1>".getBytes(StandardCharsets.UTF_8));
      zip.closeEntry();
    }
    return out.toByteArray();
  }

  private String startWeb() throws Exception {
    dea1.advertise(4096);
    assertThat(ann.put("/apps/web", "{\"state\":\"STARTED\"}").status()).isEqualTo(200);
    await().atMost(WAIT).until(() -> dea1.running.size() == 1);
    return ann.get("/apps/web").json().path("version").asText();
  }

  private String webId() throws Exception {
    return ann.get("/apps/web").json().path("id").asText();
  }

  private BulkAppsReply page(BulkAppsRequest request) throws Exception {
    return result(bus.request(Subjects.BULK_APPS, request, BulkAppsReply.class, TIMEOUT));
  }

  @Test
  void desiredStateIsPagedByIdAndOneAppCanBeReRead() throws Exception {
    String version = startWeb();
    BulkAppsReply first = page(BulkAppsRequest.page(1, null));
    assertThat(first.results()).hasSize(1);
    BulkAppsReply second = page(BulkAppsRequest.page(1, first.bulkToken()));
    assertThat(second.results()).hasSize(1);
    assertThat(page(BulkAppsRequest.page(1, second.bulkToken())).results()).isEmpty();

    BulkAppsReply.BulkApp web = page(BulkAppsRequest.one(webId())).results().get(webId());
    assertThat(web.started()).isTrue();
    assertThat(web.staged()).isTrue();
    assertThat(web.instances()).isEqualTo(1);
    assertThat(web.version()).isEqualTo(version);
    assertThat(web.updatedAt()).isPositive();
    assertThat(page(BulkAppsRequest.one("987654")).results()).isEmpty();
    assertThat(page(BulkAppsRequest.one("not-a-number")).results()).isEmpty();
  }

  @Test
  void aStartRequestForTheCurrentVersionIsPlacedAndAStaleOneIgnored() throws Exception {
    String version = startWeb();
    assertThat(ann.put("/apps/web", "{\"instances\":2}").status()).isEqualTo(200);
    await().atMost(WAIT).until(() -> dea1.starts.size() == 2);
    dea1.advertise(4096);
    bus.publish(Subjects.HM_REQUESTS, HmRequest.start(webId(), "old-version", 0, List.of(1),
        false));
    bus.publish(Subjects.HM_REQUESTS, HmRequest.start(webId(), version, 0, List.of(1), true));
    await().atMost(WAIT).until(() -> dea1.starts.size() == 3);
    assertThat(dea1.starts.get(2).index()).isEqualTo(1);
    assertThat(dea1.starts.get(2).flapping()).isTrue();
    assertThat(dea1.starts.get(2).version()).isEqualTo(version);
  }

  @Test
  void aLostDeaGetsNoMoreInstances() throws Exception {
    String version = startWeb();
    dea1.advertise(8192);
    dea2.advertise(1024);
    bus.publish(Subjects.HM_DEA_LOST, new DeaLost(dea1.id, 0L, 1));
    result(bus.flush());
    // the replacement goes to dea2 although dea1 advertised more room
    await().atMost(WAIT).untilAsserted(() -> {
      bus.publish(Subjects.HM_REQUESTS, HmRequest.start(webId(), version, 0, List.of(0),
          false));
      assertThat(dea2.starts).hasSize(1);
    });
    assertThat(dea1.starts).hasSize(1);
  }

  @Test
  void theApiShowsWhatTheHealthManagerSays() throws Exception {
    String version = startWeb();
    String id = webId();
    assertThat(ann.put("/apps/web", "{\"instances\":2}").status()).isEqualTo(200);
    await().atMost(WAIT).until(() -> dea1.running.size() == 2);
    // index 1 crashed
    dea1.running.values().removeIf(s -> s.index() == 1);
    // a health manager that knows index 1 is flapping, one crash, and 1 RUNNING instance
    bus.subscribe(Subjects.HM_STATUS, HealthStatusRequest.class, d -> {
      if (d.body().state() == InstanceState.FLAPPING && version.equals(d.body().version())) {
        bus.reply(d, new FlappingStatusReply(List.of(
            new FlappingStatusReply.FlappingIndex(1, 1_700_000_000L))));
      } else if (d.body().state() == InstanceState.CRASHED) {
        bus.reply(d, new CrashesStatusReply(List.of(
            new CrashesStatusReply.Crash("dead-beef", 1_700_000_001L))));
      }
    });
    bus.subscribe(Subjects.HM_HEALTH, HealthRequest.class, d -> d.body().droplets()
        .forEach(a -> bus.reply(d, new HealthReply(a.droplet(), a.version(), 7))));
    result(bus.flush());
    await().atMost(WAIT).untilAsserted(() -> {
      var instances = ann.get("/apps/web/instances").json().path("instances");
      assertThat(instances.get(1).path("state").asText()).isEqualTo("FLAPPING");
      assertThat(instances.get(1).path("since").asLong()).isEqualTo(1_700_000_000L);
    });
    var crashes = ann.get("/apps/web/crashes").json().path("crashes");
    assertThat(crashes).hasSize(1);
    assertThat(crashes.get(0).path("instance").asText()).isEqualTo("dead-beef");
    assertThat(ann.get("/apps/web").json().path("runningInstances").asInt()).isEqualTo(7);
    var listed = ann.get("/apps").json();
    assertThat(listed.findValuesAsText("name")).containsExactly("shop", "web");
    assertThat(listed.get(1).path("runningInstances").asInt()).isEqualTo(7);
    assertThat(listed.get(0).path("runningInstances").asInt()).isZero();
    assertThat(id).isNotBlank();
  }
}
