package io.updraft.controller.scaling;

import static io.updraft.controller.scaling.Futures.await;
import static io.updraft.controller.scaling.Futures.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.updraft.common.bus.fakes.FakeBus;
import io.updraft.common.config.ConfigLoader;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.dea.DeaAdvertise;
import io.updraft.common.protocol.health.DeaDraining;
import io.updraft.common.protocol.health.ScaleRequest;
import io.updraft.controller.ControllerConfig;
import io.updraft.controller.db.Database;
import io.updraft.controller.db.DatabaseConfig;
import io.updraft.controller.events.EventStore;
import io.updraft.controller.scaling.StubHttpServer.Response;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Building the cloud platforms from their files at controller start: a bad file leaves a
 * platform that fails every launch with the reason, and the scaler records it and carries on.
 */
class ScalingPlatformsTest {

  @TempDir
  Path dir;
  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  private ScalingPlatform cloud(String name, String file) {
    return ScalingPlatforms.cloud(vertx, name, file, "10.0.5.6", Clock.systemUTC());
  }

  @Test
  void aMissingFileLeavesAPlatformThatFailsWithTheReason() {
    ScalingPlatform platform = cloud("openstack", dir.resolve("openstack_config.yml").toString());

    assertThat(platform.name()).isEqualTo("none");
    assertThat(failure(platform.launch(1)).getMessage())
        .contains("the openstack scaling platform is not usable")
        .contains("openstack_config").contains("no such file");
    assertThat(failure(cloud("ec2", null).launch(1)).getMessage())
        .contains("ec2_config: not set");
  }

  @Test
  void aMalformedFileIsAReasonThatQuotesNoValue() throws Exception {
    Path file = dir.resolve("ec2_config.yml");
    Files.writeString(file, "region: us-east-1\nsecret_access_key: [hunter2-secret\n");

    ScalingPlatform platform = cloud("ec2", file.toString());

    assertThat(failure(platform.launch(1)).getMessage()).contains("is not a valid YAML mapping")
        .doesNotContain("hunter2-secret");
  }

  @Test
  void goodFilesGiveTheNamedPlatforms() throws Exception {
    Path openstack = dir.resolve("openstack_config.yml");
    Files.writeString(openstack, "auth_url: http://127.0.0.1:1/v3\nusername: u\npassword: p\n"
        + "project_name: paas\nimage: dea\nflavor: m1.small\n");
    Path ec2 = dir.resolve("ec2_config.yml");
    Files.writeString(ec2, "region: us-east-1\nami: ami-1\ninstance_type: t3.micro\n"
        + "access_key_id: AKID\nsecret_access_key: SECRET\n");
    Path docker = dir.resolve("docker_config.yml");
    Files.writeString(docker, "image: updraft/dea\n");

    assertThat(cloud("openstack", openstack.toString())).isInstanceOf(OpenStackPlatform.class);
    assertThat(cloud("ec2", ec2.toString())).isInstanceOf(Ec2Platform.class);
    assertThat(cloud("docker", docker.toString())).isInstanceOf(DockerPlatform.class);
  }

  @Test
  void newNodesGetTheControllersAddressWhenTheFileNamesNoCore() throws Exception {
    try (StubHttpServer engine = new StubHttpServer()) {
      engine.route("POST /containers/create", Response.json(201, "{\"Id\":\"c1\"}"))
          .route("POST /containers/c1/start", Response.empty(204));
      Path docker = dir.resolve("docker_config.yml");
      Files.writeString(docker, "host: tcp://127.0.0.1:" + engine.port()
          + "\nimage: updraft/dea\n");

      await(cloud("docker", docker.toString()).launch(1));

      assertThat(new JsonObject(engine.requests("POST /containers/create").get(0).body())
          .getJsonArray("Env").getList()).contains("UPDRAFT__NATS__SERVERS=[nats://10.0.5.6:4222]");
    }
  }

  @Test
  void theControllerConfigNamesTheDockerFile() throws Exception {
    Path file = dir.resolve("controller.yml");
    Files.writeString(file, "primary_scaling_platform: docker\n"
        + "docker_config: /etc/updraft/docker_config.yml\n"
        + "openstack_config: /etc/updraft/openstack_config.yml\n");

    ControllerConfig config = ConfigLoader.load(file, Map.of(), ControllerConfig.class);

    assertThat(config.primaryScalingPlatform()).isEqualTo("docker");
    assertThat(config.dockerConfig()).isEqualTo("/etc/updraft/docker_config.yml");
    assertThat(config.openstackConfig()).isEqualTo("/etc/updraft/openstack_config.yml");
  }

