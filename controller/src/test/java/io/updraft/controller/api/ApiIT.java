package io.updraft.controller.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.updraft.common.testing.NatsServer;
import io.updraft.common.testing.NatsServerExtension;
import io.updraft.controller.RunningController;
import io.updraft.controller.db.DatabaseConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The CF v1 REST API of a real controller (H2 database), as legacy clients use it. */
@ExtendWith(NatsServerExtension.class)
class ApiIT {

  @TempDir
  Path data;

  private RunningController controller;
  private ApiClient anonymous;

  /** The database the controller uses; the PostgreSQL variant overrides it. */
  protected DatabaseConfig database() {
    return DatabaseConfig.defaults();
  }

  @BeforeEach
  void start(NatsServer nats) throws Exception {
    controller = RunningController.start(RunningController.config(nats.config(), data,
        database()));
    anonymous = controller.api();
  }

  @AfterEach
  void stop() {
    if (controller != null) {
      controller.close();
    }
  }

  @Test
  void infoIdentifiesTheTargetAndTheLoggedInUser() throws Exception {
    ApiClient.Reply info = anonymous.get("/info");
    assertThat(info.status()).isEqualTo(200);
    assertThat(info.json().path("name").asText()).isEqualTo("vcap");
    assertThat(info.json().has("build")).isTrue();
    assertThat(info.json().has("version")).isTrue();
    assertThat(info.json().has("support")).isTrue();
    assertThat(info.json().has("user")).isFalse();

    ApiClient ann = anonymous.login("ann@example.com", "pw1");
    ApiClient.Reply mine = ann.get("/info");
    assertThat(mine.json().path("user").asText()).isEqualTo("ann@example.com");
    assertThat(mine.json().path("usage").path("apps").asInt()).isZero();
    assertThat(mine.json().path("limits").path("memory").asInt()).isEqualTo(1024);
    assertThat(anonymous.get("/info/runtimes").json().has("java")).isTrue();
  }

  @Test
  void badCredentialsAndTokensAre403WithCode200() throws Exception {
    anonymous.login("bob@example.com", "right");
    ApiClient.Reply wrong = anonymous.post("/users/bob%40example.com/tokens",
        "{\"password\":\"wrong\"}");
    assertThat(wrong.status()).isEqualTo(403);
    assertThat(wrong.code()).isEqualTo(200);
    assertThat(anonymous.post("/users/nobody%40example.com/tokens", "{\"password\":\"x\"}")
        .status()).isEqualTo(403);
    ApiClient.Reply noToken = anonymous.get("/apps");
    assertThat(noToken.status()).isEqualTo(403);
    assertThat(noToken.code()).isEqualTo(200);
    assertThat(noToken.json().path("description").asText()).isEqualTo("Operation not permitted");
    assertThat(anonymous.as("forged.token").get("/apps").status()).isEqualTo(403);
    assertThat(anonymous.as("Bearer nonsense").get("/apps").code()).isEqualTo(200);
  }

  @Test
  void appLifecycleThroughTheV1Shapes() throws Exception {
    ApiClient ann = anonymous.login("ann@example.com", "pw1");
    ApiClient.Reply created = ann.post("/apps", "{\"name\":\"blog\",\"staging\":{\"model\":"
        + "\"node\",\"stack\":\"node\"},\"uris\":[\"HTTP://Blog.updraft.test\"],"
        + "\"instances\":1,\"resources\":{\"memory\":128}}");
    assertThat(created.status()).isEqualTo(302);
    assertThat(created.raw().headers().firstValue("Location"))
        .hasValue("http://api.updraft.test/apps/blog");
    assertThat(created.json().path("result").asText()).isEqualTo("success");

    ApiClient.Reply app = ann.get("/apps/blog");
    assertThat(app.status()).isEqualTo(200);
    assertThat(app.json().path("uris").get(0).asText()).isEqualTo("blog.updraft.test");
    assertThat(app.json().path("staging").path("model").asText()).isEqualTo("node");
    assertThat(app.json().path("resources").path("memory").asInt()).isEqualTo(128);
    assertThat(app.json().path("state").asText()).isEqualTo("STOPPED");
    int lock = app.json().path("meta").path("version").asInt();

    // the Tcl client sends every scalar as a string
    ApiClient.Reply tcl = ann.put("/apps/blog", "{\"instances\":\"2\",\"staging\":{\"model\":"
        + "\"node\",\"stack\":\"null\"},\"meta\":{\"version\":\"" + lock + "\"}}");
    assertThat(tcl.status()).isEqualTo(200);
    assertThat(ann.get("/apps/blog").json().path("instances").asInt()).isEqualTo(2);

    ApiClient.Reply stale = ann.put("/apps/blog", "{\"instances\":3,\"meta\":{\"version\":"
        + lock + "}}");
    assertThat(stale.status()).isEqualTo(400);
    assertThat(stale.code()).isEqualTo(102);

    assertThat(ann.get("/apps").json()).hasSize(1);
    assertThat(ann.delete("/apps/blog").status()).isEqualTo(200);
    ApiClient.Reply gone = ann.get("/apps/blog");
    assertThat(gone.status()).isEqualTo(404);
    assertThat(gone.code()).isEqualTo(301);
  }

