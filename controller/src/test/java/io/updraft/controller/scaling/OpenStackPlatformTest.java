package io.updraft.controller.scaling;

import static io.updraft.controller.scaling.Futures.await;
import static io.updraft.controller.scaling.Futures.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.updraft.common.config.ConfigException;
import io.updraft.controller.scaling.StubHttpServer.Response;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Contract test of the {@code openstack} platform against a stub answering with Keystone v3,
 * Nova and Glance shapes (https://docs.openstack.org/api-ref/identity/v3/,
 * https://docs.openstack.org/api-ref/compute/): the exact requests sent and each error.
 */
class OpenStackPlatformTest {

  private static final String PASSWORD = "s3cr3t-pa55";
  private static final String IMAGE_ID = "70a599e0-31e7-49b7-b260-868f441e862b";
  private static final String NETWORK_ID = "3cb9bc59-5699-4588-a4b1-b87f96708bc6";

  private static final String AUTH = "POST /identity/v3/auth/tokens";
  private static final String IMAGES = "GET /image/v2/images";
  private static final String FLAVORS = "GET /compute/v2.1/flavors/detail";
  private static final String SERVERS = "POST /compute/v2.1/servers";

  private Vertx vertx;
  private StubHttpServer stub;
  private final AtomicInteger tokens = new AtomicInteger();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    stub = new StubHttpServer();
    stub.route(AUTH, r -> new Response(201, Map.of("Content-Type", "application/json",
            "X-Subject-Token", "tok-" + tokens.incrementAndGet()), tokenBody()))
        .route(IMAGES, Response.json(200, "{\"images\":[{\"id\":\"" + IMAGE_ID
            + "\",\"name\":\"updraft-dea\",\"status\":\"active\"}],\"schema\":\"/v2/schemas/images\","
            + "\"first\":\"/v2/images\"}"))
        .route(FLAVORS, Response.json(200, "{\"flavors\":[{\"id\":\"1\",\"name\":\"m1.tiny\","
            + "\"ram\":512,\"vcpus\":1,\"disk\":1},{\"id\":\"3\",\"name\":\"m1.medium\",\"ram\":4096,"
            + "\"vcpus\":2,\"disk\":40}]}"))
        .route(SERVERS, Response.json(202, "{\"server\":{\"id\":\"srv-1\",\"links\":[],"
            + "\"OS-DCF:diskConfig\":\"MANUAL\",\"adminPass\":\"x9Q7\","
            + "\"security_groups\":[{\"name\":\"default\"}]}}"));
  }

  @AfterEach
  void stop() throws Exception {
    stub.close();
    await(vertx.close());
  }

  /** Keystone's POST /v3/auth/tokens answer: a catalog with decoys around the right endpoint. */
  private String tokenBody() {
    return """
        {"token": {"methods": ["password"], "expires_at": "2099-01-01T00:00:00.000000Z",
          "issued_at": "2026-11-25T00:00:00.000000Z",
          "user": {"id": "u1", "name": "updraft", "domain": {"id": "default", "name": "Default"}},
          "project": {"id": "p1", "name": "paas", "domain": {"id": "default", "name": "Default"}},
          "catalog": [
            {"type": "identity", "name": "keystone", "id": "k", "endpoints": [
              {"id": "e0", "interface": "public", "region_id": "RegionOne", "region": "RegionOne",
               "url": "STUB/identity"}]},
            {"type": "compute", "name": "nova", "id": "n", "endpoints": [
              {"id": "e1", "interface": "internal", "region_id": "RegionOne", "region": "RegionOne",
               "url": "http://192.0.2.1:8774/v2.1"},
              {"id": "e2", "interface": "public", "region_id": "RegionTwo", "region": "RegionTwo",
               "url": "http://192.0.2.2:8774/v2.1"},
              {"id": "e3", "interface": "public", "region_id": "RegionOne", "region": "RegionOne",
               "url": "STUB/compute/v2.1/"}]},
            {"type": "image", "name": "glance", "id": "g", "endpoints": [
              {"id": "e4", "interface": "public", "region_id": "RegionOne", "region": "RegionOne",
               "url": "STUB/image"}]}]}}
        """.replace("STUB", stub.url());
  }

  private OpenStackConfig config(String image) {
    return new OpenStackConfig(stub.url() + "/identity", "updraft", PASSWORD, "Default", "paas",
        "Default", "RegionOne", null, image, "m1.medium", NETWORK_ID, "ops",
        List.of("default", "updraft-dea"), "dea-", "10.0.5.6", null, 2);
  }

  private OpenStackPlatform platform(OpenStackConfig config) {
    return new OpenStackPlatform(vertx, config, Clock.systemUTC());
  }

  @Test
  void launchAuthenticatesResolvesImageAndFlavorAndCreatesTheServer() throws Exception {
    List<String> ids = await(platform(config("updraft-dea")).launch(1));

    assertThat(ids).containsExactly("srv-1");
    assertThat(stub.requests()).extracting(StubHttpServer.Request::line)
        .containsExactly(AUTH, IMAGES, FLAVORS, SERVERS);

    JsonObject auth = new JsonObject(stub.requests(AUTH).get(0).body()).getJsonObject("auth");
    assertThat(auth.getJsonObject("identity").getJsonArray("methods").getList())
        .containsExactly("password");
    JsonObject user = auth.getJsonObject("identity").getJsonObject("password")
        .getJsonObject("user");
    assertThat(user.getString("name")).isEqualTo("updraft");
    assertThat(user.getString("password")).isEqualTo(PASSWORD);
    assertThat(user.getJsonObject("domain").getString("name")).isEqualTo("Default");
    JsonObject project = auth.getJsonObject("scope").getJsonObject("project");
    assertThat(project.getString("name")).isEqualTo("paas");
    assertThat(project.getJsonObject("domain").getString("name")).isEqualTo("Default");

    StubHttpServer.Request images = stub.requests(IMAGES).get(0);
    assertThat(images.query()).contains("name=updraft-dea").contains("status=active");
    assertThat(images.header("X-Auth-Token")).isEqualTo("tok-1");

    StubHttpServer.Request create = stub.requests(SERVERS).get(0);
    assertThat(create.header("X-Auth-Token")).isEqualTo("tok-1");
    assertThat(create.header("Content-Type")).startsWith("application/json");
    JsonObject server = new JsonObject(create.body()).getJsonObject("server");
    assertThat(server.getString("name")).startsWith("dea-");
    assertThat(server.getString("imageRef")).isEqualTo(IMAGE_ID);
    assertThat(server.getString("flavorRef")).isEqualTo("3");
    assertThat(server.getJsonArray("networks").getJsonObject(0).getString("uuid"))
        .isEqualTo(NETWORK_ID);
    assertThat(server.getString("key_name")).isEqualTo("ops");
    assertThat(server.getJsonArray("security_groups")).containsExactly(
        new JsonObject().put("name", "default"), new JsonObject().put("name", "updraft-dea"));
    String userData = new String(Base64.getDecoder().decode(server.getString("user_data")),
        StandardCharsets.UTF_8);
    assertThat(userData).startsWith("#cloud-config")
        .contains("[kato, attach, -e, dea, '10.0.5.6']")
        .contains("path: /etc/updraft/core_address").doesNotContain("${core_ip}");
  }

  @Test
  void noSecretIsLogged() throws Exception {
    try (CapturedLogs logs = new CapturedLogs()) {
      OpenStackPlatform platform = platform(config("updraft-dea"));
      await(platform.launch(1));
      stub.route(AUTH, Response.json(401, "{\"error\":{\"code\":401,\"message\":\"no\"}}"));
      failure(platform(config(IMAGE_ID)).launch(1));

      assertThat(logs.events()).isPositive();
      assertThat(logs.text()).contains("scaling.openstack.launched")
          .doesNotContain(PASSWORD).doesNotContain("tok-1").doesNotContain("x9Q7");
    }
  }

  @Test
  void anImageIdSkipsGlanceAndTheTokenIsReusedForSeveralServers() throws Exception {
    List<String> ids = await(platform(config(IMAGE_ID)).launch(2));

    assertThat(ids).containsExactly("srv-1", "srv-1");
    assertThat(stub.requests()).extracting(StubHttpServer.Request::line)
        .containsExactly(AUTH, FLAVORS, SERVERS, SERVERS);
    assertThat(stub.requests(SERVERS)).extracting(r -> new JsonObject(r.body())
        .getJsonObject("server").getString("name")).doesNotHaveDuplicates();
  }

  @Test
  void badCredentialsFailWithTheReasonAndNoSecret() {
    stub.route(AUTH, Response.json(401, "{\"error\":{\"code\":401,\"message\":\"The request you "
        + "have made requires authentication.\",\"title\":\"Unauthorized\"}}"));

    Throwable e = failure(platform(config(IMAGE_ID)).launch(1));

    assertThat(e.getMessage()).contains("Keystone rejected the credentials of user 'updraft'")
        .contains("(401)").contains("requires authentication").doesNotContain(PASSWORD);
    assertThat(stub.requests(SERVERS)).isEmpty();
  }

  @Test
  void quotaExceededIsTheReason() {
    stub.route(SERVERS, Response.json(403, "{\"forbidden\":{\"message\":\"Quota exceeded for "
        + "instances: Requested 1, but already used 10 of 10 instances\",\"code\":403}}"));

    Throwable e = failure(platform(config(IMAGE_ID)).launch(1));

    assertThat(e.getMessage()).contains("cannot create server dea-").contains("forbidden (403)")
        .contains("Quota exceeded for instances: Requested 1, but already used 10 of 10");
  }

  @Test
  void overLimitIsTheReason() {
    stub.route(SERVERS, Response.json(413, "{\"overLimit\":{\"message\":\"Quota exceeded for "
        + "cores: Requested 2, but already used 20 of 20 cores\",\"code\":413,"
        + "\"retryAfter\":\"0\"}}"));

    Throwable e = failure(platform(config(IMAGE_ID)).launch(1));

    assertThat(e.getMessage()).contains("over limit (413)").contains("Quota exceeded for cores");
  }

  @Test
  void aServerErrorIsTheReason() {
    stub.route(SERVERS, Response.json(500, "{\"computeFault\":{\"message\":\"Unexpected API "
        + "Error.\",\"code\":500}}"));

    Throwable e = failure(platform(config(IMAGE_ID)).launch(1));

    assertThat(e.getMessage()).contains("OpenStack failed (500)").contains("Unexpected API Error");
  }

  @Test
  void anExpiredTokenIsRenewedOnceAndTheCallRetried() throws Exception {
    AtomicInteger creates = new AtomicInteger();
    stub.route(SERVERS, r -> creates.incrementAndGet() == 1
        ? Response.json(401, "{\"unauthorized\":{\"message\":\"Token expired\",\"code\":401}}")
        : Response.json(202, "{\"server\":{\"id\":\"srv-2\"}}"));

    List<String> ids = await(platform(config(IMAGE_ID)).launch(1));

    assertThat(ids).containsExactly("srv-2");
    assertThat(stub.requests(AUTH)).hasSize(2);
    assertThat(stub.requests(SERVERS)).extracting(r -> r.header("X-Auth-Token"))
        .containsExactly("tok-1", "tok-2");
  }

  @Test
  void aSecond401IsAFailureNotALoop() {
    stub.route(SERVERS, Response.json(401, "{\"unauthorized\":{\"message\":\"nope\"}}"));

    Throwable e = failure(platform(config(IMAGE_ID)).launch(1));

    assertThat(e.getMessage()).contains("credentials rejected even after authenticating again");
    assertThat(stub.requests(SERVERS)).hasSize(2);
  }

  @Test
  void aSilentNovaIsATimeout() {
    stub.hang(SERVERS);

    Throwable e = failure(platform(config(IMAGE_ID)).launch(1));

    assertThat(e.getMessage()).contains("OpenStack did not answer within 2 s")
        .contains("POST " + stub.url() + "/compute/v2.1/servers");
  }

  @Test
  void anUnreachableKeystoneIsTheReason() throws Exception {
    int port = stub.port();
    stub.close();
    OpenStackConfig unreachable = new OpenStackConfig("http://127.0.0.1:" + port + "/identity",
        "updraft", PASSWORD, null, "paas", null, null, null, IMAGE_ID, "m1.medium", null, null,
        null, null, "10.0.5.6", null, 2);

    Throwable e = failure(platform(unreachable).launch(1));

    assertThat(e.getMessage()).contains("OpenStack").contains("/identity/v3/auth/tokens")
        .doesNotContain(PASSWORD);
  }

  @Test
  void unknownImageNamesAndFlavorsAreReasons() {
    stub.route(IMAGES, Response.json(200, "{\"images\":[]}"));
    assertThat(failure(platform(config("no-such")).launch(1)).getMessage())
        .contains("0 active images are named 'no-such'");

    OpenStackConfig badFlavor = new OpenStackConfig(stub.url() + "/identity", "updraft",
        PASSWORD, null, "paas", null, "RegionOne", null, IMAGE_ID, "m9.huge", null, null, null, null,
        "10.0.5.6", null, 2);
    assertThat(failure(platform(badFlavor).launch(1)).getMessage())
        .contains("no flavor 'm9.huge'");
  }

  @Test
  void terminateDeletesTheServerAndToleratesOneAlreadyGone() throws Exception {
    stub.route("DELETE /compute/v2.1/servers/srv-1", Response.empty(204))
        .route("DELETE /compute/v2.1/servers/srv-9", Response.json(404,
            "{\"itemNotFound\":{\"message\":\"Instance srv-9 could not be found.\"}}"))
        .route("DELETE /compute/v2.1/servers/srv-5", Response.json(409,
            "{\"conflictingRequest\":{\"message\":\"Cannot 'delete' instance while it is in "
                + "task_state rebuilding\"}}"));
    OpenStackPlatform platform = platform(config(IMAGE_ID));

    await(platform.terminate("srv-1"));
    await(platform.terminate("srv-9"));
    Throwable e = failure(platform.terminate("srv-5"));

    assertThat(stub.requests("DELETE /compute/v2.1/servers/srv-1")).singleElement()
        .satisfies(r -> assertThat(r.header("X-Auth-Token")).isEqualTo("tok-1"));
    assertThat(e.getMessage()).contains("conflict (409)").contains("task_state rebuilding");
  }

  @Test
  void theConfigFileIsReadWithDefaultsAndItsSecretIsNotShown(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("openstack_config.yml");
    Files.writeString(file, """
        auth_url: https://keystone.example.com:5000/v3
        username: updraft
        password: %s
        project_name: paas
        image: updraft-dea
        flavor: m1.medium
        network: %s
        security_groups: [default]
        """.formatted(PASSWORD, NETWORK_ID));

    OpenStackConfig c = OpenStackConfig.load(file.toString());

    assertThat(c.userDomainName()).isEqualTo("Default");
    assertThat(c.projectDomainName()).isEqualTo("Default");
    assertThat(c.endpointInterface()).isEqualTo("public");
    assertThat(c.keystoneV3()).isEqualTo("https://keystone.example.com:5000/v3");
    assertThat(c.securityGroups()).containsExactly("default");
    assertThat(c.toString()).contains("username=updraft").doesNotContain(PASSWORD);
  }

  @Test
  void aBadConfigFileNamesTheProblem(@TempDir Path dir) throws Exception {
    Path missingPassword = dir.resolve("a.yml");
    Files.writeString(missingPassword, "auth_url: http://k:5000\nusername: u\nproject_name: p\n"
        + "image: i\nflavor: f\n");
    Path unknownKey = dir.resolve("b.yml");
    Files.writeString(unknownKey, "auth_url: http://k:5000\ntenant: p\n");

    assertThatThrownBy(() -> OpenStackConfig.load(missingPassword.toString()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("openstack_config")
        .hasMessageContaining("password is required");
    assertThatThrownBy(() -> OpenStackConfig.load(unknownKey.toString()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("unknown key 'tenant'");
    assertThatThrownBy(() -> OpenStackConfig.load(dir.resolve("none.yml").toString()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("no such file");
  }
}
