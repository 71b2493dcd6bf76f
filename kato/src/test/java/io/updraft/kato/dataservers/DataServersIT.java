package io.updraft.kato.dataservers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.services.NodeResponse;
import io.updraft.common.protocol.services.ProvisionRequest;
import io.updraft.common.testing.NatsServer;
import io.updraft.kato.agent.NodeAgent;
import io.updraft.kato.node.NodeConfig;
import io.updraft.kato.roles.Roles;
import io.updraft.kato.supervisor.Backoff;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A core node agent in this JVM whose role runs the three data servers from the OS packages'
 * binaries and a real services node on them (the test's nats-server is the cluster's bus): the
 * servers run as their packages' users with private data directories and generated admin
 * passwords that every connection must give (loopback and Unix sockets too), the services node
 * administers them and hands out credentials at an address other hosts and containers reach,
 * {@code kato restart postgresql} and a restart of the agent keep the data and the passwords,
 * and a server whose programs are missing is FATAL with the reason, its type left off.
 */
class DataServersIT {

  private static final Roles ROLES = Roles.load(Path.of("src/test/resources/"
      + "data-servers-roles.yml"));
  /** The component jars: the source tree (the services node's is built before kato's ITs). */
  private static final Path TREE = Path.of("").toAbsolutePath().getParent();
  private static final NodeAgent.Options FAST = new NodeAgent.Options(
      new Backoff(Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofMinutes(1)),
      Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofMillis(500),
      Duration.ofSeconds(3));
  private static final Duration START = Duration.ofSeconds(120);
  private static final boolean ROOT = uid() == 0;

  @TempDir
  Path tmp;

