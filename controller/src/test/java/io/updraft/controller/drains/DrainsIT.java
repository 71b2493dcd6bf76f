package io.updraft.controller.drains;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.logs.AppLogLine;
import io.updraft.common.protocol.logs.LogSource;
import io.updraft.common.testing.NatsServer;
import io.updraft.controller.ControllerConfig;
import io.updraft.controller.ControllerConfig.DrainsConfig;
import io.updraft.controller.RunningController;
import io.updraft.controller.api.ApiClient;
import io.updraft.controller.db.TestPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Log drains end to end on real parts: nats-server, PostgreSQL, controllers, and rsyslogd as
 * the syslog endpoint (skipped with a message where rsyslogd is not installed).
 */
class DrainsIT {

  private static final Duration WAIT = Duration.ofSeconds(30);
  /** Short waits and a small queue so an outage drops lines quickly. */
  private static final DrainsConfig FAST = new DrainsConfig(5, 100L, 400L, 300L, 2_000, 3, null);

  @TempDir
  Path dir;

  private NatsServer nats;
  private TestPostgres postgres;
  private final List<RunningController> controllers = new ArrayList<>();
  private final List<Rsyslog> receivers = new ArrayList<>();
  private Connection publisher;

  @BeforeEach
  void bus() throws Exception {
    nats = NatsServer.start();
    postgres = TestPostgres.create();
    publisher = Nats.connect(new Options.Builder().server(nats.url())
        .userInfo(NatsServer.USER, NatsServer.PASSWORD).build());
  }

