package io.updraft.controller.api;

import static io.updraft.common.testing.Futures.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.updraft.common.bus.NatsBus;
import io.updraft.common.protocol.dea.DeaStartRequest;
import io.updraft.common.protocol.dea.ServiceBinding;
import io.updraft.common.protocol.services.ServiceType;
import io.updraft.common.testing.NatsServer;
import io.updraft.common.testing.NatsServerExtension;
import io.updraft.controller.ControllerConfig;
import io.updraft.controller.RunningController;
import io.updraft.controller.db.DatabaseConfig;
import io.updraft.controller.fakes.FakeDea;
import io.updraft.controller.fakes.FakeServicesNode;
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
 * The services API of a real controller (the gateway) over a real bus to protocol-faithful
 * services nodes, a stager and a DEA: offerings and their freshness, provisioning and its
 * errors, binding through the app's {@code services} list and what the DEA is told.
 */
@ExtendWith(NatsServerExtension.class)
class ServicesApiIT {

  private static final Duration WAIT = Duration.ofSeconds(15);
  // wide enough that a loaded machine finishes each step while the last announcement is fresh
  private static final long FRESHNESS_MS = 5000;

  @TempDir
  Path data;

  private RunningController controller;
  private Vertx vertx;
  private NatsBus bus;
  private FakeServicesNode pg;
  private ApiClient ann;

  @BeforeEach
  void start(NatsServer nats) throws Exception {
    ControllerConfig config = RunningController.config(nats.config(), data,
        DatabaseConfig.defaults()).withServices(new ControllerConfig.ServicesConfig(1000L,
            FRESHNESS_MS));
    controller = RunningController.start(config);
    vertx = Vertx.vertx();
    bus = result(NatsBus.connect(vertx, nats.config(), "fakes", new SimpleMeterRegistry()));
    pg = new FakeServicesNode(bus, ServiceType.POSTGRESQL);
    result(bus.flush());
    ann = controller.api().login("ann@example.com", "pw1");
  }

  @AfterEach
  void stop() throws Exception {
    pg.close();
    controller.close();
    result(bus.close());
    result(vertx.close());
  }

  private JsonNode offering(String category, String vendor) throws Exception {
    JsonNode versions = ann.get("/info/services").json().path(category).path(vendor);
    return versions.elements().hasNext() ? versions.elements().next() : versions;
  }

  /** Announces until the controller lists the type as available. */
  private void available(FakeServicesNode node, long capacity) {
    await().atMost(WAIT).untilAsserted(() -> {
      node.announce(capacity);
      assertThat(offering(node.type.category(), node.type.serviceName()).path("state")
          .asText()).isEqualTo("available");
    });
  }

  private ApiClient.Reply create(String vendor, String name) throws Exception {
    return ann.post("/services", "{\"name\":\"" + name + "\",\"vendor\":\"" + vendor
        + "\",\"tier\":\"free\"}");
  }

  @Test
  void aTypeIsAvailableOnlyWhileItsAnnouncementsAreFresh() throws Exception {
    assertThat(offering("database", "postgresql").path("state").asText())
        .isEqualTo("unavailable");
    assertThat(offering("generic", "filesystem").path("available").asBoolean()).isFalse();
    available(pg, 10);
    JsonNode offered = offering("database", "postgresql");
    assertThat(offered.path("version").asText()).isEqualTo("15");
    assertThat(offered.path("tiers").has("free")).isTrue();

    // the node stops announcing: unavailable within the window, and provisioning says why
    await().atMost(Duration.ofMillis(FRESHNESS_MS * 4)).untilAsserted(() ->
        assertThat(offering("database", "postgresql").path("state").asText())
            .isEqualTo("unavailable"));
    ApiClient.Reply refused = create("postgresql", "db1");
    assertThat(refused.status()).isEqualTo(503);
    assertThat(refused.json().path("description").asText()).contains("unavailable");

    available(pg, 10);
    assertThat(create("postgresql", "db1").status()).isEqualTo(200);
  }

