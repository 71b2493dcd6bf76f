package io.updraft.controller.scaling;

import static io.updraft.controller.scaling.Futures.await;
import static io.updraft.controller.scaling.Futures.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.updraft.common.config.ConfigException;
import io.updraft.controller.scaling.StubHttpServer.Response;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code docker} platform's requests against a stub Docker Engine API
 * (https://docs.docker.com/reference/api/engine/) over TCP and over a unix socket; runs
 * without Docker. {@link DockerPlatformIT} runs it against a real engine.
 */
class DockerPlatformTest {

  private static final String CREATE = "POST /containers/create";

  private Vertx vertx;
  private StubHttpServer stub;
  private final AtomicInteger created = new AtomicInteger();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    stub = new StubHttpServer();
    stub.route(CREATE, r -> Response.json(201, "{\"Id\":\"c" + created.incrementAndGet()
            + "\",\"Warnings\":[]}"))
        .route("POST /containers/c1/start", Response.empty(204))
        .route("POST /containers/c2/start", Response.empty(204));
  }

  @AfterEach
  void stop() throws Exception {
    stub.close();
    await(vertx.close());
  }

  private DockerConfig config(String host, String apiVersion) {
    return new DockerConfig(host, "updraft/dea:2.0", "updraft", "dea-", null, "nats-user",
        "n4ts-s3cret", 4096L, 4608L, Map.of("UPDRAFT__LOG_LEVEL", "debug"), "10.0.5.6",
        apiVersion, 2);
  }

  @Test
  void launchCreatesAndStartsADeaContainerFromTheImage() throws Exception {
    DockerPlatform platform = new DockerPlatform(vertx, config("tcp://127.0.0.1:" + stub.port(),
        null));

    List<String> ids = await(platform.launch(2));

    // the node ids are the containers' names, which the DEAs are given to advertise
    assertThat(ids).hasSize(2).allSatisfy(id -> assertThat(id).matches("dea-[0-9a-f]{8}"));
    assertThat(stub.requests()).extracting(StubHttpServer.Request::line).containsExactly(
        CREATE, "POST /containers/c1/start", CREATE, "POST /containers/c2/start");
    StubHttpServer.Request create = stub.requests(CREATE).get(0);
    assertThat(create.query()).isEqualTo("name=" + ids.get(0));
    JsonObject body = new JsonObject(create.body());
    assertThat(body.getString("Image")).isEqualTo("updraft/dea:2.0");
    assertThat(body.getJsonArray("Env").getList()).containsExactlyInAnyOrder(
        "UPDRAFT__LOG_LEVEL=debug", "UPDRAFT__NATS__SERVERS=[nats://10.0.5.6:4222]",
        "UPDRAFT__NATS__USER=nats-user", "UPDRAFT__NATS__PASSWORD=n4ts-s3cret",
        "UPDRAFT__MAX_MEMORY_MB=4096", "UPDRAFT__NODE_ID=" + ids.get(0));
    assertThat(body.getJsonObject("Labels").getString("io.updraft.role")).isEqualTo("dea");
    JsonObject host = body.getJsonObject("HostConfig");
    assertThat(host.getString("NetworkMode")).isEqualTo("updraft");
    assertThat(host.getLong("Memory")).isEqualTo(4608L * 1024 * 1024);
    assertThat(host.getJsonObject("RestartPolicy").getString("Name")).isEqualTo("unless-stopped");
    assertThat(stub.requests(CREATE).get(1).query()).isNotEqualTo(create.query());
  }

  @Test
  void theNatsCredentialsAreNotLogged() throws Exception {
    try (CapturedLogs logs = new CapturedLogs()) {
      await(new DockerPlatform(vertx, config("tcp://127.0.0.1:" + stub.port(), null)).launch(1));

      assertThat(logs.text()).contains("scaling.docker.launched").doesNotContain("n4ts-s3cret")
          .doesNotContain("nats-user");
    }
  }

  @Test
  void anApiVersionPrefixesEveryPath() throws Exception {
    stub.route("POST /v1.43/containers/create", Response.json(201, "{\"Id\":\"c9\"}"))
        .route("POST /v1.43/containers/c9/start", Response.empty(204))
        .route("DELETE /v1.43/containers/c9", Response.empty(204));
    DockerPlatform platform = new DockerPlatform(vertx, config("tcp://127.0.0.1:" + stub.port(),
        "1.43"));

    assertThat(await(platform.launch(1))).singleElement().asString().startsWith("dea-");
    await(platform.terminate("c9"));
    assertThat(stub.requests("DELETE /v1.43/containers/c9")).singleElement()
        .satisfies(r -> assertThat(r.query()).isEqualTo("force=true"));
  }

  @Test
  void aMissingImageIsTheReason() {
    stub.route(CREATE, Response.json(404, "{\"message\":\"No such image: updraft/dea:2.0\"}"));

    Throwable e = failure(new DockerPlatform(vertx, config("tcp://127.0.0.1:" + stub.port(),
        null)).launch(1));

    assertThat(e.getMessage()).contains("no image 'updraft/dea:2.0' on the engine")
        .contains("No such image").doesNotContain("n4ts-s3cret");
  }

  @Test
  void aContainerThatWillNotStartIsRemovedAndTheReasonGiven() {
    stub.route("POST /containers/c1/start", Response.json(500, "{\"message\":\"failed to set up "
            + "container networking: network updraft not found\"}"))
        .route("DELETE /containers/c1", Response.empty(204));

    Throwable e = failure(new DockerPlatform(vertx, config("tcp://127.0.0.1:" + stub.port(),
        null)).launch(1));

    assertThat(e.getMessage()).contains("cannot start container dea-").contains("(500)")
        .contains("network updraft not found");
    assertThat(stub.requests("DELETE /containers/c1")).singleElement()
        .satisfies(r -> assertThat(r.query()).isEqualTo("force=true"));
  }

  @Test
  void aFailureAfterTheFirstContainerKeepsAndReportsTheStartedOnes() throws Exception {
    stub.route(CREATE, r -> created.incrementAndGet() == 1
        ? Response.json(201, "{\"Id\":\"c1\"}")
        : Response.json(500, "{\"message\":\"no space left on device\"}"));

    List<String> ids = await(new DockerPlatform(vertx, config("tcp://127.0.0.1:" + stub.port(),
        null)).launch(3));

    assertThat(ids).singleElement().asString().startsWith("dea-");
    assertThat(stub.requests(CREATE)).hasSize(2);
  }

  @Test
  void terminateForceRemovesAndToleratesAContainerAlreadyGone() throws Exception {
    stub.route("DELETE /containers/c1", Response.empty(204))
        .route("DELETE /containers/gone", Response.json(404,
            "{\"message\":\"No such container: gone\"}"))
        .route("DELETE /containers/busy", Response.json(409,
            "{\"message\":\"removal of container busy is already in progress\"}"));
    DockerPlatform platform = new DockerPlatform(vertx, config("tcp://127.0.0.1:" + stub.port(),
        null));

    await(platform.terminate("c1"));
    await(platform.terminate("gone"));
    Throwable e = failure(platform.terminate("busy"));

    assertThat(stub.requests("DELETE /containers/c1")).hasSize(1);
    assertThat(e.getMessage()).contains("(409)").contains("already in progress");
  }

  @Test
  void aSilentEngineIsATimeout() {
    stub.hang(CREATE);

    Throwable e = failure(new DockerPlatform(vertx, config("tcp://127.0.0.1:" + stub.port(),
        null)).launch(1));

    assertThat(e.getMessage()).contains("did not answer within 2 s");
  }

  @Test
  void theEngineIsReachedOverAUnixSocket(@TempDir Path dir) throws Exception {
    Path socket = dir.resolve("docker.sock");
    List<String> seen = new CopyOnWriteArrayList<>();
    HttpServer engine = vertx.createHttpServer().requestHandler(req -> {
      seen.add(req.method() + " " + req.path());
      if (req.path().endsWith("/create")) {
        req.response().setStatusCode(201).end("{\"Id\":\"u1\",\"Warnings\":[]}");
      } else {
        req.response().setStatusCode(204).end();
      }
    });
    await(engine.listen(SocketAddress.domainSocketAddress(socket.toString())));
    DockerPlatform platform = new DockerPlatform(vertx, config("unix://" + socket, null));

    String node = await(platform.launch(1)).get(0);
    await(platform.terminate(node));

    assertThat(seen).containsExactly("POST /containers/create", "POST /containers/u1/start",
        "DELETE /containers/" + node);
  }

  @Test
  void theConfigFileHasDefaultsAndItsSecretsAreNotShown(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("docker_config.yml");
    Files.writeString(file, """
        image: updraft/dea:2.0
        nats_servers: ["nats://u:n4ts-s3cret@10.0.5.6:4222"]
        nats_password: n4ts-s3cret
        """);

    DockerConfig c = DockerConfig.load(file.toString());

    assertThat(c.host()).isEqualTo("unix:///var/run/docker.sock");
    assertThat(c.deaEnvironment()).containsEntry("UPDRAFT__NATS__SERVERS",
        "[nats://u:n4ts-s3cret@10.0.5.6:4222]");
    assertThat(c.toString()).contains("image=updraft/dea:2.0").doesNotContain("n4ts-s3cret");
    Path noImage = dir.resolve("b.yml");
    Files.writeString(noImage, "host: tcp://127.0.0.1:2375\n");
    assertThatThrownBy(() -> DockerConfig.load(noImage.toString()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("docker_config")
        .hasMessageContaining("image is required");
  }
}
