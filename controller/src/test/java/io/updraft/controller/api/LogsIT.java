package io.updraft.controller.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.logs.AppLogLine;
import io.updraft.common.protocol.logs.LogSource;
import io.updraft.common.testing.NatsServer;
import io.updraft.controller.RunningController;
import io.updraft.controller.db.DatabaseConfig;
import io.updraft.controller.logs.AppLogs;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /updraft/apps/:name/logs}: a fake DEA publishes {@code logs.<app_id>} lines on a
 * real nats-server (with and without JetStream); the API streams them to an HTTP client.
 */
class LogsIT {

  @TempDir
  Path data;

  private NatsServer nats;
  private RunningController controller;
  private Connection publisher;

  @AfterEach
  void stop() throws Exception {
    if (publisher != null) {
      publisher.close();
    }
    if (controller != null) {
      controller.close();
    }
    if (nats != null) {
      nats.close();
    }
  }

  private ApiClient start(NatsServer server) throws Exception {
    nats = server;
    controller = RunningController.start(RunningController.config(nats.config(), data,
        DatabaseConfig.defaults()));
    publisher = Nats.connect(new Options.Builder().server(nats.url())
        .userInfo(NatsServer.USER, NatsServer.PASSWORD).build());
    return controller.api();
  }

  private static String createApp(ApiClient user, String name) throws Exception {
    ApiClient.Reply created = user.post("/apps", "{\"name\":\"" + name + "\",\"staging\":"
        + "{\"model\":\"node\",\"stack\":\"node\"},\"uris\":[],\"instances\":1,"
        + "\"resources\":{\"memory\":64}}");
    assertThat(created.status()).isEqualTo(302);
    return user.get("/apps/" + name).json().path("id").asText();
  }

  private void publish(String appId, int index, LogSource source, String line) {
    publisher.publish(Subjects.appLogs(appId), new AppLogLine(appId, "inst-" + index, index,
        source, line, 1_764_032_520_000L).toJson());
  }

  /** A raw HTTP/1.1 follow whose socket the test closes (a client that goes away). */
  private static final class Follow implements AutoCloseable {
    final List<String> lines = new CopyOnWriteArrayList<>();
    final Socket socket;
    volatile String history;

    Follow(int port, String token, String query) throws Exception {
      socket = new Socket("127.0.0.1", port);
      OutputStream out = socket.getOutputStream();
      out.write(("GET /updraft/apps/blog/logs?" + query + " HTTP/1.1\r\nHost: api\r\n"
          + "AUTHORIZATION: " + token + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
          StandardCharsets.UTF_8));
      Thread reader = new Thread(() -> {
        try {
          for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.toLowerCase().startsWith("x-updraft-log-history:")) {
              history = line.substring(line.indexOf(':') + 1).trim();
            } else if (line.contains("] ")) { // a log line, not a header or chunk size
              lines.add(line);
            }
          }
        } catch (Exception e) {
          // closed by the test
        }
      }, "follow-reader");
      reader.setDaemon(true);
      reader.start();
    }

    @Override
    public void close() throws Exception {
      socket.close();
    }
  }

  @Test
  void recentLinesFromJetStreamThenLiveOnesOwnerOnlyAndTheConsumerGoesAway() throws Exception {
    ApiClient anon = start(NatsServer.startWithJetStream());
    ApiClient ann = anon.login("ann@example.com", "pw1");
    ApiClient bob = anon.login("bob@example.com", "pw2");
    String id = createApp(ann, "blog");
    for (int i = 1; i <= 5; i++) {
      publish(id, 0, LogSource.STDOUT, "line " + i);
    }
    publish(id, 1, LogSource.STDERR, "oops");
    JetStreamManagement jsm = publisher.jetStreamManagement();
    await().atMost(Duration.ofSeconds(10)).until(() -> jsm.getStreamInfo(AppLogs.STREAM)
        .getStreamState().getMsgCount() == 6);

    ApiClient.Reply recent = ann.get("/updraft/apps/blog/logs?tail=3");
    assertThat(recent.status()).isEqualTo(200);
    assertThat(recent.raw().headers().firstValue("X-Updraft-Log-History")).hasValue("jetstream");
    assertThat(recent.text().lines().toList()).containsExactly(
        "2025-11-25T01:02:00Z [stdout/0] line 4",
        "2025-11-25T01:02:00Z [stdout/0] line 5",
        "2025-11-25T01:02:00Z [stderr/1] oops");
    ApiClient.Reply json = ann.get("/updraft/apps/blog/logs?tail=1&format=ndjson");
    assertThat(AppLogLine.fromJson(json.text().strip().getBytes(StandardCharsets.UTF_8)).line())
        .isEqualTo("oops");
    assertThat(bob.get("/updraft/apps/blog/logs").status()).isEqualTo(404);
    assertThat(anon.get("/updraft/apps/blog/logs").status()).isEqualTo(403);

    try (Follow follow = new Follow(controller.apiPort(), ann.token(), "follow=true&tail=2")) {
      await().atMost(Duration.ofSeconds(10)).until(() -> follow.lines.size() == 2);
      publish(id, 0, LogSource.STDOUT, "live 1");
      publish(id, 0, LogSource.STDERR, "live 2");
      await().atMost(Duration.ofSeconds(10)).until(() -> follow.lines.size() == 4);
      assertThat(follow.lines).containsExactly(
          "2025-11-25T01:02:00Z [stdout/0] line 5",
          "2025-11-25T01:02:00Z [stderr/1] oops",
          "2025-11-25T01:02:00Z [stdout/0] live 1",
          "2025-11-25T01:02:00Z [stderr/0] live 2");
      assertThat(follow.history).isEqualTo("jetstream");
      assertThat(controller.openLogFeeds()).isEqualTo(1);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> controller.openLogFeeds() == 0);
    // the server drops the ephemeral consumer once nobody listens
    await().atMost(Duration.ofSeconds(30)).until(() -> jsm.getStreamInfo(AppLogs.STREAM)
        .getStreamState().getConsumerCount() == 0);
  }

  @Test
  void withoutJetStreamLinesAreLiveOnly() throws Exception {
    ApiClient anon = start(NatsServer.start());
    ApiClient ann = anon.login("ann@example.com", "pw1");
    String id = createApp(ann, "blog");
    publish(id, 0, LogSource.STDOUT, "before anyone listens");

    ApiClient.Reply recent = ann.get("/updraft/apps/blog/logs");
    assertThat(recent.status()).isEqualTo(200);
    assertThat(recent.text()).isEmpty();
    assertThat(recent.raw().headers().firstValue("X-Updraft-Log-History")).hasValue("none");

    try (Follow follow = new Follow(controller.apiPort(), ann.token(), "follow=1")) {
      await().atMost(Duration.ofSeconds(10)).until(() -> controller.openLogFeeds() == 1);
      publish(id, 2, LogSource.STDOUT, "now");
      await().atMost(Duration.ofSeconds(10)).until(() -> follow.lines.size() == 1);
      assertThat(follow.lines).containsExactly("2025-11-25T01:02:00Z [stdout/2] now");
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> controller.openLogFeeds() == 0);
  }
}
