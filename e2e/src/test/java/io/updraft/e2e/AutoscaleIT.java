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
import io.updraft.common.testing.NatsServer;
import io.updraft.common.testing.NatsServerExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DEA pool grows by itself on the {@code local} platform: one small DEA, an app scaled
 * beyond it, instances waiting, the health manager asking, the controller launching a DEA from
 * the template, and every waiting instance running on it. The figures printed are what
 * {@code bench/autoscale} reports. With scale-down on, the launched DEAs that fall idle are
 * drained and removed while a client hammering the app through the router sees only 200s.
 */
@ExtendWith(NatsServerExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AutoscaleIT {

  private static final Duration BOOT = Duration.ofSeconds(120);
  private static final Duration RUN = Duration.ofSeconds(120);

  @TempDir
  static Path dir;

  private static Cloud cloud;
  private static CloudClient api;

  @BeforeAll
  static void startCloud(NatsServer nats) throws Exception {
    cloud = new Cloud(nats, dir);
    Path template = cloud.deaTemplate(512);
    cloud.controller(Map.of("UPDRAFT__PRIMARY_SCALING_PLATFORM", "local",
        "UPDRAFT__LOCAL_PLATFORM", "{dea_jar: '" + Cloud.componentJar("dea") + "', template: '"
            + template + "', work_dir: '" + dir.resolve("local-deas") + "'}"));
    cloud.stager();
    cloud.dea("dea-a", 512);
    cloud.router();
    cloud.healthManager("hm", List.of(), 0, Map.of("UPDRAFT__ENABLE_AUTOSCALING", "true",
        "UPDRAFT__AUTOSCALING", "{buffer_mb: 0, breach_cycles: 1, sample_interval_seconds: 1, "
            + "horizon_seconds: 0, cooldown_seconds: 10, min_deas: 1, max_deas: 2, "
            + "dea_memory_mb: 512, max_step: 1, launch_timeout_seconds: 90, "
            + "scale_down: {enabled: true, low_water_mb: 128, idle_seconds: 10, "
            + "drain_timeout_seconds: 120}}"));
    cloud.awaitComponents(Map.of("CloudController", 1, "Stager", 1, "DEA", 1, "Router", 1,
        "HealthManager", 1), BOOT);
    api = cloud.admin();
  }

  @AfterAll
  static void stopCloud() {
    if (cloud != null) {
      cloud.close();
    }
  }

  private static List<String> states(String app) {
    return api.instances(app).findValuesAsText("state");
  }

  private static List<JsonNode> scalingEvents() {
    return api.events(100, "scaling");
  }

  /** A number from the first event of {@code kind}'s details. */
  private static double detail(List<JsonNode> events, String kind, String field) {
    return events.stream().filter(e -> e.path("kind").asText().equals(kind)).findFirst()
        .orElseThrow().path("details").path(field).asDouble();
  }

  @Test
  @Order(1)
  void instancesBeyondThePoolWaitThenRunOnADeaLaunchedFromTheTemplate() throws Exception {
    var spec = Json.mapper().createObjectNode().put("name", "grower");
    spec.putArray("uris").add("grower." + Cloud.DOMAIN);
    spec.put("instances", 1);
    spec.putObject("resources").put("memory", 128);
    api.createApp(spec);
    api.upload("grower", AppArchive.scan(Cloud.example("lightningcast")), sent -> { });
    api.start("grower");
    assertThat(api.awaitRunning("grower", RUN)).isTrue();

    // the bus says when the request and the new DEA's hello happened, to the millisecond
    AtomicLong requestSeen = new AtomicLong();
    AtomicLong helloSeen = new AtomicLong();
    Connection watcher = cloud.connect();
    Dispatcher seen = watcher.createDispatcher(m -> {
      AtomicLong first = m.getSubject().equals(Subjects.HM_SCALE_REQUESTS) ? requestSeen
          : helloSeen;
      first.compareAndSet(0, System.currentTimeMillis());
    });
    seen.subscribe(Subjects.HM_SCALE_REQUESTS);
    seen.subscribe(Subjects.DEA_HELLO);
    watcher.flush(Duration.ofSeconds(5));

    // 6 x 128 MB: the 512 MB DEA holds 4, two wait for room
    long outOfRoom = System.currentTimeMillis();
    api.scale("grower", 6);
    await().atMost(RUN).untilAsserted(() -> assertThat(states("grower"))
        .hasSize(6).containsOnly("RUNNING"));
    long allRunning = System.currentTimeMillis();
    watcher.close();

    List<JsonNode> events = scalingEvents();
    assertThat(events).extracting(e -> e.path("kind").asText())
        .contains("scaling.requested", "scaling.launched", "scaling.dea_joined");
    JsonNode requested = events.stream().filter(e -> e.path("kind").asText()
        .equals("scaling.requested")).findFirst().orElseThrow();
    assertThat(requested.path("actor").asText()).isEqualTo("SYSTEM");
    assertThat(requested.path("message").asText()).contains("instances waiting");
    assertThat(requested.path("details").path("platform").asText()).isEqualTo("local");
    assertThat(cloud.varz("DEA")).hasSize(2);

    // decision: out of room to the health manager's request; launch: the platform's call;
    // boot: launched to the DEA's hello; placement: hello to every waiting instance running
    long decision = requestSeen.get() - outOfRoom;
    long launch = Math.round(detail(events, "scaling.launched", "seconds") * 1000);
    long boot = Math.round(detail(events, "scaling.dea_joined", "seconds_since_launch") * 1000)
        - launch;
    long placement = allRunning - helloSeen.get();
    System.out.println("autoscale: decision " + decision + " ms, launch " + launch
        + " ms, DEA boot " + boot + " ms, placement " + placement + " ms; out of room -> all "
        + "waiting instances running " + (allRunning - outOfRoom) + " ms");
    assertThat(requestSeen.get()).as("a scale request on the bus").isPositive();
    assertThat(helloSeen.get()).as("the new DEA's hello").isGreaterThan(requestSeen.get());
    assertThat(decision).as("decision within 5 s").isLessThan(5_000);
  }

  @Test
  @Order(2)
  void thePoolStopsAtItsMaximum() throws Exception {
    // more than two DEAs can hold: the health manager does not go past max_deas 2
    api.scale("grower", 10);
    await().during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(30))
        .until(() -> scalingEvents().stream()
            .filter(e -> e.path("kind").asText().equals("scaling.launched")).count() == 1);
    assertThat(cloud.varz("DEA")).hasSize(2);
    assertThat(states("grower")).contains("DOWN");
    api.scale("grower", 6);
  }

  @Test
  @Order(3)
  void anAdministratorCanGrowThePoolByHandAndItIsRecorded() throws Exception {
    JsonNode launched = api.scalePool(1);
    assertThat(launched.path("platform").asText()).isEqualTo("local");
    assertThat(launched.path("nodes")).hasSize(1);
    await().atMost(RUN).until(() -> cloud.varz("DEA").size() == 3);
    assertThat(scalingEvents()).anySatisfy(e -> {
      assertThat(e.path("kind").asText()).isEqualTo("scaling.requested");
      assertThat(e.path("actor").asText()).isEqualTo(Cloud.ADMIN);
      assertThat(e.path("message").asText()).contains("manual trigger");
    });
  }

  @Test
  @Order(4)
  void idleLaunchedDeasAreDrainedAndRemovedWithoutAFailedRequest() throws Exception {
    // 3 instances fill the static DEA to 384 of 512 MB; the fourth lands on a launched one,
    // which then holds 128 MB (the low-water mark) and the other launched one nothing
    api.scale("grower", 3);
    await().atMost(RUN).untilAsserted(() -> assertThat(states("grower"))
        .hasSize(3).containsOnly("RUNNING"));
    api.scale("grower", 4);
    await().atMost(RUN).untilAsserted(() -> assertThat(states("grower"))
        .hasSize(4).containsOnly("RUNNING"));

    AtomicBoolean hammering = new AtomicBoolean(true);
    AtomicInteger ok = new AtomicInteger();
    List<String> failures = new CopyOnWriteArrayList<>();
    Thread client = new Thread(() -> {
      while (hammering.get()) {
        try {
          int status = cloud.viaRouter("grower." + Cloud.DOMAIN, "/").statusCode();
          if (status == 200) {
            ok.incrementAndGet();
          } else {
            failures.add(String.valueOf(status));
          }
        } catch (Exception e) {
          failures.add(e.toString());
        }
        // pacing, not synchronisation: about 20 requests a second is plenty on a shared box
        java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
      }
    }, "hammer");
    client.start();
    long started = System.currentTimeMillis();
    try {
      // both launched DEAs go, one after the other (cooldown between); the static one stays
      await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofSeconds(1))
          .until(() -> kinds().stream().filter("scaling.removed"::equals).count() == 2);
      await().atMost(Duration.ofSeconds(30)).until(() -> cloud.varz("DEA").size() == 1);
    } finally {
      hammering.set(false);
      client.join(10_000);
    }
    long removedAfter = System.currentTimeMillis() - started;
    assertThat(states("grower")).hasSize(4).containsOnly("RUNNING");
    assertThat(failures).as("requests that failed during the drains").isEmpty();
    assertThat(ok.get()).isGreaterThan(50);
    List<JsonNode> events = scalingEvents();
    assertThat(events).extracting(e -> e.path("kind").asText())
        .contains("scaling.drain_started", "scaling.drain_moved", "scaling.removed")
        .doesNotContain("scaling.drain_failed", "scaling.refused");
    // the instance on a launched DEA was moved to the static one before it was stopped
    assertThat(events).filteredOn(e -> e.path("kind").asText().equals("scaling.drain_moved"))
        .anySatisfy(e -> assertThat(e.path("details").path("relocated").asInt()).isEqualTo(1));
    System.out.println("autoscale: two idle DEAs drained and removed in " + removedAfter
        + " ms; " + ok.get() + " requests through the router, all 200");
  }

  private static List<String> kinds() {
    return scalingEvents().stream().map(e -> e.path("kind").asText()).toList();
  }
}