  private Path home;
  private NatsServer nats;
  private Connection bus;
  private NodeAgent agent;
  private final Map<DataServer, Integer> ports = new java.util.EnumMap<>(DataServer.class);
  private final List<String> announced = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    // the home sits below a directory nobody else may pass (as /root/.updraft does): under
    // root the servers reach their data through their own mount namespaces
    home = tmp.resolve("home");
    nats = NatsServer.start();
    bus = Nats.connect(new Options.Builder().server(nats.url())
        .userInfo(NatsServer.USER, NatsServer.PASSWORD).build());
    Dispatcher d = bus.createDispatcher(m -> announced.add(m.getSubject()));
    d.subscribe(Subjects.SERVICE_ANNOUNCE_ANY);
    bus.flush(Duration.ofSeconds(5));
    Path config = Files.createDirectories(home.resolve("cluster/updraft.config"));
    Files.writeString(config.resolve("cluster.json"), "{\"nats\":{\"user\":\"" + NatsServer.USER
        + "\",\"password\":\"" + NatsServer.PASSWORD + "\"}}");
    Files.writeString(config.resolve("services_node.json"), "{\"announce_interval_ms\":500}");
    for (DataServer s : DataServer.values()) {
      // free ports: a micro cloud on this machine may hold the default ones
      ports.put(s, NatsServer.freePort());
      Files.writeString(config.resolve(s.serviceName() + ".json"), "{\"port\":" + ports.get(s)
          + "}");
    }
    new NodeConfig(null, null, "data-1", "127.0.0.1", List.of("core"), true, null,
        "api.127.0.0.1.xip.io", NatsServer.freePort(), NatsServer.freePort(), nats.port(), null,
        TREE.toString()).write(home.resolve("node.yml"));
  }

  @AfterEach
  void tearDown() throws Exception {
    if (agent != null) {
      agent.close();
    }
    if (bus != null) {
      bus.close();
    }
    if (nats != null) {
      nats.close();
    }
  }

  private void startAgent() throws Exception {
    agent = new NodeAgent(home, ROLES, FAST);
    agent.start();
  }

  private JsonNode process(String name) {
    for (JsonNode p : agent.status(false).path("nodes").path(0).path("processes")) {
      if (name.equals(p.path("name").asText())) {
        return p;
      }
    }
    return null;
  }

  private String state(String name) {
    JsonNode p = process(name);
    return p == null ? null : p.path("state").asText();
  }

  private String password(DataServer s) throws IOException {
    return Files.readString(home.resolve("data/" + s.serviceName() + ".password")).trim();
  }

  @Test
  void theAgentRunsPasswordedServersThatKeepTheirDataAndPasswordsAcrossRestarts()
      throws Exception {
    startAgent();
    await().atMost(START).untilAsserted(() -> {
      for (DataServer s : DataServer.values()) {
        assertThat(state(s.serviceName())).as(s.serviceName() + ": " + process(s.serviceName()))
            .isEqualTo("RUNNING");
      }
    });

    // private files: data dirs 0700 (the servers' users' under root), passwords 0600
    assertThat(mode(home.resolve("data"))).isEqualTo("rwx--x--x");
    for (DataServer s : DataServer.values()) {
      Path dir = home.resolve("data/" + s.serviceName());
      assertThat(mode(dir)).as(dir.toString()).isEqualTo("rwx------");
      Path pw = home.resolve("data/" + s.serviceName() + ".password");
      assertThat(mode(pw)).as(pw.toString()).isEqualTo("rw-------");
      assertThat(password(s)).matches("[0-9a-f]{32}");
      String owner = Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName();
      long pid = process(s.serviceName()).path("pid").asLong();
      String runsAs = ProcessHandle.of(pid).orElseThrow().info().user().orElseThrow();
      if (ROOT) {
        assertThat(owner).isEqualTo(s.osUser());
        assertThat(runsAs).isEqualTo(s.osUser());
      } else {
        assertThat(owner).isEqualTo(System.getProperty("user.name"));
        assertThat(runsAs).isEqualTo(System.getProperty("user.name"));
      }
      // no password on a command line, where every user of the machine could read it
      assertThat(ProcessHandle.of(pid).orElseThrow().info().commandLine().orElse(""))
          .doesNotContain(password(s));
    }

    // the generated password lets the admin in, and writes survive what follows
    try (var pg = postgres(password(DataServer.POSTGRESQL))) {
      exec(pg, "CREATE TABLE kept (v text)");
      exec(pg, "INSERT INTO kept VALUES ('pg-before')");
    }
    try (var my = mysql(password(DataServer.MYSQL))) {
      exec(my, "CREATE DATABASE kept");
      exec(my, "CREATE TABLE kept.kept (v varchar(20))");
      exec(my, "INSERT INTO kept.kept VALUES ('my-before')");
    }
    assertThat(redis(password(DataServer.REDIS), "SET", "kept", "redis-before")).isEqualTo("+OK");

    assertEveryLoginNeedsThePassword();

    // the services node administers them: every type announced, and credentials it hands out
    // work at the address apps are given (not loopback: containers cannot reach that)
    await().atMost(START).until(() -> Stream.of("AuaaS", "MyaaS", "RaaS", "FilesystemaaS")
        .allMatch(svc -> announced.contains(svc + ".announce")));
    Map<String, Object> pgCreds = provision("AuaaS", "postgresql_node_0");
    assertThat(pgCreds.get("host").toString()).doesNotStartWith("127.");
    assertThat(pgCreds.get("port")).isEqualTo(ports.get(DataServer.POSTGRESQL));
    try (var app = jdbc("jdbc:postgresql://" + pgCreds.get("host") + ":" + pgCreds.get("port")
        + "/" + pgCreds.get("name"), pgCreds.get("user"), pgCreds.get("password"))) {
      exec(app, "CREATE TABLE t (v int)");
    }
    Map<String, Object> myCreds = provision("MyaaS", "mysql_node_0");
    assertThat(myCreds.get("host").toString()).doesNotStartWith("127.");
    try (var app = jdbc("jdbc:mariadb://" + myCreds.get("host") + ":" + myCreds.get("port")
        + "/" + myCreds.get("name"), myCreds.get("user"), myCreds.get("password"))) {
      exec(app, "CREATE TABLE t (v int)");
    }
    Map<String, Object> redisCreds = provision("RaaS", "redis_node_0");
    assertThat(redisCreds.get("host").toString()).doesNotStartWith("127.");
    assertThat(redisAt(redisCreds.get("host").toString(), (Integer) redisCreds.get("port"),
        List.of(List.of("AUTH", redisCreds.get("user").toString(),
            redisCreds.get("password").toString()), List.of("SET",
            redisCreds.get("key_prefix") + "k", "v")))).isEqualTo("+OK");

    // kato restart postgresql: a new server process on the same data and password
    long before = process("postgresql").path("pid").asLong();
    agent.processes("restart", List.of("postgresql"));
    await().atMost(START).until(() -> "RUNNING".equals(state("postgresql")));
    assertThat(process("postgresql").path("pid").asLong()).isNotEqualTo(before);
    try (var pg = postgres(password(DataServer.POSTGRESQL))) {
      assertThat(one(pg, "SELECT v FROM kept")).isEqualTo("pg-before");
    }

    // a restart of the agent: same data directories, same passwords, nothing initialised anew
    Map<DataServer, String> passwords = new java.util.EnumMap<>(DataServer.class);
    for (DataServer s : DataServer.values()) {
      passwords.put(s, password(s));
    }
    String initialisedOnce = Files.readString(home.resolve("logs/postgresql.log"));
    agent.close();
    agent = null;
    for (DataServer s : DataServer.values()) {
      assertThat(listening(ports.get(s))).as(s + " stopped with the agent").isFalse();
    }
    startAgent();
    await().atMost(START).untilAsserted(() -> {
      for (DataServer s : DataServer.values()) {
        assertThat(state(s.serviceName())).isEqualTo("RUNNING");
      }
    });
    for (DataServer s : DataServer.values()) {
      assertThat(password(s)).isEqualTo(passwords.get(s));
    }
    assertThat(countOf(Files.readString(home.resolve("logs/postgresql.log")), "initialising"))
        .isEqualTo(countOf(initialisedOnce, "initialising")).isEqualTo(1);
    try (var pg = postgres(passwords.get(DataServer.POSTGRESQL))) {
      assertThat(one(pg, "SELECT v FROM kept")).isEqualTo("pg-before");
    }
    try (var my = mysql(passwords.get(DataServer.MYSQL))) {
      assertThat(one(my, "SELECT v FROM kept.kept")).isEqualTo("my-before");
    }
    assertThat(redis(passwords.get(DataServer.REDIS), "GET", "kept"))
        .isEqualTo("$12\r\nredis-before");
    assertEveryLoginNeedsThePassword();

    // never in a log: the servers' and the services node's logs, nor the rendered files but
    // the services node's own config (0600)
    try (Stream<Path> logs = Files.list(home.resolve("logs"))) {
      for (Path log : logs.filter(Files::isRegularFile).toList()) {
        String text = Files.readString(log);
        for (String pw : passwords.values()) {
          assertThat(text).as(log.toString()).doesNotContain(pw);
        }
      }
    }
    assertThat(mode(home.resolve("config/services_node.yml"))).isEqualTo("rw-------");
  }

  @Test
  void aServerWhoseProgramsAreMissingIsFatalSayingWhyAndItsTypeIsLeftOff() throws Exception {
    Path config = home.resolve("cluster/updraft.config");
    Files.writeString(config.resolve("redis.json"), "{\"port\":" + ports.get(DataServer.REDIS)
        + ",\"bin_dir\":\"/nonexistent/bin\"}");
    startAgent();
    await().atMost(START).until(() -> "FATAL".equals(state("redis"))
        && "RUNNING".equals(state("postgresql")) && "RUNNING".equals(state("mysql")));
    assertThat(process("redis").path("message").asText()).isEqualTo("cannot start: Redis is "
        + "not installed on this node: no redis-server in /nonexistent/bin (install the "
        + "redis-server package)");
    assertThat(home.resolve("data/redis")).doesNotExist();
    await().atMost(START).until(() -> Stream.of("AuaaS", "MyaaS", "FilesystemaaS")
        .allMatch(svc -> announced.contains(svc + ".announce")));
    JsonNode rendered = new YAMLMapper().readTree(home.resolve("config/services_node.yml")
        .toFile());
    assertThat(rendered.path("services").path("redis").path("unavailable").asText())
        .startsWith("Redis is not installed on this node");
    assertThat(rendered.path("services").path("postgresql").path("admin_password").asText())
        .isEqualTo(password(DataServer.POSTGRESQL));
    await().atMost(START).until(() -> Files.readString(home.resolve("logs/services_node.log"))
        .contains("services.backend.unavailable type=redis"));
    int seen = announced.size();
    await().atMost(Duration.ofSeconds(30)).until(() -> announced.size() > seen + 6);
    assertThat(announced).noneMatch(s -> s.startsWith("RaaS."));

    // put right: the operator drops the setting and restarts it (and the services node)
    agent.configChange("redis", "del", "bin_dir", null);
    agent.processes("restart", List.of("redis", "services_node"));
    await().atMost(START).until(() -> "RUNNING".equals(state("redis"))
        && announced.contains("RaaS.announce"));
    assertThat(redis(password(DataServer.REDIS), "PING")).isEqualTo("+PONG");
  }

  /** Without the password, or with a wrong one, nobody gets in: loopback and sockets too. */
  private void assertEveryLoginNeedsThePassword() throws Exception {
    for (String wrong : List.of("", "not-the-password")) {
      assertThatThrownBy(() -> postgres(wrong).close()).isInstanceOf(SQLException.class)
          .hasMessageContaining("password");
      assertThatThrownBy(() -> mysql(wrong).close()).isInstanceOf(SQLException.class)
          .hasMessageContaining("Access denied");
    }
    assertThat(redis(null, "PING")).startsWith("-NOAUTH");
    assertThat(redis("not-the-password", "PING")).startsWith("-WRONGPASS");
    // the Unix sockets (as this user, root in CI) ask for the password too
    int pgPort = ports.get(DataServer.POSTGRESQL);
    Path pgSocket = home.resolve("data/postgresql/.s.PGSQL." + pgPort);
    if (Files.exists(pgSocket) && Files.isExecutable(Path.of("/usr/bin/psql"))) {
      Result r = run("/usr/bin/psql", "-h", pgSocket.getParent().toString(), "-p",
          String.valueOf(pgPort), "-U", "postgres", "-w", "-c", "SELECT 1");
      assertThat(r.exit()).as(r.output()).isNotZero();
      assertThat(r.output()).contains("no password supplied");
    }
    Path mySocket = home.resolve("data/mysql/mariadbd.sock");
    if (Files.exists(mySocket) && Files.isExecutable(Path.of("/usr/bin/mysql"))) {
      Result r = run("/usr/bin/mysql", "--no-defaults", "-uroot", "-S", mySocket.toString(),
          "-e", "SELECT 1");
      assertThat(r.exit()).as(r.output()).isNotZero();
      assertThat(r.output()).contains("Access denied");
    }
  }

  private Map<String, Object> provision(String svc, String node) throws Exception {
    io.nats.client.Message reply = bus.request(Subjects.serviceProvision(svc, node),
        new ProvisionRequest("free", null, null).toJson(), Duration.ofSeconds(30));
    assertThat(reply).as(svc + " provision reply").isNotNull();
    NodeResponse r = NodeResponse.fromJson(reply.getData());
    assertThat(r.success()).as(r.logView()).isTrue();
    return r.credentials();
  }

  private java.sql.Connection postgres(String password) throws SQLException {
    return jdbc("jdbc:postgresql://127.0.0.1:" + ports.get(DataServer.POSTGRESQL) + "/postgres",
        "postgres", password);
  }

  private java.sql.Connection mysql(String password) throws SQLException {
    return jdbc("jdbc:mariadb://127.0.0.1:" + ports.get(DataServer.MYSQL) + "/mysql", "root",
        password);
  }

  private static java.sql.Connection jdbc(String url, Object user, Object password)
      throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", String.valueOf(user));
    p.setProperty("password", String.valueOf(password));
    p.setProperty("connectTimeout", url.startsWith("jdbc:mariadb") ? "5000" : "5");
    return DriverManager.getConnection(url, p);
  }

  private static void exec(java.sql.Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  private static String one(java.sql.Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  /** One command on the test's Redis after {@code AUTH password} (none: null); the reply. */
  private String redis(String password, String... command) throws IOException {
    List<List<String>> commands = new ArrayList<>();
    if (password != null) {
      commands.add(List.of("AUTH", password));
    }
    commands.add(List.of(command));
    return redisAt("127.0.0.1", ports.get(DataServer.REDIS), commands);
  }

  /**
   * Sends the commands in RESP; the last reply's text (a bulk string with its length line),
   * or the first error.
   */
  private static String redisAt(String host, int port, List<List<String>> commands)
      throws IOException {
    try (Socket socket = new Socket(host, port)) {
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      String reply = null;
      for (List<String> command : commands) {
        StringBuilder b = new StringBuilder("*" + command.size() + "\r\n");
        for (String arg : command) {
          b.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n")
              .append(arg).append("\r\n");
        }
        out.write(b.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
        reply = line(in);
        if (reply.startsWith("$") && !reply.equals("$-1")) {
          reply = reply + "\r\n" + line(in);
        }
        if (reply.startsWith("-")) {
          return reply;
        }
      }
      return reply;
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\r') {
        in.read();
        break;
      }
      b.write(c);
    }
    return b.toString(StandardCharsets.UTF_8);
  }

  private record Result(int exit, String output) {
  }

  private static Result run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out);
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int countOf(String text, String word) {
    int n = 0;
    for (int i = text.indexOf(word); i >= 0; i = text.indexOf(word, i + 1)) {
      n++;
    }
    return n;
  }

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p,
        LinkOption.NOFOLLOW_LINKS));
  }

  private static int uid() {
    try {
      return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (IOException e) {
      return -1;
    }
  }
}
