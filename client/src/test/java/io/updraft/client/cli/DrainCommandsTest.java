package io.updraft.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import io.updraft.client.cli.StubController.Run;
import io.updraft.common.protocol.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code updraft drain} against a stand-in for the controller: requests, output, errors. */
class DrainCommandsTest {

  @TempDir
  Path config;

  private StubController controller;
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final List<String> bodies = new CopyOnWriteArrayList<>();


  @BeforeEach
  void start() throws IOException {
    controller = new StubController(config, this::handle);
  }

  @AfterEach
  void stop() {
    controller.close();
  }

  private void handle(HttpExchange ex) throws IOException {
    String method = ex.getRequestMethod();
    String path = ex.getRequestURI().getRawPath();
    requests.add(method + " " + path);
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    bodies.add(body);
    if (method.equals("GET") && path.equals("/updraft/apps/blog/drains")) {
      reply(ex, 200, "[{\"name\":\"papertrail\",\"url\":\"syslog-tls://logs5.papertrailapp.com"
          + ":12345\",\"created\":1764032523,\"dropped\":17,\"connected\":false}]");
    } else if (method.equals("POST") && path.equals("/updraft/apps/blog/drains")) {
      if (body.contains("http://")) {
        reply(ex, 400, "{\"code\":100,\"description\":\"unsupported drain scheme 'http': "
            + "expected syslog://HOST:PORT or syslog-tls://HOST:PORT\"}");
      } else {
        reply(ex, 201, "{\"name\":\"pt\",\"url\":\"syslog://logs.example.com:514\","
            + "\"dropped\":0}");
      }
    } else if (method.equals("DELETE") && path.equals("/updraft/apps/blog/drains/pt")) {
      reply(ex, 204, "");
    } else if (method.equals("DELETE")) {
      reply(ex, 404, "{\"code\":100,\"description\":\"the app has no drain named x\"}");
    } else {
      reply(ex, 404, "");
    }
  }

  private static void reply(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
    if (b.length > 0) {
      ex.getResponseBody().write(b);
    }
    ex.close();
  }

  private Run updraft(String... args) {
    return controller.updraft(args);
  }

  @Test
  void addSendsNameAndUrl() throws Exception {
    Run run = updraft("drain", "add", "pt", "syslog://logs.example.com:514", "--app", "blog");
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out()).contains("Added drain pt (syslog://logs.example.com:514) to blog");
    assertThat(requests).contains("POST /updraft/apps/blog/drains");
    JsonNode sent = Json.tree(bodies.get(bodies.size() - 1).getBytes(StandardCharsets.UTF_8));
    assertThat(sent.path("name").asText()).isEqualTo("pt");
    assertThat(sent.path("url").asText()).isEqualTo("syslog://logs.example.com:514");
  }

  @Test
  void listShowsDroppedLines() {
    Run run = updraft("drain", "list", "-a", "blog");
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out()).containsPattern(
        "papertrail\\s+syslog-tls://logs5.papertrailapp.com:12345\\s+17");
    Run json = updraft("drain", "list", "--app", "blog", "--json");
    assertThat(json.out()).contains("\"dropped\" : 17");
  }

  @Test
  void deleteAndErrorsAreOneLine() {
    assertThat(updraft("drain", "delete", "pt", "--app", "blog").status()).isZero();
    assertThat(requests).contains("DELETE /updraft/apps/blog/drains/pt");
    Run missing = updraft("drain", "delete", "x", "--app", "blog");
    assertThat(missing.status()).isEqualTo(1);
    assertThat(missing.err().strip()).isEqualTo("updraft: the app has no drain named x");
    Run bad = updraft("drain", "add", "web", "http://x:1", "--app", "blog");
    assertThat(bad.status()).isEqualTo(1);
    assertThat(bad.err()).contains("unsupported drain scheme 'http'");
    Run noApp = updraft("drain", "add", "web", "syslog://x:1");
    assertThat(noApp.status()).isEqualTo(2);
    assertThat(noApp.err()).contains("--app");
    assertThat(updraft("drain").status()).isEqualTo(2);
  }
}
