package io.updraft.kato.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.component.ConfigChanged;
import io.updraft.common.protocol.node.ClusterConfigReply;
import io.updraft.common.protocol.node.ComponentLogLine;
import io.updraft.common.protocol.node.NodeStatus;
import io.updraft.common.testing.NatsServer;
import io.updraft.kato.node.NodeConfig;
import io.updraft.kato.roles.Roles;
import io.updraft.kato.supervisor.Backoff;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent on the bus: a core agent in this JVM (real Hazelcast, a real nats-server with
 * JetStream, the test roles file whose core runs a sleeper) publishing node status and component
 * log lines (kept in the recent window), and answering cluster config requests.
 */
class NodeBusIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Roles ROLES = Roles.load(Path.of("src/test/resources/test-roles.yml"));
  private static final NodeAgent.Options FAST = new NodeAgent.Options(
      new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofMinutes(1)),
      Duration.ofMillis(300), Duration.ofSeconds(5), Duration.ofMillis(500),
      Duration.ofSeconds(3));
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  Path home;

  private NatsServer nats;
  private NodeAgent agent;
  private Connection client;
  private final List<Message> received = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    nats = NatsServer.startWithJetStream();
    client = Nats.connect(new Options.Builder().server(nats.url())
        .userInfo(NatsServer.USER, NatsServer.PASSWORD).build());
    Dispatcher d = client.createDispatcher(received::add);
    d.subscribe(Subjects.NODE_STATUS);
    d.subscribe(Subjects.CONFIG_CHANGED);
    d.subscribe(Subjects.COMPONENT_LOGS_ANY);
    client.flush(Duration.ofSeconds(5));
    // the cluster's bus is the test's nats-server; agents report every second
    Path config = Files.createDirectories(home.resolve("cluster/updraft.config"));
    Files.writeString(config.resolve("cluster.json"), "{\"nats\":{\"user\":\"" + NatsServer.USER
        + "\",\"password\":\"" + NatsServer.PASSWORD + "\"},\"kato\":"
        + "{\"status_interval_seconds\":1}}");
    new NodeConfig(null, null, "core-1", "127.0.0.1", List.of("core"), true, null,
        "api.127.0.0.1.xip.io", NatsServer.freePort(), NatsServer.freePort(), nats.port(), null,
        null).write(home.resolve("node.yml"));
    agent = new NodeAgent(home, ROLES, FAST);
    agent.start();
  }

  @AfterEach
  void stop() throws Exception {
    if (agent != null) {
      agent.close();
    }
    if (client != null) {
      client.close();
    }
    if (nats != null) {
      nats.close();
    }
  }

  private List<NodeStatus> statuses() {
    return received.stream().filter(m -> m.getSubject().equals(Subjects.NODE_STATUS))
        .map(m -> NodeStatus.fromJson(m.getData())).toList();
  }

  @Test
  void publishesNodeStatusWithSaneHostFigures() {
    await().atMost(WAIT).until(() -> statuses().size() >= 2
        && statuses().get(statuses().size() - 1).processes().stream()
            .anyMatch(p -> "RUNNING".equals(p.state())));
    NodeStatus s = statuses().get(statuses().size() - 1);
    assertThat(s.node()).isEqualTo(agent.node().nodeId());
    assertThat(s.name()).isEqualTo("core-1");
    assertThat(s.ip()).isEqualTo("127.0.0.1");
    assertThat(s.core()).isTrue();
    assertThat(s.roles()).containsExactly("core");
    assertThat(s.intervalSeconds()).isEqualTo(1);
    NodeStatus.Process sleeper = s.processes().stream()
        .filter(p -> p.name().equals("sleeper")).findFirst().orElseThrow();
    assertThat(sleeper.state()).isEqualTo("RUNNING");
    assertThat(sleeper.pid()).isPositive();
    assertThat(sleeper.restarts()).isZero();
    assertThat(s.timestamp()).isCloseTo(System.currentTimeMillis() / 1000, within(30));

    NodeStatus.HostStats h = s.host();
    assertThat(h.cpuPercent()).isBetween(0.0, 100.0);
    assertThat(h.cpus()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(h.load()).hasSize(3).allSatisfy(l -> assertThat(l).isGreaterThanOrEqualTo(0.0));
    assertThat(h.memTotalMb()).isPositive();
    assertThat(h.memUsedMb()).isPositive().isLessThan(h.memTotalMb());
    assertThat(h.diskTotalMb()).isPositive();
    assertThat(h.diskUsedMb()).isPositive().isLessThanOrEqualTo(h.diskTotalMb());
    assertThat(h.netRxBytes()).isNotNull().isGreaterThanOrEqualTo(0L);
    assertThat(h.netTxBytes()).isNotNull().isGreaterThanOrEqualTo(0L);
    // counters since boot never go back
    NodeStatus first = statuses().get(0);
    assertThat(h.netRxBytes()).isGreaterThanOrEqualTo(first.host().netRxBytes());
  }

  private static org.assertj.core.data.Offset<Long> within(long seconds) {
    return org.assertj.core.data.Offset.offset(seconds);
  }

  private ClusterConfigReply request(String json) throws Exception {
    Message reply = client.request(Subjects.CONFIG_REQUEST,
        json.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(20));
    assertThat(reply).as("a reply to " + json).isNotNull();
    return ClusterConfigReply.fromJson(reply.getData());
  }

  @Test
  void answersConfigRequestsAsKatoConfigDoes() throws Exception {
    await().atMost(WAIT).until(() -> !statuses().isEmpty()); // the agent is on the bus
    ClusterConfigReply all = request("{\"op\":\"get\"}");
    assertThat(all.ok()).isTrue();
    assertThat(all.config().path("cluster").path("nats").path("password").asText())
        .isEqualTo("***");
    assertThat(all.config().path("cluster").path("kato").path("status_interval_seconds")
        .asInt()).isEqualTo(1);

    ClusterConfigReply set = request("{\"op\":\"set\",\"component\":\"dea\",\"key\":"
        + "\"log_level\",\"value\":\"DEBUG\",\"by\":\"admin@updraft.local\"}");
    assertThat(set.ok()).as(set.error()).isTrue();
    assertThat(set.config().path("log_level").asText()).isEqualTo("DEBUG");
    // a live key: components hear of it as after kato config set
    await().atMost(WAIT).until(() -> received.stream()
        .filter(m -> m.getSubject().equals(Subjects.CONFIG_CHANGED))
        .map(m -> ConfigChanged.fromJson(m.getData()))
        .anyMatch(c -> c.component().equals("dea") && c.key().equals("log_level")));
    assertThat(request("{\"op\":\"get\",\"component\":\"dea\"}").config().path("log_level")
        .asText()).isEqualTo("DEBUG");
    // the same through the agent API (kato config get): one store
    assertThat(agent.configGet("dea", "log_level").asText()).isEqualTo("DEBUG");

    ClusterConfigReply unknown = request("{\"op\":\"set\",\"component\":\"deaa\",\"key\":"
        + "\"x\",\"value\":1}");
    assertThat(unknown.ok()).isFalse();
    assertThat(unknown.error()).contains("unknown component 'deaa'");
    ClusterConfigReply missing = request("{\"op\":\"delete\",\"component\":\"dea\",\"key\":"
        + "\"no.such.key\"}");
    assertThat(missing.ok()).isFalse();
    assertThat(missing.error()).contains("dea has no key no.such.key");
    ClusterConfigReply deleted = request("{\"op\":\"delete\",\"component\":\"dea\",\"key\":"
        + "\"log_level\"}");
    assertThat(deleted.ok()).isTrue();
    assertThat(deleted.config().has("log_level")).isFalse();

    // malformed requests are dropped (no reply), and the responder goes on
    Message none = client.request(Subjects.CONFIG_REQUEST,
        "{\"op\":\"explode\"}".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(2));
    assertThat(none).isNull();
    Message garbage = client.request(Subjects.CONFIG_REQUEST,
        "not json".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(2));
    assertThat(garbage).isNull();
    assertThat(request("{\"op\":\"get\",\"component\":\"dea\"}").ok()).isTrue();
  }

  @Test
  void publishesComponentLogLinesAsTheyAreWritten() throws Exception {
    await().atMost(WAIT).until(() -> !statuses().isEmpty());
    Path log = home.resolve("logs/sleeper.log");
    await().atMost(WAIT).until(() -> Files.exists(log));
    // the publisher starts at the end of the file; lines written later go out
    await().atMost(WAIT).untilAsserted(() -> {
      Files.writeString(log, "probe line\n", StandardOpenOption.APPEND);
      assertThat(componentLines()).anyMatch(l -> l.line().equals("probe line"));
    });
    long written = System.currentTimeMillis();
    Files.writeString(log, "ERROR something broke\n", StandardOpenOption.APPEND);
    await().atMost(WAIT).until(() -> componentLines().stream()
        .anyMatch(l -> l.line().equals("ERROR something broke")));
    ComponentLogLine line = componentLines().stream()
        .filter(l -> l.line().equals("ERROR something broke")).findFirst().orElseThrow();
    assertThat(line.node()).isEqualTo(agent.node().nodeId());
    assertThat(line.name()).isEqualTo("core-1");
    assertThat(line.process()).isEqualTo("sleeper");
    assertThat(line.timestamp()).isGreaterThanOrEqualTo(written);
    Message raw = received.stream().filter(m -> m.getSubject().startsWith("updraft.logs."))
        .findFirst().orElseThrow();
    assertThat(raw.getSubject()).isEqualTo(Subjects.componentLogs(agent.node().nodeId(),
        "sleeper"));
  }

  @Test
  void katoLogTailShowsTheRecentWindowThenFollowsThroughTheBus() throws Exception {
    await().atMost(WAIT).until(() -> !statuses().isEmpty());
    Path log = home.resolve("logs/sleeper.log");
    await().atMost(WAIT).until(() -> Files.exists(log));
    await().atMost(WAIT).untilAsserted(() -> {
      Files.writeString(log, "before-0\n", StandardOpenOption.APPEND);
      assertThat(componentLines()).anyMatch(l -> l.line().equals("before-0"));
    });
    Files.writeString(log, "before-1\nbefore-2\nbefore-3\n", StandardOpenOption.APPEND);
    await().atMost(WAIT).until(() -> componentLines().stream()
        .anyMatch(l -> l.line().equals("before-3")));

    // --no-follow: the window's last lines per node and process, from the bus
    java.io.StringWriter once = new java.io.StringWriter();
    picocli.CommandLine cli = io.updraft.kato.KatoMain.commandLine();
    cli.setOut(new java.io.PrintWriter(once, true));
    cli.setErr(new java.io.PrintWriter(new java.io.StringWriter(), true));
    assertThat(cli.execute("log", "tail", "-n", "2", "--no-follow", "--home", home.toString()))
        .isZero();
    assertThat(once.toString()).isEqualTo("[core-1/sleeper] before-2\n[core-1/sleeper] "
        + "before-3\n");

    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    Thread tail = new Thread(() -> {
      picocli.CommandLine follow = io.updraft.kato.KatoMain.commandLine();
      follow.setOut(new java.io.PrintWriter(out, true));
      follow.setErr(new java.io.PrintWriter(err, true));
      follow.execute("log", "tail", "-n", "1", "--home", home.toString());
    }, "kato-log-tail");
    tail.start();
    try {
      await().atMost(WAIT).until(() -> err.toString().contains("following every node"));
      await().atMost(WAIT).until(() -> out.toString().contains("[core-1/sleeper] before-3\n"));
      long[] shown = new long[1];
      long written = System.nanoTime();
      Files.writeString(log, "tail probe\n", StandardOpenOption.APPEND);
      await().atMost(WAIT).pollInterval(Duration.ofMillis(10)).until(() -> {
        boolean seen = out.toString().contains("[core-1/sleeper] tail probe\n");
        if (seen) {
          shown[0] = System.nanoTime();
        }
        return seen;
      });
      System.out.println("kato log tail: line shown " + (shown[0] - written) / 1_000_000
          + " ms after it was written");
      assertThat(out.toString()).doesNotContain("before-2");
    } finally {
      tail.interrupt();
      tail.join(10_000);
    }
    assertThat(tail.isAlive()).isFalse();
  }

  private List<ComponentLogLine> componentLines() {
    return received.stream().filter(m -> m.getSubject().startsWith("updraft.logs."))
        .map(m -> ComponentLogLine.fromJson(m.getData())).toList();
  }
}
