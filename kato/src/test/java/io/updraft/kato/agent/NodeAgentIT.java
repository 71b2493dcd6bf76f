package io.updraft.kato.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.updraft.common.testing.NatsServer;
import io.updraft.kato.KatoMain;
import io.updraft.kato.node.NodeConfig;
import io.updraft.kato.roles.Roles;
import io.updraft.kato.supervisor.Backoff;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Node agents in this JVM (real Hazelcast on loopback, real processes) driven through the
 * {@code kato} command line, as an operator does.
 */
class NodeAgentIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Roles ROLES = Roles.load(Path.of("src/test/resources/test-roles.yml"));
  private static final NodeAgent.Options FAST = new NodeAgent.Options(
      new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofMinutes(1)),
      Duration.ofMillis(300), Duration.ofSeconds(5), Duration.ofMillis(500),
      Duration.ofSeconds(3));

  @TempDir
  Path coreHome;

  @TempDir
  Path deaHome;

  private final int hazelcastPort = NatsServer.freePort();
  private final List<NodeAgent> agents = new ArrayList<>();
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void setUp() throws Exception {
    new NodeConfig(null, null, "core-1", "127.0.0.1", List.of("core"), true, null,
        "api.127.0.0.1.xip.io", NatsServer.freePort(), hazelcastPort, NatsServer.freePort(), null,
        null).write(coreHome.resolve("node.yml"));
    start(coreHome);
  }

  @AfterEach
  void tearDown() {
    agents.forEach(NodeAgent::close);
  }

  private NodeAgent start(Path home) throws Exception {
    NodeAgent agent = new NodeAgent(home, ROLES, FAST);
    agents.add(agent);
    agent.start();
    return agent;
  }

  private int kato(Path home, String... args) {
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--home");
    all.add(home.toString());
    CommandLine cli = KatoMain.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(all.toArray(String[]::new));
  }

  private JsonNode status(Path home) throws Exception {
    assertThat(kato(home, "status", "--json")).isZero();
    return JSON.readTree(out.toString());
  }

  private NodeAgent attachDeaNode() throws Exception {
    new NodeConfig(null, null, "dea-1", "127.0.0.1", List.of(), false,
        "127.0.0.1:" + hazelcastPort, null, NatsServer.freePort(), null, null, null, null)
        .write(deaHome.resolve("node.yml"));
    NodeAgent dea = start(deaHome);
    await().atMost(Duration.ofSeconds(30)).until(dea::joined);
    return dea;
  }

  @Test
  void theApiNeedsTheToken() throws Exception {
    int port = NodeConfig.readNode(coreHome.resolve("node.yml")).agentPort();
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> none = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + "/v1/info")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(none.body()).path("error").asText()).startsWith("unauthorized");
    HttpResponse<String> bad = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + "/v1/config/dea"))
        .header("Authorization", "Bearer not-the-token").build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(bad.statusCode()).isEqualTo(401);
    assertThat(bad.body()).doesNotContain(AgentToken.read(coreHome.resolve("agent.token")));
    // only the container health check is open, and it tells nothing
    HttpResponse<String> health = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + "/healthz")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).isEqualTo("ok");
    assertThat(Files.getPosixFilePermissions(coreHome.resolve("agent.token")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(kato(coreHome, "info")).isZero();
    assertThat(out.toString()).contains("hostname:      core-1", "(this node)");
  }

  @Test
  void configRoundTripsAndSurvivesARestartOfTheCore() throws Exception {
    assertThat(kato(coreHome, "config", "--json", "health_manager", "enable_autoscaling",
        "true")).isZero();
    assertThat(out.toString()).contains("takes effect at the next 'kato restart "
        + "health_manager'");
    assertThat(kato(coreHome, "config", "--json", "cloud_controller",
        "primary_scaling_platform", "\"openstack\"")).isZero();
    assertThat(kato(coreHome, "config", "set", "health_manager", "crash.backoff_max_ms",
        "20000")).isZero();
    assertThat(kato(coreHome, "config", "set", "health_manager", "log_level", "DEBUG")).isZero();
    assertThat(out.toString()).contains("applied live");
    assertThat(kato(coreHome, "config", "get", "--json", "health_manager")).isZero();
    assertThat(JSON.readTree(out.toString())).isEqualTo(JSON.readTree(
        "{\"enable_autoscaling\":true,\"crash\":{\"backoff_max_ms\":\"20000\"},"
            + "\"log_level\":\"DEBUG\"}"));
    assertThat(kato(coreHome, "config", "del", "health_manager", "crash.backoff_max_ms"))
        .isZero();
    assertThat(kato(coreHome, "config", "health_manager", "crash")).isEqualTo(1);
    assertThat(err.toString()).contains("health_manager has no key crash");
    assertThat(kato(coreHome, "config", "get", "nosuch")).isEqualTo(1);
    assertThat(err.toString()).contains("unknown component 'nosuch'");
    assertThat(kato(coreHome, "config", "push", "dea", "allowed", "a")).isZero();
    assertThat(kato(coreHome, "config", "push", "--json", "dea", "allowed", "[1]")).isZero();
    assertThat(kato(coreHome, "config", "pop", "dea", "allowed", "a")).isZero();
    assertThat(kato(coreHome, "config", "get", "--json", "dea", "allowed")).isZero();
    assertThat(JSON.readTree(out.toString())).isEqualTo(JSON.readTree("[[1]]"));
    assertThat(kato(coreHome, "config", "pop", "dea", "allowed", "zzz")).isEqualTo(1);
    assertThat(err.toString()).contains("dea has no such value in allowed");
    assertThat(kato(coreHome, "config", "get", "cluster", "nats.password")).isZero();
    assertThat(out.toString().trim()).isEqualTo("***");

    // the whole cluster stops: the core's member goes away, then comes back on the same dir
    agents.remove(0).close();
    Path stored = coreHome.resolve("cluster/updraft.config/health_manager.json");
    assertThat(Files.getPosixFilePermissions(stored))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    start(coreHome);
    assertThat(kato(coreHome, "config", "get", "health_manager", "enable_autoscaling")).isZero();
    assertThat(out.toString().trim()).isEqualTo("true");
    assertThat(kato(coreHome, "config", "get", "cloud_controller",
        "primary_scaling_platform")).isZero();
    assertThat(out.toString().trim()).isEqualTo("openstack");
    assertThat(kato(coreHome, "config", "get", "--json", "health_manager", "crash"))
        .isEqualTo(1);
  }

  @Test
  void aSecondNodeAttachesAndTheClusterSeesBoth() throws Exception {
    NodeAgent dea = attachDeaNode();
    assertThat(kato(deaHome, "enable", "dea")).isZero();
    assertThat(out.toString()).contains("roles enabled on this node: dea");
    assertThat(kato(deaHome, "role", "list")).isZero();
    assertThat(out.toString()).containsPattern("dea\\s+yes").containsPattern("core\\s+-\\s+")
        .contains("max 1 per cluster");
    assertThat(kato(coreHome, "node", "list")).isZero();
    String list = out.toString();
    assertThat(list).contains("core-1", "dea-1").containsPattern("dea-1\\s+127\\.0\\.0\\.1\\s+up\\s+dea");
    // every node's record is refreshed by its own agent's heartbeat
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(kato(deaHome, "status", "--all")).isZero();
      assertThat(out.toString()).contains("core-1 (127.0.0.1)", "dea-1 (127.0.0.1)")
          .containsPattern("sleeper\\s+RUNNING");
    });

    // a role with a per-cluster maximum of one
    assertThat(kato(coreHome, "enable", "solo")).isZero();
    assertThat(kato(deaHome, "role", "add", "solo")).isEqualTo(1);
    assertThat(err.toString()).contains("role solo: at most 1 per cluster");
    assertThat(kato(deaHome, "enable", "core")).isEqualTo(1);
    assertThat(err.toString()).contains("the core role comes with 'kato setup core'");
    assertThat(kato(deaHome, "enable", "mongodb")).isEqualTo(1);
    assertThat(err.toString()).contains("unknown role 'mongodb'");

    // config set on the DEA node lands in the core's map
    assertThat(kato(deaHome, "config", "set", "dea", "max_memory", "4096")).isZero();
    assertThat(kato(coreHome, "config", "get", "dea", "max_memory")).isZero();
    assertThat(out.toString().trim()).isEqualTo("4096");

    // a node that is up cannot be removed; once its agent is gone it can
    String deaId = NodeConfig.readNode(deaHome.resolve("node.yml")).nodeId();
    assertThat(kato(coreHome, "node", "remove", "dea-1")).isEqualTo(1);
    assertThat(err.toString()).contains("is up");
    agents.remove(dea);
    dea.close();
    assertThat(kato(coreHome, "node", "list")).isZero();
    assertThat(out.toString()).containsPattern(deaId + "\\s+dea-1\\s+127\\.0\\.0\\.1\\s+stopped");
    assertThat(kato(coreHome, "node", "remove", deaId)).isZero();
    assertThat(kato(coreHome, "node", "list")).isZero();
    assertThat(out.toString()).doesNotContain("dea-1");
  }

  @Test
  void anAttachedNodeRejoinsWhenTheCoreComesBack() throws Exception {
    NodeAgent dea = attachDeaNode();
    assertThat(kato(deaHome, "config", "set", "dea", "max_memory", "2048")).isZero();
    NodeAgent core = agents.remove(0);
    core.close();
    // the whole core goes away, and comes back on the same directory and port
    await().atMost(Duration.ofSeconds(30)).until(() -> !dea.joined());
    start(coreHome);
    await().atMost(Duration.ofSeconds(60)).until(dea::joined);
    assertThat(kato(deaHome, "config", "get", "dea", "max_memory")).as(err.toString()).isZero();
    assertThat(out.toString().trim()).isEqualTo("2048");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(kato(coreHome, "node", "list")).isZero();
      assertThat(out.toString()).containsPattern("dea-1\\s+127\\.0\\.0\\.1\\s+up");
    });
  }

  @Test
  void renameAndDetach() throws Exception {
    NodeAgent dea = attachDeaNode();
    assertThat(kato(deaHome, "node", "rename", "dea-7")).isZero();
    assertThat(kato(coreHome, "node", "list")).isZero();
    assertThat(out.toString()).contains("dea-7");
    assertThat(kato(coreHome, "detach")).isEqualTo(1);
    assertThat(err.toString()).contains("this is the core node");
    assertThat(kato(deaHome, "detach")).isZero();
    assertThat(dea.closed()).succeedsWithin(Duration.ofSeconds(30));
    assertThat(kato(coreHome, "node", "list")).isZero();
    assertThat(out.toString()).doesNotContain("dea-7");
    assertThat(NodeConfig.readNode(deaHome.resolve("node.yml")).coreAddress()).isNull();
  }

  @Test
  void aKilledProcessIsRestartedAndKatoRestartReplacesIt() throws Exception {
    JsonNode sleeper = await().atMost(Duration.ofSeconds(10)).until(
        () -> status(coreHome).path("nodes").get(0).path("processes").get(0),
        p -> "RUNNING".equals(p.path("state").asText()));
    long pid = sleeper.path("pid").asLong();
    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
    JsonNode again = await().atMost(Duration.ofSeconds(10)).until(
        () -> status(coreHome).path("nodes").get(0).path("processes").get(0),
        p -> "RUNNING".equals(p.path("state").asText()) && p.path("pid").asLong() != pid);
    assertThat(again.path("restarts").asInt()).isEqualTo(1);

    long before = again.path("pid").asLong();
    assertThat(kato(coreHome, "restart", "sleeper")).isZero();
    assertThat(out.toString()).contains("restart sleeper: done");
    long after = status(coreHome).path("nodes").get(0).path("processes").get(0).path("pid")
        .asLong();
    assertThat(after).isNotEqualTo(before);
    assertThat(ProcessHandle.of(before).map(ProcessHandle::isAlive).orElse(false)).isFalse();

    assertThat(kato(coreHome, "process", "stop")).isZero();
    assertThat(out.toString()).contains("STOPPED");
    assertThat(ProcessHandle.of(after).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(kato(coreHome, "restart", "dea")).isEqualTo(1);
    assertThat(err.toString()).contains("dea does not run on this node");
    assertThat(kato(coreHome, "restart", "nosuch")).isEqualTo(1);
    assertThat(err.toString()).contains("unknown component 'nosuch'");
  }
}