  @Test
  void everyScaleRequestOnAnUnusablePlatformIsRecordedAsFailedAndTheScalerCarriesOn()
      throws Exception {
    Database db = await(Database.open(vertx, DatabaseConfig.defaults(), dir.resolve("data")));
    try {
      EventStore events = new EventStore(db, Clock.systemUTC());
      FakeBus bus = new FakeBus();
      Scaler scaler = new Scaler(bus, cloud("openstack", dir.resolve("missing.yml").toString()),
          events, new ScalingNodeStore(db, Clock.systemUTC()), Clock.systemUTC());
      Context context = vertx.getOrCreateContext();
      onContext(context, scaler::start);
      ScaleRequest request = new ScaleRequest(ScaleRequest.Op.SCALEUP, 1,
          "free memory below threshold", null, 100L, 4096L, 2, 1);

      // the health manager's first request, and its retry after the cooldown
      for (int attempt = 1; attempt <= 2; attempt++) {
        onContext(context, () -> bus.publish(Subjects.HM_SCALE_REQUESTS, request));
        int expected = attempt;
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
            assertThat(failed(events)).as("all scaling events: %s", scalingEvents(events))
                .hasSize(expected));
      }

      EventStore.Event failedEvent = failed(events).get(0);
      assertThat(failedEvent.message()).contains("launch on none failed")
          .contains("the openstack scaling platform is not usable").contains("no such file");
      assertThat(failedEvent.details()).containsEntry("free_memory_mb", 100);
      await(scaler.stop());
    } finally {
      db.close();
    }
  }

  @Test
  void aScaleDownOfADeaThePlatformDidNotLaunchIsRefusedAndNothingIsDrained() throws Exception {
    Database db = await(Database.open(vertx, DatabaseConfig.defaults(), dir.resolve("data")));
    try {
      EventStore events = new EventStore(db, Clock.systemUTC());
      FakeBus bus = new FakeBus();
      ScalingPlatform platform = cloud("openstack", dir.resolve("missing.yml").toString());
      Drainer drainer = new Drainer(vertx, bus, null, platform, events, Clock.systemUTC(),
          Drainer.Timeouts.DEFAULTS);
      Scaler scaler = new Scaler(bus, platform, events, new ScalingNodeStore(db,
          Clock.systemUTC()), Clock.systemUTC()).withDrainer(drainer);
      Context context = vertx.getOrCreateContext();
      onContext(context, () -> {
        scaler.start();
        drainer.start();
        // a static DEA (no node id) and one claiming a node this controller never launched
        bus.publish(Subjects.DEA_ADVERTISE, new DeaAdvertise("static-dea", 4096L, List.of(),
            false));
        bus.publish(Subjects.DEA_ADVERTISE, new DeaAdvertise("other-dea", 4096L, List.of(),
            false, "i-0123456789", 4096L));
        bus.publish(Subjects.HM_SCALE_REQUESTS, new ScaleRequest(ScaleRequest.Op.SCALEDOWN,
            null, "idle", "static-dea", 8192L, null, 0, 2));
        bus.publish(Subjects.HM_SCALE_REQUESTS, new ScaleRequest(ScaleRequest.Op.SCALEDOWN,
            null, "idle", "other-dea", 8192L, null, 0, 2));
      });

      await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
          assertThat(await(events.recent(20, "scaling.refused"))).hasSize(2));
      assertThat(await(events.recent(20, "scaling.refused"))).allSatisfy(e -> {
        assertThat(e.message()).contains("was not launched by the none scaling platform")
            .contains("static DEAs are never removed");
        assertThat(e.details()).containsEntry("reason", "idle");
      });
      assertThat(bus.published(Subjects.DEA_DRAINING, DeaDraining.class)).isEmpty();
      assertThat(drainer.draining()).isNull();
      drainer.stop();
      await(scaler.stop());
    } finally {
      db.close();
    }
  }

  private static List<EventStore.Event> failed(EventStore events) throws Exception {
    return await(events.recent(20, "scaling.failed"));
  }

  /** Runs {@code action} on the scaler's context, failing the test with what it threw. */
  private static void onContext(Context context, Runnable action) throws Exception {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      try {
        action.run();
        done.complete();
      } catch (Throwable e) {
        done.fail(e);
      }
    });
    await(done.future());
  }

  private static List<String> scalingEvents(EventStore events) throws Exception {
    return await(events.recent(20, "scaling.")).stream()
        .map(e -> e.kind() + ": " + e.message()).toList();
  }
}
