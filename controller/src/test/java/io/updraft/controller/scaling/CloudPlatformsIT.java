package io.updraft.controller.scaling;

import static org.assertj.core.api.Assertions.assertThat;

import io.updraft.common.testing.NatsServer;
import io.updraft.common.testing.NatsServerExtension;
import io.updraft.controller.ControllerConfig;
import io.updraft.controller.RunningController;
import io.updraft.controller.api.ApiClient;
import io.updraft.controller.db.DatabaseConfig;
import io.updraft.controller.scaling.StubHttpServer.Response;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller wired with a cloud platform from its file ({@code primary_scaling_platform:
 * openstack}, {@code openstack_config}): the manual trigger launches through the stub cloud;
 * a missing file leaves the controller running and every launch recorded as failed.
 */
@ExtendWith(NatsServerExtension.class)
class CloudPlatformsIT {

  @TempDir
  Path data;

  private static ControllerConfig withOpenStack(ControllerConfig c, String file) {
    return new ControllerConfig(c.nats(), c.status(), c.index(), c.localIp(), c.externalUri(),
        c.host(), c.port(), c.dataDir(), c.database(), c.allowRegistration(), c.admins(),
        c.tokenExpirationSeconds(), c.passwordHashIterations(), c.defaultLimits(),
        c.adminLimits(), c.maxPackageMb(), c.stagingTimeoutSeconds(), c.startTimeoutSeconds(),
        c.ccPartition(), c.services(), "openstack", c.localPlatform(), file, c.ec2Config(),
        c.dockerConfig());
  }

  private ApiClient admin(RunningController controller) throws Exception {
    return controller.api().login(RunningController.ADMIN, RunningController.ADMIN_PASSWORD);
  }

  @Test
  void theManualTriggerLaunchesAServerThroughTheConfiguredCloud(NatsServer nats)
      throws Exception {
    try (StubHttpServer cloud = new StubHttpServer()) {
      cloud.route("POST /v3/auth/tokens", new Response(201, Map.of("X-Subject-Token", "tok",
              "Content-Type", "application/json"), """
              {"token": {"expires_at": "2099-01-01T00:00:00Z", "catalog": [{"type": "compute",
               "endpoints": [{"interface": "public", "region_id": "RegionOne",
                              "url": "%s/compute"}]}]}}
              """.formatted(cloud.url())))
          .route("GET /compute/flavors/detail", Response.json(200,
              "{\"flavors\":[{\"id\":\"42\",\"name\":\"m1.small\"}]}"))
          .route("POST /compute/servers", Response.json(202, "{\"server\":{\"id\":\"srv-7\"}}"));
      Path file = data.resolve("openstack_config.yml");
      Files.writeString(file, """
          auth_url: %s
          username: updraft
          password: pw
          project_name: paas
          image: 70a599e0-31e7-49b7-b260-868f441e862b
          flavor: m1.small
          """.formatted(cloud.url()));

      try (RunningController controller = RunningController.start(withOpenStack(
          RunningController.config(nats.config(), data.resolve("cc"), DatabaseConfig.defaults()),
          file.toString()))) {
        ApiClient.Reply reply = admin(controller).post("/updraft/scaling/scaleup",
            "{\"count\":1}");

        assertThat(reply.status()).as(reply.text()).isEqualTo(200);
        assertThat(reply.json().get("platform").asText()).isEqualTo("openstack");
        assertThat(reply.json().get("nodes").get(0).asText()).isEqualTo("srv-7");
        JsonObject server = new JsonObject(cloud.requests("POST /compute/servers").get(0).body())
            .getJsonObject("server");
        assertThat(server.getString("flavorRef")).isEqualTo("42");
        // no core_ip in the file: new DEAs are pointed at the controller's own address
        assertThat(new String(Base64.getDecoder().decode(server.getString("user_data")),
            StandardCharsets.UTF_8)).contains("[kato, attach, -e, dea, '127.0.0.1']");
        assertThat(admin(controller).get("/events?kind=scaling.launched").text())
            .contains("launched 1 DEA node(s) on openstack");
      }
    }
  }

  @Test
  void aMissingPlatformFileLeavesTheControllerUpAndEveryLaunchRecordedAsFailed(NatsServer nats)
      throws Exception {
    try (RunningController controller = RunningController.start(withOpenStack(
        RunningController.config(nats.config(), data.resolve("cc"), DatabaseConfig.defaults()),
        data.resolve("nowhere.yml").toString()))) {
      ApiClient admin = admin(controller);

      ApiClient.Reply reply = admin.post("/updraft/scaling/scaleup", "{\"count\":1}");

      assertThat(reply.status()).isEqualTo(409);
      assertThat(reply.text()).contains("the openstack scaling platform is not usable")
          .contains("no such file");
      assertThat(admin.get("/events?kind=scaling.failed").text())
          .contains("openstack_config: no such file");
      assertThat(admin.get("/info").status()).isEqualTo(200);
    }
  }
}