  @Test
  void provisionListShowAndDeleteWithClearErrors() throws Exception {
    available(pg, 10);
    ApiClient.Reply created = create("postgresql", "blogdb");
    assertThat(created.status()).as(created.text()).isEqualTo(200);
    assertThat(created.text()).doesNotContain("secret");
    assertThat(pg.instances).hasSize(1);

    JsonNode list = ann.get("/services").json();
    assertThat(list).hasSize(1);
    assertThat(list.get(0).path("name").asText()).isEqualTo("blogdb");
    assertThat(list.get(0).path("vendor").asText()).isEqualTo("postgresql");
    assertThat(list.get(0).path("tier").asText()).isEqualTo("free");
    assertThat(list.get(0).path("label").asText()).isEqualTo("postgresql-15");
    assertThat(list.get(0).path("state").asText()).isEqualTo("available");
    assertThat(ann.get("/services").text()).doesNotContain("secret");
    assertThat(ann.get("/info").json().path("usage").path("services").asInt()).isEqualTo(1);
    assertThat(ann.get("/services/blogdb").json().path("service_id").asText())
        .isEqualTo(pg.instances.keySet().iterator().next());

    ApiClient.Reply duplicate = create("postgresql", "blogdb");
    assertThat(duplicate.status()).isEqualTo(400);
    assertThat(duplicate.json().path("description").asText()).contains("already exists");
    assertThat(pg.instances).as("nothing provisioned for a duplicate").hasSize(1);

    ApiClient.Reply unknownType = create("mongodb", "m1");
    assertThat(unknownType.status()).isEqualTo(404);
    assertThat(unknownType.json().path("description").asText())
        .contains("Unknown service type 'mongodb'").contains("postgresql");
    ApiClient.Reply unknownPlan = ann.post("/services",
        "{\"name\":\"p2\",\"vendor\":\"postgresql\",\"tier\":\"gold\"}");
    assertThat(unknownPlan.status()).isEqualTo(404);
    assertThat(unknownPlan.json().path("description").asText()).contains("Unknown plan 'gold'");

    // another user sees none of it
    ApiClient bob = controller.api().login("bob@example.com", "pw2");
    assertThat(bob.get("/services").json()).isEmpty();
    assertThat(bob.delete("/services/blogdb").status()).isEqualTo(404);

    assertThat(ann.delete("/services/blogdb").status()).isEqualTo(200);
    assertThat(pg.unprovisions).hasSize(1);
    assertThat(pg.instances).isEmpty();
    assertThat(ann.get("/services").json()).isEmpty();
    assertThat(ann.get("/services/blogdb").status()).isEqualTo(404);
  }

  @Test
  void aFullOrSilentNodeIsAClearErrorAndNothingIsRecorded() throws Exception {
    available(pg, 0);
    ApiClient.Reply full = create("postgresql", "db1");
    assertThat(full.status()).isEqualTo(503);
    assertThat(full.json().path("description").asText()).contains("No capacity left");

    available(pg, 5);
    pg.silent = true;
    ApiClient.Reply timeout = create("postgresql", "db1");
    assertThat(timeout.status()).isEqualTo(504);
    assertThat(timeout.code()).isEqualTo(30700);
    assertThat(timeout.json().path("description").asText())
        .contains("did not answer").contains("nothing was created");
    assertThat(ann.get("/services").json()).isEmpty();

    pg.silent = false;
    available(pg, 5);
    assertThat(create("postgresql", "db1").status()).isEqualTo(200);
  }

