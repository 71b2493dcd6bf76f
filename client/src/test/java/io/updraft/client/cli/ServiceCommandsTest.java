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

/**
 * The service commands against a stand-in for the controller's v1 API: what they send, what
 * they print, and that errors are one line with a non-zero status.
 */
class ServiceCommandsTest {

  @TempDir
  Path config;

  private StubController controller;
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final List<String> bodies = new CopyOnWriteArrayList<>();
  private volatile String appServices = "[]";


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
    String path = ex.getRequestURI().toString();
    requests.add(method + " " + path);
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    bodies.add(body);
    if (method.equals("GET") && path.equals("/info/services")) {
      reply(ex, 200, "{\"database\":{\"postgresql\":{\"15\":{\"version\":\"15\",\"tiers\":"
          + "{\"free\":{}},\"state\":\"available\",\"description\":\"PostgreSQL database\"}},"
          + "\"mysql\":{\"unknown\":{\"version\":\"unknown\",\"tiers\":{},\"state\":"
          + "\"unavailable\",\"description\":\"MySQL/MariaDB database\"}}}}");
    } else if (method.equals("GET") && path.equals("/services")) {
      reply(ex, 200, "[{\"name\":\"blogdb\",\"vendor\":\"postgresql\",\"version\":\"15\","
          + "\"tier\":\"free\",\"state\":\"available\",\"bound_apps\":[\"blog\"]}]");
    } else if (method.equals("POST") && path.equals("/services")) {
      if (body.contains("\"mongodb\"")) {
        reply(ex, 404, "{\"code\":500,\"description\":\"Unknown service type 'mongodb'; "
            + "offered: postgresql, mysql, redis, filesystem\"}");
      } else {
        reply(ex, 200, "{\"name\":\"x\"}");
      }
    } else if (method.equals("DELETE") && path.startsWith("/services/blogdb")) {
      if (path.contains("force=true")) {
        reply(ex, 200, "{}");
      } else {
        reply(ex, 400, "{\"code\":100,\"description\":\"Service 'blogdb' is bound to app blog;"
            + " unbind it first, or delete it with force\"}");
      }
    } else if (method.equals("GET") && path.equals("/apps/blog")) {
      reply(ex, 200, "{\"name\":\"blog\",\"state\":\"STARTED\",\"services\":" + appServices
          + ",\"meta\":{\"version\":3}}");
    } else if (method.equals("PUT") && path.equals("/apps/blog")) {
      reply(ex, 200, "");
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
  void servicesListsOfferingsWithTheirStateAndYourServices() {
    Run run = updraft("services");
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out()).containsPattern("postgresql\\s+15\\s+free\\s+available")
        .containsPattern("mysql\\s+unknown\\s+-\\s+unavailable")
        .containsPattern("blogdb\\s+postgresql 15\\s+free\\s+available\\s+blog");
  }

  @Test
  void createServiceSendsTheV1ShapeAndNamesItWhenAsked() throws Exception {
    Run run = updraft("create-service", "postgresql", "blogdb", "--plan", "free");
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out()).contains("Created postgresql service 'blogdb'");
    JsonNode sent = Json.tree(bodies.get(bodies.size() - 1).getBytes(StandardCharsets.UTF_8));
    assertThat(sent.path("name").asText()).isEqualTo("blogdb");
    assertThat(sent.path("vendor").asText()).isEqualTo("postgresql");
    assertThat(sent.path("tier").asText()).isEqualTo("free");

    Run unnamed = updraft("create-service", "redis");
    assertThat(unnamed.status()).isZero();
    assertThat(unnamed.out()).containsPattern("Created redis service 'redis-[0-9a-f]{4}'");
  }

  @Test
  void errorsAreOneLineWithANonZeroStatus() {
    Run unknown = updraft("create-service", "mongodb", "m");
    assertThat(unknown.status()).isEqualTo(1);
    assertThat(unknown.err().strip()).startsWith("updraft: Unknown service type 'mongodb'")
        .doesNotContain("\n");

    Run bound = updraft("delete-service", "blogdb");
    assertThat(bound.status()).isEqualTo(1);
    assertThat(bound.err()).contains("bound to app blog").contains("force");

    Run forced = updraft("delete-service", "blogdb", "--force");
    assertThat(forced.status()).isZero();
    assertThat(requests).contains("DELETE /services/blogdb?force=true");

    Run notBound = updraft("unbind-service", "blogdb", "blog");
    assertThat(notBound.status()).isEqualTo(1);
    assertThat(notBound.err()).contains("blogdb is not bound to blog");
  }

  @Test
  void bindAndUnbindEditTheAppsServicesList() throws Exception {
    Run bind = updraft("bind-service", "blogdb", "blog");
    assertThat(bind.status()).as(bind.err()).isZero();
    assertThat(bind.out()).contains("Bound 'blogdb' to blog");
    assertThat(requests).contains("PUT /apps/blog");
    JsonNode put = Json.tree(bodies.get(bodies.size() - 1).getBytes(StandardCharsets.UTF_8));
    assertThat(put.path("services").get(0).asText()).isEqualTo("blogdb");
    assertThat(put.path("meta").path("version").asInt()).isEqualTo(3);

    appServices = "[\"blogdb\",\"cache\"]";
    Run again = updraft("bind-service", "blogdb", "blog");
    assertThat(again.status()).isEqualTo(1);
    assertThat(again.err()).contains("already bound");

    Run unbind = updraft("unbind-service", "blogdb", "blog");
    assertThat(unbind.status()).isZero();
    JsonNode after = Json.tree(bodies.get(bodies.size() - 1).getBytes(StandardCharsets.UTF_8));
    assertThat(after.path("services")).hasSize(1);
    assertThat(after.path("services").get(0).asText()).isEqualTo("cache");
  }
}
