package io.updraft.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.updraft.client.api.AppArchive;
import io.updraft.client.api.CloudClient;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.dea.DeaStartRequest;
import io.updraft.common.testing.NatsServer;
import io.updraft.common.testing.NatsServerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The health manager keeping a real cloud healthy: a controller, a stager, two DEAs, a router
 * and two health managers (one active through the Hazelcast lease) as processes. App processes
 * and whole DEAs are killed with SIGKILL; every start the controller sends is watched on NATS.
 */
@ExtendWith(NatsServerExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SelfHealingIT {

  private static final Duration BOOT = Duration.ofSeconds(120);
  private static final Duration RUN = Duration.ofSeconds(120);
  private static final Duration HEAL = Duration.ofSeconds(60);

  @TempDir
  static Path dir;

  private static Cloud cloud;
  private static CloudClient api;
  private static Connection watcher;
  private static final List<DeaStartRequest> starts = new CopyOnWriteArrayList<>();
  private static ComponentProcess hm1;
  private static ComponentProcess hm2;

  @BeforeAll
  static void startCloud(NatsServer nats) throws Exception {
    cloud = new Cloud(nats, dir);
    cloud.controller();
    cloud.stager();
    cloud.dea("dea-a");
    cloud.dea("dea-b");
    cloud.router();
    List<Integer> ports = List.of(NatsServer.freePort(), NatsServer.freePort());
    hm1 = cloud.healthManager("hm-1", ports, 0);
    hm2 = cloud.healthManager("hm-2", ports, 1);
    cloud.awaitComponents(Map.of("CloudController", 1, "Stager", 1, "DEA", 2, "Router", 1,
        "HealthManager", 2), BOOT);
    api = cloud.admin();
    watcher = cloud.connect();
    Dispatcher d = watcher.createDispatcher(m -> starts.add(DeaStartRequest.fromJson(
        m.getData())));
    d.subscribe(Subjects.DEA_START_ANY);
    watcher.flush(Duration.ofSeconds(5));
    await().atMost(BOOT).until(() -> activeHealthManagers() == 1);
  }

  @AfterAll
  static void stopCloud() throws Exception {
    if (watcher != null) {
      watcher.close();
    }
    if (cloud != null) {
      cloud.close();
    }
  }

  private static long activeHealthManagers() throws Exception {
    return cloud.varz("HealthManager").stream().filter(v -> v.path("active").asBoolean())
        .count();
  }

  private static String push(String name, Path app, int instances, boolean await)
      throws Exception {
    var spec = Json.mapper().createObjectNode().put("name", name);
    spec.putArray("uris").add(name + "." + Cloud.DOMAIN);
    spec.put("instances", instances);
    spec.putObject("resources").put("memory", 128);
    api.createApp(spec);
    api.upload(name, AppArchive.scan(app), sent -> { });
    api.start(name);
    if (await) {
      assertThat(api.awaitRunning(name, RUN)).as(name + " running").isTrue();
    }
    return api.app(name).path("id").asText();
  }

  private static List<String> states(String app) {
    return api.instances(app).findValuesAsText("state");
  }

  /** The uuid of a component process, matched by the pid its /varz gives. */
  private static String uuidOf(String type, ComponentProcess process) throws Exception {
    return cloud.varz(type).stream().filter(v -> v.path("pid").asLong() == process.pid())
        .findFirst().orElseThrow().path("uuid").asText();
  }

  private static long startsOf(String appId) {
    return starts.stream().filter(s -> s.droplet().equals(appId)).count();
  }

  @Test
  @Order(1)
  void aKilledAppProcessIsRunningAgain() throws Exception {
    String id = push("healer", Cloud.example("python"), 1, true);
    long before = startsOf(id);
    ComponentProcess dea = cloud.deas.values().stream()
        .filter(p -> p.childCount() > 0).findFirst().orElseThrow();
    assertThat(dea.killChildren()).isPositive();
    long killed = System.nanoTime();
    await().atMost(HEAL).until(() -> startsOf(id) == before + 1);
    long restartRequested = (System.nanoTime() - killed) / 1_000_000;
    await().atMost(HEAL).untilAsserted(() -> assertThat(states("healer"))
        .containsExactly("RUNNING"));
    assertThat(api.crashes("healer")).hasSize(1);
    assertThat(restartRequested).as("kill to start request, ms").isLessThan(5_000);
    System.out.println("self-healing: app process killed to start request: " + restartRequested
        + " ms");
    assertThat(cloud.viaRouter("healer." + Cloud.DOMAIN, "/").statusCode()).isEqualTo(200);
  }

  @Test
  @Order(2)
  void anAppThatExitsAtOnceBecomesFlappingAndIsNotRestartedInATightLoop() throws Exception {
    Path crasher = dir.resolve("crasher");
    Files.createDirectories(crasher);
    Files.writeString(crasher.resolve("Procfile"), "web: python3 -c 'import sys; sys.exit(3)'\n");
    String id = push("crasher", crasher, 1, false);
    await().atMost(HEAL).untilAsserted(() -> assertThat(states("crasher"))
        .containsExactly("FLAPPING"));
    long attempts = startsOf(id);
    // immediate restart, one after 0.5 s back-off, then FLAPPING waits 300 s
    assertThat(attempts).isBetween(2L, 4L);
    await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10))
        .until(() -> startsOf(id) == attempts);
    assertThat(api.app("crasher").path("runningInstances").asInt()).isZero();
    api.stop("crasher");
  }

  @Test
  @Order(3)
  void scalingDownStopsTheExtraInstances() throws Exception {
    api.scale("healer", 3);
    await().atMost(RUN).untilAsserted(() -> assertThat(states("healer"))
        .containsExactly("RUNNING", "RUNNING", "RUNNING"));
    api.scale("healer", 1);
    String id = api.app("healer").path("id").asText();
    await().atMost(HEAL).until(() -> cloud.deasRunning(id).size() == 1);
    assertThat(states("healer")).containsExactly("RUNNING");
  }

  @Test
  @Order(4)
  void whenTheActiveHealthManagerIsKilledTheOtherTakesOverWithoutDuplicateStarts()
      throws Exception {
    String id = api.app("healer").path("id").asText();
    long activePid = cloud.varz("HealthManager").stream()
        .filter(v -> v.path("active").asBoolean()).findFirst().orElseThrow()
        .path("pid").asLong();
    ComponentProcess victim = hm1.pid() == activePid ? hm1 : hm2;
    assertThat(victim.pid()).isEqualTo(activePid);
    victim.kill();
    long killed = System.nanoTime();
    await().atMost(HEAL).until(() -> activeHealthManagers() == 1);
    long takeoverMs = (System.nanoTime() - killed) / 1_000_000;
    assertThat(takeoverMs).as("takeover, ms").isLessThan(30_000);
    System.out.println("self-healing: active health manager killed to standby active: "
        + takeoverMs + " ms");

    long before = startsOf(id);
    ComponentProcess dea = cloud.deas.values().stream()
        .filter(p -> p.childCount() > 0).findFirst().orElseThrow();
    assertThat(dea.killChildren()).isPositive();
    await().atMost(HEAL).until(() -> startsOf(id) == before + 1);
    await().atMost(HEAL).untilAsserted(() -> assertThat(states("healer"))
        .containsExactly("RUNNING"));
    // exactly one start for the one crash, from one health manager
    await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(10))
        .until(() -> startsOf(id) == before + 1);
  }

  @Test
  @Order(5)
  void aDeaThatDiesHasItsInstancesStartedOnTheOtherOne() throws Exception {
    api.scale("healer", 2);
    await().atMost(RUN).untilAsserted(() -> assertThat(states("healer"))
        .containsExactly("RUNNING", "RUNNING"));
    String id = api.app("healer").path("id").asText();
    ComponentProcess victim = cloud.deas.values().stream()
        .filter(p -> p.childCount() > 0).findFirst().orElseThrow();
    ComponentProcess survivor = cloud.deas.values().stream().filter(p -> p != victim)
        .findFirst().orElseThrow();
    String survivorId = uuidOf("DEA", survivor);
    victim.killWithChildren();
    long died = System.nanoTime();
    await().atMost(HEAL).untilAsserted(() -> {
      assertThat(states("healer")).containsExactly("RUNNING", "RUNNING");
      assertThat(cloud.deasRunning(id)).containsExactly(survivorId, survivorId);
    });
    long healedMs = (System.nanoTime() - died) / 1_000_000;
    assertThat(survivor.isAlive()).isTrue();
    // DEA lost after 5 s of silence here; boot of the python app included
    assertThat(healedMs).as("DEA death to all instances running elsewhere, ms")
        .isLessThan(30_000);
    System.out.println("self-healing: dea lost to instances running elsewhere: " + healedMs
        + " ms");
  }
}
