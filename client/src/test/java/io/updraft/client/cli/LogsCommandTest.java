package io.updraft.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import io.updraft.client.cli.StubController.Run;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code updraft logs} against a stand-in for the controller's log stream and files API. */
class LogsCommandTest {

  private static final String STREAM = String.join("\n",
      "{\"app\":\"7\",\"instance\":\"t1\",\"source\":\"staging\",\"line\":\"Detected node\","
          + "\"ts\":1764032520000}",
      "",
      "{\"app\":\"7\",\"instance\":\"i0\",\"index\":0,\"source\":\"stdout\",\"line\":\"hello\","
          + "\"ts\":1764032521000}",
      "{\"app\":\"7\",\"instance\":\"i1\",\"index\":1,\"source\":\"stderr\",\"line\":\"oops\","
          + "\"ts\":1764032522500}") + "\n";

  @TempDir
  Path config;

  private StubController controller;
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private volatile boolean streams = true;


  @BeforeEach
  void start() throws IOException {
    controller = new StubController(config, this::handle);
  }

  @AfterEach
  void stop() {
    controller.close();
  }

  private void handle(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().toString();
    requests.add(path);
    if (path.startsWith("/updraft/apps/blog/logs") && streams) {
      ex.getResponseHeaders().add("Content-Type", "application/x-ndjson");
      ex.getResponseHeaders().add("X-Updraft-Log-History", "jetstream");
      ex.sendResponseHeaders(200, 0); // chunked
      try (OutputStream out = ex.getResponseBody()) {
        out.write(STREAM.getBytes(StandardCharsets.UTF_8));
      }
    } else if (path.startsWith("/updraft/apps/gone/logs")) {
      reply(ex, 404, "{\"code\":301,\"description\":\"Application not found\"}");
    } else if (path.startsWith("/apps/blog/instances/0/files/%2Flogs%2Fstdout.log")) {
      reply(ex, 200, "from the file\n");
    } else {
      reply(ex, 404, "Not Found");
    }
  }

  private static void reply(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, b.length);
    ex.getResponseBody().write(b);
    ex.close();
  }

  private Run updraft(String... args) {
    return controller.updraft(args);
  }

  @Test
  void followPrintsEachLineWithTimeSourceAndInstance() {
    Run run = updraft("logs", "blog", "--follow");
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(requests).containsExactly(
        "/updraft/apps/blog/logs?format=ndjson&tail=100&follow=true");
    assertThat(run.out().lines().toList()).containsExactly(
        "2025-11-25T01:02:00Z [staging] Detected node",
        "2025-11-25T01:02:01Z [stdout/0] hello",
        "2025-11-25T01:02:02.500Z [stderr/1] oops");
  }

  @Test
  void tailAloneShowsRecentLinesAndInstanceFilters() {
    Run run = updraft("logs", "blog", "--tail", "20", "--instance", "1");
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(requests).containsExactly("/updraft/apps/blog/logs?format=ndjson&tail=20");
    // staging lines belong to no instance: they stay
    assertThat(run.out().lines().toList()).containsExactly(
        "2025-11-25T01:02:00Z [staging] Detected node",
        "2025-11-25T01:02:02.500Z [stderr/1] oops");
  }

  @Test
  void jsonPrintsTheLinesAsTheyCame() {
    Run run = updraft("logs", "blog", "-n", "5", "--json");
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out().lines().toList()).hasSize(3).allMatch(l -> l.startsWith("{\"app\":\"7\""));
  }

  @Test
  void anUnknownAppIsAnErrorWithANonZeroStatus() {
    Run run = updraft("logs", "gone", "--follow");
    assertThat(run.status()).isEqualTo(1);
    assertThat(run.err().strip()).isEqualTo("updraft: Application not found");
  }

  @Test
  void withoutFlagsTheInstanceFilesArePrinted() {
    Run run = updraft("logs", "blog");
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out()).contains("==> logs/stdout.log <==").contains("from the file");
    assertThat(requests).noneMatch(r -> r.startsWith("/updraft/"));
  }

  @Test
  void aCloudWithoutLogStreamsIsAClearErrorForTail() {
    streams = false;
    Run run = updraft("logs", "blog", "--tail", "5");
    assertThat(run.status()).isEqualTo(1);
    assertThat(run.err()).startsWith("updraft: HTTP 404");
  }
}