  @AfterEach
  void stop() throws Exception {
    for (Rsyslog r : receivers) {
      r.close();
    }
    if (publisher != null) {
      publisher.close();
    }
    for (RunningController c : controllers) {
      c.close();
    }
    if (nats != null) {
      nats.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  private ApiClient controller(String name, DrainsConfig drains) throws Exception {
    ControllerConfig config = RunningController.config(nats.config(), dir.resolve(name),
        postgres.config()).withDrains(drains);
    RunningController c = RunningController.start(config);
    controllers.add(c);
    return c.api();
  }

  private static String createApp(ApiClient user, String name) throws Exception {
    ApiClient.Reply created = user.post("/apps", "{\"name\":\"" + name + "\",\"staging\":"
        + "{\"model\":\"node\",\"stack\":\"node\"},\"uris\":[],\"instances\":1,"
        + "\"resources\":{\"memory\":64}}");
    assertThat(created.status()).isEqualTo(302);
    return user.get("/apps/" + name).json().path("id").asText();
  }

  private void publish(String appId, Integer index, LogSource source, String line) {
    publisher.publish(Subjects.appLogs(appId), new AppLogLine(appId, "inst", index, source,
        line, 1_764_032_523_456L).toJson());
  }

  private static ApiClient.Reply addDrain(ApiClient user, String app, String name, String url)
      throws Exception {
    return user.post("/updraft/apps/" + app + "/drains", "{\"name\":\"" + name
        + "\",\"url\":\"" + url + "\"}");
  }

  private static JsonNode drain(ApiClient user, String app, String name) throws Exception {
    for (JsonNode d : user.get("/updraft/apps/" + app + "/drains").json()) {
      if (d.path("name").asText().equals(name)) {
        return d;
      }
    }
    throw new AssertionError("no drain " + name);
  }

  @Test
  void apiChecksUrlsNamesAndOwnership() throws Exception {
    ApiClient anon = controller("cc", FAST);
    ApiClient ann = anon.login("ann@example.com", "pw1");
    ApiClient bob = anon.login("bob@example.com", "pw2");
    createApp(ann, "blog");

    ApiClient.Reply http = addDrain(ann, "blog", "web", "http://logs.example.com:514");
    assertThat(http.status()).isEqualTo(400);
    assertThat(http.json().path("description").asText()).contains("unsupported drain scheme")
        .contains("syslog://HOST:PORT");
    assertThat(addDrain(ann, "blog", "noport", "syslog://logs.example.com").json()
        .path("description").asText()).contains("needs a port");
    assertThat(addDrain(ann, "blog", "secret", "syslog://user:pw@logs.example.com:514")
        .status()).isEqualTo(400);
    assertThat(addDrain(ann, "blog", "bad name!", "syslog://logs.example.com:514").status())
        .isEqualTo(400);
    assertThat(ann.post("/updraft/apps/blog/drains", "not json").status()).isEqualTo(400);

    ApiClient.Reply added = addDrain(ann, "blog", "papertrail",
        "syslog-tls://logs5.papertrailapp.com:12345");
    assertThat(added.status()).isEqualTo(201);
    assertThat(added.json().path("url").asText())
        .isEqualTo("syslog-tls://logs5.papertrailapp.com:12345");
    assertThat(added.json().path("dropped").asLong()).isZero();
    assertThat(addDrain(ann, "blog", "papertrail", "syslog://other.example.com:514").status())
        .isEqualTo(409);

    // another user's app does not exist for them; no token is refused
    assertThat(bob.get("/updraft/apps/blog/drains").status()).isEqualTo(404);
    assertThat(addDrain(bob, "blog", "mine", "syslog://x.example.com:514").status())
        .isEqualTo(404);
    assertThat(bob.delete("/updraft/apps/blog/drains/papertrail").status()).isEqualTo(404);
    assertThat(anon.get("/updraft/apps/blog/drains").status()).isEqualTo(403);

    JsonNode list = ann.get("/updraft/apps/blog/drains").json();
    assertThat(list).hasSize(1);
    assertThat(list.get(0).path("name").asText()).isEqualTo("papertrail");

    // at most max_per_app (3) drains
    assertThat(addDrain(ann, "blog", "two", "syslog://a.example.com:514").status())
        .isEqualTo(201);
    assertThat(addDrain(ann, "blog", "three", "syslog://b.example.com:514").status())
        .isEqualTo(201);
    assertThat(addDrain(ann, "blog", "four", "syslog://c.example.com:514").status())
        .isEqualTo(403);

    assertThat(ann.delete("/updraft/apps/blog/drains/papertrail").status()).isEqualTo(204);
    ApiClient.Reply again = ann.delete("/updraft/apps/blog/drains/papertrail");
    assertThat(again.status()).isEqualTo(404);
    assertThat(again.json().path("description").asText()).contains("no drain named papertrail");
    // deleting the app deletes its drains
    assertThat(ann.delete("/apps/blog").status()).isEqualTo(200);
    createApp(ann, "blog");
    assertThat(ann.get("/updraft/apps/blog/drains").json()).isEmpty();
  }

  @Test
  void linesReachRsyslogOnceAcrossControllersAndSurviveItsRestart() throws Exception {
    assumeTrue(Rsyslog.available(), "rsyslogd is not installed (scripts/setup-deps installs "
        + "rsyslog); skipping the syslog receiver test");
    int port = NatsServer.freePort();
    Rsyslog syslog = new Rsyslog(dir.resolve("rsyslog"), port, null).start();
    receivers.add(syslog);
    // two controllers: each line must reach the endpoint once
    ApiClient anon = controller("cc1", FAST);
    controller("cc2", FAST);
    ApiClient ann = anon.login("ann@example.com", "pw1");
    String appId = createApp(ann, "blog");
    assertThat(addDrain(ann, "blog", "local", "syslog://127.0.0.1:" + port).status())
        .isEqualTo(201);
    // both controllers know the drain (the other one rereads the table every 300 ms)
    await().atMost(WAIT).until(() -> controllers.stream().allMatch(c -> connected(ann, c,
        "blog", "local")));

    for (int i = 0; i < 10; i++) {
      publish(appId, 0, LogSource.STDOUT, "GET /" + i + " 200");
    }
    publish(appId, 1, LogSource.STDERR, "Traceback: oops");
    publish(appId, null, LogSource.STAGING, "Installing dependencies");
    await().atMost(WAIT).until(() -> syslog.rawText().contains("oops")
        && syslog.rawText().contains("Installing") && syslog.rawText().contains("GET /9 "));
    String raw = syslog.rawText();
    assertThat(raw).contains("<14>1 2025-11-25T01:02:03.456Z updraft.test blog 0 stdout - "
        + "GET /0 200\n")
        .contains("<11>1 2025-11-25T01:02:03.456Z updraft.test blog 1 stderr - Traceback: oops\n")
        .contains("<14>1 2025-11-25T01:02:03.456Z updraft.test blog - staging - Installing "
            + "dependencies\n");
    for (int i = 0; i < 10; i++) {
      assertThat(count(raw, "GET /" + i + " 200")).as("line %d forwarded once", i).isOne();
    }
    // rsyslog parsed each field as RFC 5424
    await().atMost(WAIT).until(() -> syslog.parsedText().contains("oops"));
    assertThat(syslog.parsedText()).contains("updraft.test|blog|0|stdout|GET /0 200\n")
        .contains("updraft.test|blog|1|stderr|Traceback: oops\n");

    // the endpoint dies: lines queue (5 per drain and controller), older ones are dropped
    syslog.kill();
    await().atMost(WAIT).until(() -> controllers.stream().noneMatch(c -> connected(ann, c,
        "blog", "local")));
    for (int i = 0; i < 60; i++) {
      publish(appId, 0, LogSource.STDOUT, String.format("while-down-%02d.", i));
    }
    // 60 lines over two controllers with 5 places each: 50 dropped in all, counted in the DB
    await().atMost(WAIT).untilAsserted(() -> assertThat(drain(ann, "blog", "local")
        .path("dropped").asLong()).isEqualTo(50));
    assertThat(meterSum("updraft.drains.lines.dropped")).isEqualTo(50.0);
    assertThat(meterSum("updraft.drains.lines.sent")).isGreaterThanOrEqualTo(12.0);

    syslog.start();
    await().atMost(WAIT).until(() -> count(syslog.rawText(), "while-down-") == 10);
    assertThat(syslog.rawText()).contains("while-down-59.").doesNotContain("while-down-00.");
    publish(appId, 0, LogSource.STDOUT, "after the restart");
    await().atMost(WAIT).until(() -> syslog.rawText().contains("after the restart"));
    assertThat(count(syslog.rawText(), "after the restart")).isOne();
    assertThat(drain(ann, "blog", "local").path("dropped").asLong()).isEqualTo(50);
  }

  @Test
  void tlsDrainTrustsTheConfiguredCa() throws Exception {
    assumeTrue(Rsyslog.tlsAvailable(), "rsyslogd or its GnuTLS driver is not installed "
        + "(scripts/setup-deps installs rsyslog and rsyslog-gnutls); skipping the TLS test");
    Path certs = Rsyslog.certificates(dir.resolve("certs"));
    int port = NatsServer.freePort();
    Rsyslog syslog = new Rsyslog(dir.resolve("rsyslog-tls"), port, certs).start();
    receivers.add(syslog);
    ApiClient anon = controller("cc", new DrainsConfig(100, 100L, 400L, 300L, 2_000, 3,
        certs.resolve("ca.pem").toString()));
    ApiClient ann = anon.login("ann@example.com", "pw1");
    String appId = createApp(ann, "shop");
    assertThat(addDrain(ann, "shop", "tls", "syslog-tls://localhost:" + port).status())
        .isEqualTo(201);
    await().atMost(WAIT).until(() -> connected(ann, controllers.get(0), "shop", "tls"));
    publish(appId, 2, LogSource.STDOUT, "paid order 17 — ok");
    await().atMost(WAIT).until(() -> syslog.parsedText().contains("order 17"));
    assertThat(syslog.parsedText()).contains("updraft.test|shop|2|stdout|paid order 17 — ok\n");
  }

  /** A counter added up over the controllers. */
  private double meterSum(String name) {
    return controllers.stream().mapToDouble(c -> c.metrics().get(name).counter().count()).sum();
  }

  /** Whether that controller is connected to the drain's endpoint (its own view). */
  private static boolean connected(ApiClient user, RunningController c, String app,
      String name) {
    try {
      return drain(user.at(c.apiPort()), app, name).path("connected").asBoolean();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static int count(String text, String needle) {
    return text.split(Pattern.quote(needle), -1).length - 1;
  }
}