  @Test
  void bindingRestartsTheAppWithCredentialsAndDeletingABoundServiceNeedsForce()
      throws Exception {
    FakeStager stager = new FakeStager(bus);
    FakeDea dea = new FakeDea(bus, "0-dea1");
    try {
      result(bus.flush());
      available(pg, 10);
      assertThat(create("postgresql", "blogdb").status()).isEqualTo(200);
      assertThat(ann.post("/apps", "{\"name\":\"web\",\"uris\":[\"web.updraft.test\"],"
          + "\"resources\":{\"memory\":128}}").status()).isEqualTo(302);
      assertThat(ann.upload("web", zip("index.html", "<h1>v1</h1>"), "[]").status())
          .isEqualTo(200);
      await().atMost(WAIT).untilAsserted(() -> {
        dea.advertise(4096);
        assertThat(ann.put("/apps/web", "{\"state\":\"STARTED\"}").status()).isEqualTo(200);
      });
      await().atMost(WAIT).until(() -> dea.starts.size() == 1);
      assertThat(dea.starts.get(0).services()).isEmpty();

      ApiClient.Reply unknown = ann.put("/apps/web", "{\"services\":[\"nope\"]}");
      assertThat(unknown.status()).isEqualTo(404);
      assertThat(unknown.json().path("description").asText()).contains("nope");

      // bind: the app restarts (a new version) with the binding's credentials
      String before = ann.get("/apps/web").json().path("version").asText();
      assertThat(ann.put("/apps/web", "{\"services\":[\"blogdb\"]}").status()).isEqualTo(200);
      assertThat(ann.get("/apps/web").json().path("services").get(0).asText())
          .isEqualTo("blogdb");
      assertThat(ann.get("/apps/web").json().path("version").asText()).isNotEqualTo(before);
      await().atMost(WAIT).until(() -> dea.starts.size() == 2);
      DeaStartRequest restarted = dea.starts.get(1);
      assertThat(restarted.services()).hasSize(1);
      ServiceBinding bound = restarted.services().get(0);
      assertThat(bound.name()).isEqualTo("blogdb");
      assertThat(bound.vendor()).isEqualTo("postgresql");
      assertThat(bound.label()).isEqualTo("postgresql-15");
      assertThat(bound.type()).isEqualTo("database");
      assertThat(bound.plan()).isEqualTo("free");
      assertThat(bound.credentials()).containsKeys("host", "port", "user", "password", "uri");
      assertThat(bound.credentials().get("user")).isNotEqualTo(
          pg.instances.keySet().iterator().next());

      ApiClient.Reply refused = ann.delete("/services/blogdb");
      assertThat(refused.status()).isEqualTo(400);
      assertThat(refused.json().path("description").asText())
          .contains("bound to app web").contains("force");
      assertThat(pg.unprovisions).isEmpty();

      // unbind through the app: revoked on the node, the app restarts without it
      assertThat(ann.put("/apps/web", "{\"services\":[]}").status()).isEqualTo(200);
      assertThat(pg.unbinds).hasSize(1);
      assertThat(pg.unbinds.get(0)).containsEntry("user", bound.credentials().get("user"));
      assertThat(ann.get("/apps/web").json().path("services")).isEmpty();
      await().atMost(WAIT).until(() -> dea.starts.size() == 3);
      assertThat(dea.starts.get(2).services()).isEmpty();

      // bound again, then deleted with force: unbound first, then unprovisioned
      assertThat(ann.put("/apps/web", "{\"services\":[\"blogdb\"]}").status()).isEqualTo(200);
      assertThat(ann.delete("/services/blogdb?force=true").status()).isEqualTo(200);
      assertThat(pg.unbinds).hasSize(2);
      assertThat(pg.unprovisions).hasSize(1);
      assertThat(ann.get("/apps/web").json().path("services")).isEmpty();

      // a silent node does not block deleting an app: its binding is left as an orphan
      assertThat(create("postgresql", "db2").status()).isEqualTo(200);
      assertThat(ann.put("/apps/web", "{\"services\":[\"db2\"]}").status()).isEqualTo(200);
      pg.silent = true;
      assertThat(ann.delete("/apps/web").status()).isEqualTo(200);
      assertThat(ann.get("/services/db2").json().path("bound_apps")).isEmpty();
      pg.silent = false;

      // the start message's log view keeps the credentials out of logs
      assertThat(restarted.toString()).doesNotContain("binding-secret");
      assertThat(bound.toString()).doesNotContain("binding-secret");
    } finally {
      dea.close();
    }
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
}
