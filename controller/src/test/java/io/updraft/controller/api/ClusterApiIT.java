package io.updraft.controller.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.dea.DeaStatusReply;
import io.updraft.common.protocol.node.ClusterConfigReply;
import io.updraft.common.protocol.node.ClusterConfigRequest;
import io.updraft.common.protocol.node.NodeStatus;
import io.updraft.common.testing.NatsServer;
import io.updraft.controller.RunningController;
import io.updraft.controller.db.DatabaseConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's cluster API on a real nats-server: node statuses and a config responder
 * published by the test in place of kato agents, DEAs answering {@code dea.status}, and the
 * console's static pages.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterApiIT {

  @TempDir
  static Path data;

  private NatsServer nats;
  private RunningController controller;
  private Connection bus;
  private ApiClient anon;
  private ApiClient admin;
  private ApiClient user;

  @BeforeAll
  void start() throws Exception {
    nats = NatsServer.start();
    controller = RunningController.start(RunningController.config(nats.config(), data,
        DatabaseConfig.defaults()));
    bus = Nats.connect(new Options.Builder().server(nats.url())
        .userInfo(NatsServer.USER, NatsServer.PASSWORD).build());
    anon = controller.api();
    admin = anon.login(RunningController.ADMIN, RunningController.ADMIN_PASSWORD);
    user = anon.login("dev@example.com", "pw");
  }

  @AfterAll
  void stop() throws Exception {
    if (bus != null) {
      bus.close();
    }
    if (controller != null) {
      controller.close();
    }
    if (nats != null) {
      nats.close();
    }
  }

  private void publishStatus(String node, String name, int intervalSeconds) {
    bus.publish(Subjects.NODE_STATUS, new NodeStatus(node, name, "127.0.0.1", false,
        intervalSeconds, List.of("dea"), List.of(new NodeStatus.Process("dea", "RUNNING", 7L,
            30L, 1)), new NodeStatus.HostStats(3.5, 2, List.of(0.1, 0.2, 0.3), 2048L, 512L,
            10_000L, 4_000L, 100L, 200L), Instant.now().getEpochSecond()).toJson());
  }

  @Test
  void nodesAreListedForAdminsAndGoSilentAfterThreeIntervals() throws Exception {
    publishStatus("n-steady", "steady", 60);
    publishStatus("n-quiet", "quiet", 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> admin.get("/updraft/nodes").json()
        .size() >= 2);
    var nodes = admin.get("/updraft/nodes").json();
    var steady = find(nodes, "node", "n-steady");
    assertThat(steady.path("reporting").asBoolean()).isTrue();
    assertThat(steady.path("roles").get(0).asText()).isEqualTo("dea");
    assertThat(steady.path("processes").get(0).path("state").asText()).isEqualTo("RUNNING");
    assertThat(steady.path("host").path("mem_total_mb").asLong()).isEqualTo(2048);

    await().atMost(Duration.ofSeconds(15)).until(() -> !find(admin.get("/updraft/nodes").json(),
        "node", "n-quiet").path("reporting").asBoolean());
    assertThat(find(admin.get("/updraft/nodes").json(), "node", "n-steady").path("reporting")
        .asBoolean()).isTrue();

    assertThat(user.get("/updraft/nodes").status()).isEqualTo(403);
    assertThat(anon.get("/updraft/nodes").status()).isEqualTo(403);
    assertThat(anon.get("/updraft/nodes").code()).isEqualTo(200);
  }

  @Test
  void theDeaPoolFromDeaStatusAnswersAndItsHistory() throws Exception {
    Dispatcher deas = bus.createDispatcher(m -> { });
    for (String id : List.of("dea-one", "dea-two")) {
      deas.subscribe(Subjects.DEA_STATUS, m -> bus.publish(m.getReplyTo(), new DeaStatusReply(
          id, "127.0.0.1", 9000, 0.99, 2048L, 512L, 100.0, 3, null).toJson()));
    }
    bus.flush(Duration.ofSeconds(5));
    try {
      var pool = admin.get("/updraft/deas");
      assertThat(pool.status()).isEqualTo(200);
      assertThat(pool.json().size()).isEqualTo(2);
      var one = find(pool.json(), "id", "dea-one");
      assertThat(one.path("memory_total_mb").asLong()).isEqualTo(2048);
      assertThat(one.path("memory_free_mb").asLong()).isEqualTo(1536);
      assertThat(one.path("instances").asInt()).isEqualTo(3);
      assertThat(one.path("host").asText()).isEqualTo("127.0.0.1:9000");
      assertThat(user.get("/updraft/deas").status()).isEqualTo(403);

      var history = admin.get("/updraft/history");
      assertThat(history.status()).isEqualTo(200);
      assertThat(history.json().path("interval_seconds").asInt()).isEqualTo(10);
      assertThat(history.json().path("samples").size()).as("sampled at start").isPositive();
      assertThat(user.get("/updraft/history").status()).isEqualTo(403);
    } finally {
      bus.closeDispatcher(deas);
    }
  }

  @Test
  void clusterConfigIsRelayedToAKatoAgentAnd503WithoutOne() throws Exception {
    ApiClient.Reply none = admin.get("/updraft/config");
    assertThat(none.status()).isEqualTo(503);
    assertThat(none.json().path("description").asText()).contains("no node agent answered");

    List<ClusterConfigRequest> seen = new CopyOnWriteArrayList<>();
    Dispatcher agent = bus.createDispatcher(m -> {
      ClusterConfigRequest request = ClusterConfigRequest.fromJson(m.getData());
      seen.add(request);
      ClusterConfigReply reply = "nope".equals(request.component())
          ? ClusterConfigReply.failed("unknown component: nope")
          : ClusterConfigReply.of(Json.tree(("{\"dea\":{\"log_level\":"
              + (request.value() == null ? "\"INFO\"" : request.value().toString()) + "}}")
              .getBytes(StandardCharsets.UTF_8)));
      bus.publish(m.getReplyTo(), reply.toJson());
    });
    agent.subscribe(Subjects.CONFIG_REQUEST, Subjects.QUEUE_KATO);
    bus.flush(Duration.ofSeconds(5));
    try {
      ApiClient.Reply got = admin.get("/updraft/config");
      assertThat(got.status()).isEqualTo(200);
      assertThat(got.json().path("dea").path("log_level").asText()).isEqualTo("INFO");

      ApiClient.Reply set = admin.put("/updraft/config",
          "{\"component\":\"dea\",\"key\":\"log_level\",\"value\":\"DEBUG\"}");
      assertThat(set.status()).isEqualTo(200);
      assertThat(set.json().path("dea").path("log_level").asText()).isEqualTo("DEBUG");
      ClusterConfigRequest last = seen.get(seen.size() - 1);
      assertThat(last.op()).isEqualTo("set");
      assertThat(last.by()).isEqualTo(RunningController.ADMIN);

      ApiClient.Reply refused = admin.put("/updraft/config",
          "{\"component\":\"nope\",\"key\":\"x\",\"value\":1}");
      assertThat(refused.status()).isEqualTo(400);
      assertThat(refused.json().path("description").asText())
          .isEqualTo("unknown component: nope");
      assertThat(admin.put("/updraft/config", "{\"component\":\"dea\",\"value\":1}").status())
          .isEqualTo(400);
      assertThat(admin.put("/updraft/config", "{not json").status()).isEqualTo(400);
      assertThat(admin.delete("/updraft/config?component=dea&key=log_level").status())
          .isEqualTo(200);
      assertThat(seen.get(seen.size() - 1).op()).isEqualTo("delete");
      assertThat(user.get("/updraft/config").status()).isEqualTo(403);
      assertThat(user.put("/updraft/config",
          "{\"component\":\"dea\",\"key\":\"log_level\",\"value\":\"DEBUG\"}").status())
          .isEqualTo(403);
    } finally {
      bus.closeDispatcher(agent);
    }
  }

  @Test
  void theConsoleIsServedUnderSlashConsole() throws Exception {
    ApiClient.Reply bare = anon.get("/console");
    assertThat(bare.status()).isEqualTo(302);
    assertThat(bare.raw().headers().firstValue("Location")).hasValue("/console/");
    ApiClient.Reply index = anon.get("/console/");
    assertThat(index.status()).isEqualTo(200);
    assertThat(index.raw().headers().firstValue("Content-Type").orElse(""))
        .startsWith("text/html");
    assertThat(index.text()).contains("Updraft Management Console");
    assertThat(anon.get("/console/app.js").text()).contains("lineChart");
    assertThat(anon.get("/console/vendor/uPlot.iife.min.js").status()).isEqualTo(200);
    assertThat(anon.get("/console/no-such-page.js").status()).isEqualTo(404);
  }

  private static com.fasterxml.jackson.databind.JsonNode find(
      com.fasterxml.jackson.databind.JsonNode list, String field, String value) {
    for (var item : list) {
      if (value.equals(item.path(field).asText())) {
        return item;
      }
    }
    throw new AssertionError("no " + field + "=" + value + " in " + list);
  }
}
