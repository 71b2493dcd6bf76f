package io.updraft.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.updraft.client.api.AppArchive;
import io.updraft.client.api.CloudClient;
import io.updraft.client.api.CloudException;
import io.updraft.common.protocol.Json;
import io.updraft.common.testing.NatsServer;
import io.updraft.common.testing.NatsServerExtension;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data services end to end: a services node administering the machine's real PostgreSQL,
 * MariaDB and Redis (and a filesystem), the controller as gateway, and the java-db example app
 * reading and writing through the credentials in its VCAP_SERVICES.
 */
@ExtendWith(NatsServerExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServicesIT {

  private static final Duration BOOT = Duration.ofSeconds(120);
  private static final Duration RUN = Duration.ofSeconds(120);
  private static final String APP = "dbapp";
  private static final List<String> TYPES = List.of("postgresql", "mysql", "redis",
      "filesystem");

  @TempDir
  static Path dir;

  private static Cloud cloud;
  private static CloudClient api;
  private static ComponentProcess node;

  @BeforeAll
  static void startCloud(NatsServer nats) throws Exception {
    requireServer("PostgreSQL", 5432);
    requireServer("MariaDB", 3306);
    requireServer("Redis", 6379);
    cloud = new Cloud(nats, dir);
    cloud.controller();
    cloud.stager();
    // the machine's own servers listen on loopback only, which an app in a container cannot
    // reach: this test is about the services protocol, so its app runs as a host process
    // (DataServicesIT binds the node agent's servers from inside a container)
    cloud.dea("dea-s", 2048, Map.of("UPDRAFT__ISOLATION__MODE", "process"));
    cloud.router();
    node = cloud.servicesNode();
    cloud.awaitComponents(Map.of("CloudController", 1, "Stager", 1, "DEA", 1, "Router", 1,
        "ServicesNode", 1), BOOT);
    api = cloud.admin();
  }

  @AfterAll
  static void stopCloud() {
    if (cloud != null) {
      cloud.close();
    }
  }

  private static void requireServer(String what, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
    } catch (IOException e) {
      throw new IllegalStateException(what + " is not reachable on 127.0.0.1:" + port
          + "; run scripts/setup-deps");
    }
  }

  /** The java-db example as users push it: its jar, with the JDBC drivers in lib/. */
  private static Path dbApp() throws Exception {
    Path src = Cloud.example("java-db");
    Path out = dir.resolve("java-db-app");
    Path classes = dir.resolve("java-db-classes");
    Files.createDirectories(out.resolve("lib"));
    Files.copy(jarOf("org.postgresql.Driver"), out.resolve("lib/postgresql.jar"));
    Files.copy(jarOf("org.mariadb.jdbc.Driver"), out.resolve("lib/mariadb.jar"));
    Path manifest = dir.resolve("java-db-manifest.txt");
    Files.writeString(manifest, "Class-Path: lib/postgresql.jar lib/mariadb.jar\n");
    String javaHome = System.getProperty("java.home");
    run(javaHome + "/bin/javac", "--release", "17", "-d", classes.toString(),
        src.resolve("src/main/java/io/updraft/examples/db/DbServer.java").toString());
    run(javaHome + "/bin/jar", "--create", "--file", out.resolve("app.jar").toString(),
        "--manifest", manifest.toString(), "--main-class", "io.updraft.examples.db.DbServer",
        "-C", classes.toString(), ".");
    return out;
  }

  private static Path jarOf(String className) throws Exception {
    return Path.of(Class.forName(className).getProtectionDomain().getCodeSource().getLocation()
        .toURI());
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).inheritIO().start();
    assertThat(p.waitFor()).as(String.join(" ", command)).isZero();
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return cloud.viaRouter(APP + "." + Cloud.DOMAIN, path);
  }

  private static String state(String vendor) {
    JsonNode offerings = api.serviceOfferings();
    for (JsonNode category : offerings) {
      JsonNode versions = category.path(vendor);
      if (versions.isObject() && versions.elements().hasNext()) {
        return versions.elements().next().path("state").asText();
      }
    }
    return "missing";
  }

  private static Connection postgresAdmin() throws Exception {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres",
        "");
  }

  private static String one(Connection c, String sql) throws Exception {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  @Test
  @Order(1)
  void anAppBoundToEachServiceReadsAndWritesThroughVcapServices() throws Exception {
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(TYPES).allSatisfy(t -> assertThat(state(t)).isEqualTo("available")));
    for (String type : TYPES) {
      api.createService(type, "my-" + type, "free");
    }
    var spec = Json.mapper().createObjectNode().put("name", APP);
    spec.putArray("uris").add(APP + "." + Cloud.DOMAIN);
    spec.put("instances", 1);
    spec.putObject("resources").put("memory", 256);
    var services = spec.putArray("services");
    TYPES.forEach(t -> services.add("my-" + t));
    api.createApp(spec);
    assertThat(api.app(APP).path("services")).hasSize(4);
    api.upload(APP, AppArchive.scan(dbApp()), sent -> { });
    api.start(APP);
    assertThat(api.awaitRunning(APP, RUN)).as(APP + " running").isTrue();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(get("/").statusCode()).isEqualTo(200));
    assertThat(get("/").body()).contains("postgresql", "mysql", "redis", "filesystem");

    for (String type : TYPES) {
      HttpResponse<String> put = get("/svc/" + type + "/put?v=hello-" + type);
      assertThat(put.statusCode()).as(type + ": " + put.body()).isEqualTo(200);
      HttpResponse<String> read = get("/svc/" + type + "/get");
      assertThat(read.statusCode()).as(type + ": " + read.body()).isEqualTo(200);
      assertThat(read.body()).isEqualTo("hello-" + type);
    }
  }

  @Test
  @Order(2)
  void unbindingRevokesTheCredentialsAndRestartsTheApp() throws Exception {
    String whoami = get("/svc/postgresql/whoami").body();
    String user = whoami.substring(0, whoami.indexOf('@'));
    try (Connection admin = postgresAdmin()) {
      assertThat(one(admin, "SELECT count(*) FROM pg_roles WHERE rolname = '" + user + "'"))
          .isEqualTo("1");
    }
    api.unbindService("my-postgresql", APP);
    try (Connection admin = postgresAdmin()) {
      assertThat(one(admin, "SELECT count(*) FROM pg_roles WHERE rolname = '" + user + "'"))
          .as("the binding's role is dropped").isEqualTo("0");
    }
    // the restarted app no longer has it; the others still work
    await().atMost(RUN).untilAsserted(() -> {
      HttpResponse<String> gone = get("/svc/postgresql/get");
      assertThat(gone.statusCode()).isEqualTo(500);
      assertThat(gone.body()).contains("postgresql is not bound");
    });
    assertThat(get("/svc/mysql/get").body()).isEqualTo("hello-mysql");

    // bound again: new credentials, the data is still there
    api.bindService("my-postgresql", APP);
    await().atMost(RUN).untilAsserted(() ->
        assertThat(get("/svc/postgresql/get").body()).isEqualTo("hello-postgresql"));
    assertThat(get("/svc/postgresql/whoami").body()).doesNotStartWith(user + "@");
  }

  @Test
  @Order(3)
  void aStoppedNodeMakesItsTypesUnavailableAndARestartedOneKeepsEverything() throws Exception {
    node.kill();
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
        assertThat(state("postgresql")).isEqualTo("unavailable"));
    CloudException refused = org.assertj.core.api.Assertions.catchThrowableOfType(
        CloudException.class, () -> api.createService("postgresql", "late", "free"));
    assertThat(refused).isNotNull();
    assertThat(refused.getMessage()).contains("unavailable");

    node.restart();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(state("postgresql")).isEqualTo("available"));
    // the node still knows the instance and its binding: deleting needs force, then drops it
    String whoami = get("/svc/postgresql/whoami").body();
    String database = whoami.substring(whoami.indexOf('@') + 1);
    CloudException bound = org.assertj.core.api.Assertions.catchThrowableOfType(
        CloudException.class, () -> api.deleteService("my-postgresql", false));
    assertThat(bound).isNotNull();
    assertThat(bound.getMessage()).contains("bound to app " + APP);
    api.deleteService("my-postgresql", true);
    try (Connection admin = postgresAdmin()) {
      assertThat(one(admin, "SELECT count(*) FROM pg_database WHERE datname = '" + database
          + "'")).as("unprovision drops the database").isEqualTo("0");
    }
    assertThat(api.services()).extracting(s -> s.path("name").asText())
        .doesNotContain("my-postgresql").contains("my-mysql", "my-redis", "my-filesystem");
    await().atMost(RUN).untilAsserted(() ->
        assertThat(get("/svc/redis/get").body()).isEqualTo("hello-redis"));
  }

  @Test
  @Order(4)
  void deletingTheAppUnbindsAndItsServicesCanThenBeDeleted() throws Exception {
    api.deleteApp(APP);
    for (String type : List.of("mysql", "redis", "filesystem")) {
      api.deleteService("my-" + type, false);
    }
    assertThat(api.services()).isEmpty();
  }
}
