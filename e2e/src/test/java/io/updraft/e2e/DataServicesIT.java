package io.updraft.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The micro cloud as the README starts it, on a fresh home and with no {@code kato config}:
 * PostgreSQL, MySQL, Redis and filesystem services are available from the first start (the
 * node agent runs the data servers from the OS packages' binaries, with generated admin
 * passwords); one service of each type is bound to the java-db example, which writes and
 * reads through each with the credentials in its VCAP_SERVICES, from inside its container
 * where the machine can run containers (as root with the stack; else as a process).
 */
class DataServicesIT {

  private static final List<String> TYPES = List.of("postgresql", "mysql", "redis",
      "filesystem");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;
  private MicroCloudRun micro;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();

  @AfterEach
  void tearDown() throws Exception {
    if (micro != null) {
      micro.close();
    }
  }

  private String updraft(String... args) throws Exception {
    return micro.updraft(args);
  }

  @Test
  void everyServiceTypeWorksFromInsideAnAppOnAFreshMicroCloud() throws Exception {
    micro = new MicroCloudRun(dir, "data-services").start(Duration.ofSeconds(240));
    String output = micro.output();
    for (String server : List.of("postgresql", "mysql", "redis")) {
      assertThat(output).as(server).containsPattern(server + ": +port \\d+");
    }
    micro.loginAsAdmin();
    // the services node announces each type once its server answers
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
        .untilAsserted(() -> assertThat(offeringStates()).containsOnlyKeys(TYPES)
            .allSatisfy((type, state) -> assertThat(state).as(type).isEqualTo("available")));
    for (String type : TYPES) {
      updraft("create-service", type, "my-" + type);
    }
    Path app = dbApp();
    updraft("push", "dbapp", "--path", app.toString(), "--memory", "256M", "--no-start");
    for (String type : TYPES) {
      updraft("bind-service", "my-" + type, "dbapp");
    }
    updraft("start", "dbapp");
    await().atMost(Duration.ofSeconds(120)).ignoreExceptions()
        .until(() -> get("/").statusCode() == 200);
    assertThat(get("/").body()).contains(TYPES);

    for (String type : TYPES) {
      HttpResponse<String> put = get("/svc/" + type + "/put?v=hello-" + type);
      assertThat(put.statusCode()).as(type + ": " + put.body()).isEqualTo(200);
      HttpResponse<String> read = get("/svc/" + type + "/get");
      assertThat(read.statusCode()).as(type + ": " + read.body()).isEqualTo(200);
      assertThat(read.body()).as(type).isEqualTo("hello-" + type);
    }

    // the credentials name an address containers reach, on the agent's servers, not the
    // machine's own (which trust loopback): the services node's records say so
    for (String type : List.of("postgresql", "mysql", "redis")) {
      JsonNode instances = JSON.readTree(dir.resolve("home/services/" + type
          + "/instances.json").toFile()).path("instances");
      assertThat(instances.size()).as(type).isEqualTo(1);
      JsonNode credentials = instances.elements().next().path("credentials");
      assertThat(credentials.path("host").asText()).as(type).doesNotStartWith("127.");
      assertThat(credentials.path("port").asInt()).as(type).isNotIn(5432, 3306, 6379);
    }
    if (containersHere()) {
      assertThat(dir.resolve("home/logs/dea.log")).content()
          .contains("dea.isolation backend=container");
    }
  }

  /** type → state of its offering, from {@code updraft services --json}. */
  private java.util.Map<String, String> offeringStates() throws Exception {
    JsonNode doc = JSON.readTree(updraft("services", "--json"));
    java.util.Map<String, String> states = new java.util.TreeMap<>();
    doc.path("offerings").fields().forEachRemaining(category -> category.getValue().fields()
        .forEachRemaining(vendor -> vendor.getValue().fields().forEachRemaining(v ->
            states.put(vendor.getKey(), v.getValue().path("state").asText("available")))));
    return states;
  }

  /** The java-db example as users push it: its jar, with the JDBC drivers in lib/. */
  private Path dbApp() throws Exception {
    Path src = Cloud.example("java-db");
    Path out = dir.resolve("java-db-app");
    Path classes = dir.resolve("java-db-classes");
    Files.createDirectories(out.resolve("lib"));
    Files.copy(jarOf("org.postgresql.Driver"), out.resolve("lib/postgresql.jar"));
    Files.copy(jarOf("org.mariadb.jdbc.Driver"), out.resolve("lib/mariadb.jar"));
    Path manifest = dir.resolve("java-db-manifest.txt");
    Files.writeString(manifest, "Class-Path: lib/postgresql.jar lib/mariadb.jar\n");
    String javaHome = System.getProperty("java.home");
    exec(javaHome + "/bin/javac", "--release", "17", "-d", classes.toString(),
        src.resolve("src/main/java/io/updraft/examples/db/DbServer.java").toString());
    exec(javaHome + "/bin/jar", "--create", "--file", out.resolve("app.jar").toString(),
        "--manifest", manifest.toString(), "--main-class", "io.updraft.examples.db.DbServer",
        "-C", classes.toString(), ".");
    return out;
  }

  private static Path jarOf(String className) throws Exception {
    return Path.of(Class.forName(className).getProtectionDomain().getCodeSource().getLocation()
        .toURI());
  }

  private static void exec(String... command) throws Exception {
    Process p = new ProcessBuilder(command).inheritIO().start();
    assertThat(p.waitFor()).as(String.join(" ", command)).isZero();
  }

  private HttpResponse<String> get(String path) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + micro.httpPort + path)).header("Host", "dbapp.localhost").timeout(Duration.ofSeconds(30)).build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException("GET " + path + ": " + e, e);
    }
  }

  private static boolean containersHere() {
    try {
      return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"))
          && Files.isExecutable(Path.of("/var/lib/updraft/stacks/bookworm/usr/bin/tini"));
    } catch (IOException e) {
      return false;
    }
  }
}
