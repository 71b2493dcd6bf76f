package io.updraft.controller.scaling;

import static io.updraft.controller.scaling.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.updraft.controller.scaling.PlatformHttp.Reply;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code docker} platform against a real Docker engine ({@code DOCKER_HOST}, else {@code
 * /var/run/docker.sock}; {@code scripts/setup-docker} starts one in CI). No registry is
 * reachable, so it uses an image already on the engine. Skips, saying why, where no engine
 * answers or it holds no image. The DEA image joining a cluster through this platform is
 * {@code system-tests}' {@code DockerPlatformDeaIT} (the DEA is built after the controller).
 */
class DockerPlatformIT {

  private static final String SETUP_DOCKER_IMAGE = "local/debian:bookworm";

  private Vertx vertx;
  private String host;
  private PlatformHttp engine;
  private String base;

  @BeforeEach
  void findEngine() throws Exception {
    String env = System.getenv("DOCKER_HOST");
    host = env == null || env.isBlank() ? DockerConfig.DEFAULT_HOST : env;
    SocketAddress socket = null;
    if (host.startsWith("unix://")) {
      Path path = Path.of(host.substring("unix://".length()));
      assumeTrue(Files.exists(path), "no Docker engine: " + path + " does not exist (start "
          + "dockerd or set DOCKER_HOST); skipping the real-engine test of the docker platform");
      socket = SocketAddress.domainSocketAddress(path.toString());
      base = "http://localhost";
    } else {
      base = "http://" + host.replaceFirst("^(tcp|http)://", "");
    }
    vertx = Vertx.vertx();
    engine = new PlatformHttp(vertx, "the Docker engine at " + host, Duration.ofSeconds(5),
        socket);
    Reply ping;
    try {
      ping = await(engine.send(HttpMethod.GET, base + "/_ping", Map.of(), (JsonObject) null));
    } catch (Exception e) {
      ping = null;
    }
    assumeTrue(ping != null && ping.ok(), "no Docker engine answers at " + host
        + "; skipping the real-engine test of the docker platform");
  }

  @AfterEach
  void stop() throws Exception {
    if (vertx != null) {
      await(vertx.close());
    }
  }

  @Test
  void createsStartsAndRemovesADeaContainer() throws Exception {
    String image = localImage();
    assumeTrue(image != null, "the Docker engine at " + host + " holds no tagged image and no "
        + "registry is reachable; skipping the real-engine test of the docker platform");
    DockerPlatform platform = new DockerPlatform(vertx, new DockerConfig(host, image, null,
        "updraft-it-dea-", null, null, null, 256L, 64L, Map.of(), "10.0.5.6", null, 30));

    List<String> ids = await(platform.launch(1));
    String id = ids.get(0);
    try {
      Reply inspect = await(engine.send(HttpMethod.GET, base + "/containers/" + id + "/json",
          Map.of(), (JsonObject) null));
      assertThat(inspect.status()).isEqualTo(200);
      JsonObject container = inspect.json();
      assertThat(container.getString("Name")).isEqualTo("/" + id);
      assertThat(container.getJsonObject("Config").getJsonObject("Labels")
          .getString("io.updraft.role")).isEqualTo("dea");
      assertThat(container.getJsonObject("Config").getJsonArray("Env").getList())
          .contains("UPDRAFT__NATS__SERVERS=[nats://10.0.5.6:4222]",
              "UPDRAFT__MAX_MEMORY_MB=256", "UPDRAFT__NODE_ID=" + id);
      assertThat(container.getJsonObject("HostConfig").getLong("Memory"))
          .isEqualTo(64L * 1024 * 1024);
    } finally {
      await(platform.terminate(id));
    }
    Reply gone = await(engine.send(HttpMethod.GET, base + "/containers/" + id + "/json",
        Map.of(), (JsonObject) null));
    assertThat(gone.status()).isEqualTo(404);
    await(platform.close());
  }

  /**
   * The base image {@code scripts/setup-docker} builds when it is there (CI's engine has it),
   * else any tagged image already on the engine, or null.
   */
  private String localImage() throws Exception {
    Reply images = await(engine.send(HttpMethod.GET, base + "/images/json", Map.of(),
        (JsonObject) null));
    JsonArray list = new JsonArray(images.body());
    for (int i = 0; i < list.size(); i++) {
      if (list.getJsonObject(i).getJsonArray("RepoTags", new JsonArray())
          .contains(SETUP_DOCKER_IMAGE)) {
        return SETUP_DOCKER_IMAGE;
      }
    }
    for (int i = 0; i < list.size(); i++) {
      JsonArray tags = list.getJsonObject(i).getJsonArray("RepoTags", new JsonArray());
      for (int j = 0; j < tags.size(); j++) {
        if (!"<none>:<none>".equals(tags.getString(j))) {
          return tags.getString(j);
        }
      }
    }
    return null;
  }
}