  @Test
  void usersSeeOnlyTheirOwnAppsAndUrlsAreUniqueAcrossTheCloud() throws Exception {
    ApiClient ann = anonymous.login("ann@example.com", "pw1");
    ApiClient bob = anonymous.login("bob@example.com", "pw2");
    assertThat(ann.post("/apps", "{\"name\":\"shop\",\"uris\":[\"shop.updraft.test\"]}")
        .status()).isEqualTo(302);

    assertThat(bob.get("/apps/shop").code()).isEqualTo(301);
    assertThat(bob.put("/apps/shop", "{\"instances\":5}").status()).isEqualTo(404);
    assertThat(bob.delete("/apps/shop").status()).isEqualTo(404);
    assertThat(bob.get("/apps").json()).isEmpty();

    // same name for another user is fine; the same URL is not
    ApiClient.Reply taken = bob.post("/apps", "{\"name\":\"shop\",\"uris\":"
        + "[\"shop.updraft.test\"]}");
    assertThat(taken.status()).isEqualTo(400);
    assertThat(taken.code()).isEqualTo(701);
    assertThat(bob.post("/apps", "{\"name\":\"shop\"}").status()).isEqualTo(302);
    assertThat(ann.post("/apps", "{\"name\":\"shop\"}").code()).isEqualTo(100);

    // admins see every app and may act as another user
    ApiClient admin = anonymous.as(null).login(RunningController.ADMIN,
        RunningController.ADMIN_PASSWORD);
    assertThat(admin.get("/users").json().findValuesAsText("email"))
        .contains("ann@example.com", "bob@example.com");
  }

  @Test
  void badInputGetsClearErrors() throws Exception {
    ApiClient ann = anonymous.login("ann@example.com", "pw1");
    ApiClient.Reply notJson = ann.post("/apps", "{name: blog");
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(notJson.code()).isEqualTo(100);
    assertThat(ann.post("/apps", "{\"name\":\"../etc\"}").code()).isEqualTo(300);
    assertThat(ann.post("/apps", "{\"name\":\"a\",\"staging\":{\"model\":\"cobol\"}}").code())
        .isEqualTo(308);
    assertThat(ann.post("/apps", "{\"name\":\"b\",\"uris\":[\"evil.example.com\"]}").code())
        .isEqualTo(702);
    assertThat(ann.post("/apps", "{\"name\":\"c\",\"uris\":[\"api.updraft.test\"]}").code())
        .isEqualTo(701);
    assertThat(ann.post("/apps", "{\"name\":\"d\",\"uris\":[\"bad host.updraft.test\"]}")
        .code()).isEqualTo(700);
    assertThat(ann.post("/apps", "{\"name\":\"e\",\"instances\":\"many\"}").code())
        .isEqualTo(100);
    assertThat(ann.post("/apps", "{\"name\":\"f\",\"env\":[\"VCAP_SERVICES=x\"]}").status())
        .isEqualTo(403);
    // quota: memory (1024 MB) and app count (3)
    assertThat(ann.post("/apps", "{\"name\":\"big\",\"state\":\"STARTED\",\"instances\":3,"
        + "\"resources\":{\"memory\":512}}").code()).isEqualTo(600);
    for (String name : new String[] {"q1", "q2", "q3"}) {
      assertThat(ann.post("/apps", "{\"name\":\"" + name + "\"}").status()).isEqualTo(302);
    }
    assertThat(ann.post("/apps", "{\"name\":\"q4\"}").code()).isEqualTo(601);
    ApiClient.Reply unknownRoute = ann.get("/nothing/here");
    assertThat(unknownRoute.status()).isEqualTo(404);
  }

  @Test
  void restartingTheControllerLosesNothing(NatsServer nats) throws Exception {
    ApiClient ann = anonymous.login("ann@example.com", "pw1");
    assertThat(ann.post("/apps", "{\"name\":\"keep\",\"env\":[\"A=1\"]}").status())
        .isEqualTo(302);
    controller.close();
    controller = RunningController.start(RunningController.config(nats.config(), data,
        database()));
    ApiClient again = ann.at(controller.apiPort());
    // the token issued before the restart still works: its key lives in the database
    assertThat(again.get("/apps/keep").json().path("env").get(0).asText()).isEqualTo("A=1");
    assertThat(controller.api().login("ann@example.com", "pw1").get("/apps").json()).hasSize(1);
  }
}
