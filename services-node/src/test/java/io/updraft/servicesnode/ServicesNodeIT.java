package io.updraft.servicesnode;

import static io.updraft.common.testing.Futures.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.updraft.common.bus.NatsBus;
import io.updraft.common.component.ComponentLauncher;
import io.updraft.common.protocol.Empty;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.services.BindRequest;
import io.updraft.common.protocol.services.NodeAnnouncement;
import io.updraft.common.protocol.services.NodeResponse;
import io.updraft.common.protocol.services.ProvisionRequest;
import io.updraft.common.protocol.services.ServiceErrors;
import io.updraft.common.protocol.services.ServiceType;
import io.updraft.common.protocol.services.UnbindRequest;
import io.updraft.common.protocol.services.UnprovisionRequest;
import io.updraft.common.testing.NatsServer;
import io.updraft.common.testing.NatsServerExtension;
import io.updraft.servicesnode.ServicesNodeConfig.ServiceConfig;
import io.updraft.servicesnode.backend.RespClient;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Services nodes started as components on a real nats-server, administering the real
 * PostgreSQL, MariaDB and Redis on loopback ({@code scripts/setup-deps} starts them); apps are
 * played by JDBC connections and Redis clients using the credentials the node hands out.
 */
@ExtendWith(NatsServerExtension.class)
class ServicesNodeIT {

  private static final Duration REPLY = Duration.ofSeconds(20);

  @TempDir
  Path data;

  @TempDir
  Path elsewhere;

  private NatsServer nats;
  private Vertx vertx;
  private NatsBus client;
  private final List<ComponentLauncher.Running<ServicesNodeConfig>> nodes = new ArrayList<>();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeEach
  void setUp(NatsServer nats) throws Exception {
    this.nats = nats;
    logs.start();
    root().addAppender(logs);
    vertx = Vertx.vertx();
    client = result(NatsBus.connect(vertx, nats.config(), "services-node-it",
        new SimpleMeterRegistry()));
  }

  @AfterEach
  void tearDown() throws Exception {
    nodes.forEach(ComponentLauncher.Running::stop);
    result(client.close());
    result(vertx.close());
    root().detachAppender(logs);
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  /** Everything logged so far, messages and key-value pairs, as one text. */
  private String logged() {
    StringBuilder all = new StringBuilder();
    for (ILoggingEvent e : logs.list) {
      all.append(e.getFormattedMessage()).append(' ');
      if (e.getKeyValuePairs() != null) {
        e.getKeyValuePairs().forEach(kv -> all.append(kv.key).append('=').append(kv.value)
            .append(' '));
      }
      all.append('\n');
    }
    return all.toString();
  }

  /** Credentials never reach a log line (CONVENTIONS lesson 16). */
  private void assertNotLogged(Map<String, Object> credentials) {
    String text = logged();
    assertThat(text).contains("services.binding.created");
    assertThat(text).doesNotContain(credentials.get("password").toString());
  }

  private ComponentLauncher.Running<ServicesNodeConfig> node(Map<String, ServiceConfig> services)
      throws Exception {
    ServicesNodeConfig config = ServicesNodeConfig.of(nats.config(), data, 300, services);
    config.validate();
    var running = result(ComponentLauncher.start(ServicesNodeMain.TYPE, config,
        ServicesNodeMain::verticle));
    nodes.add(running);
    return running;
  }

  private static ServiceConfig server(int maxInstances) {
    return new ServiceConfig(null, null, null, null, null, null, null, maxInstances, null, null,
        null, 10_000L, null);
  }

  private static ServiceConfig serverAt(int port) {
    return new ServiceConfig(null, null, port, null, null, null, null, 5, null, null, null,
        1_000L, null);
  }

  private NodeResponse call(ServiceType type, String op, Object body) throws Exception {
    String svc = type.busName();
    String node = type.serviceName() + "_node_0";
    String subject = switch (op) {
      case "provision" -> Subjects.serviceProvision(svc, node);
      case "unprovision" -> Subjects.serviceUnprovision(svc, node);
      case "bind" -> Subjects.serviceBind(svc, node);
      default -> Subjects.serviceUnbind(svc, node);
    };
    return result(client.request(subject, (io.updraft.common.protocol.WireMessage) body,
        NodeResponse.class, REPLY));
  }

  private Map<String, Object> provision(ServiceType type) throws Exception {
    NodeResponse r = call(type, "provision", new ProvisionRequest("free", null, null));
    assertThat(r.success()).as(r.logView()).isTrue();
    assertThat(r.credentials()).containsEntry("node_id", type.serviceName() + "_node_0")
        .containsKey("name");
    return r.credentials();
  }

  private Map<String, Object> bind(ServiceType type, Map<String, Object> instance)
      throws Exception {
    NodeResponse r = call(type, "bind", new BindRequest(instance.get("name").toString(),
        Map.of(), null));
    assertThat(r.success()).as(r.logView()).isTrue();
    return r.credentials();
  }

  private void unbind(ServiceType type, Map<String, Object> binding) throws Exception {
    NodeResponse r = call(type, "unbind", new UnbindRequest(binding));
    assertThat(r.success()).as(r.logView()).isTrue();
  }

  private void unprovision(ServiceType type, Map<String, Object> instance,
      List<Map<String, Object>> bindings) throws Exception {
    NodeResponse r = call(type, "unprovision",
        new UnprovisionRequest(instance.get("name").toString(), bindings));
    assertThat(r.success()).as(r.logView()).isTrue();
  }

  /** The servers are the machine's; a test that cannot reach one fails saying so. */
  private static void requireServer(String what, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
    } catch (IOException e) {
      fail(what + " is not reachable on 127.0.0.1:" + port + "; run scripts/setup-deps");
    }
  }

  private static Connection jdbc(String url, Object user, Object password) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", String.valueOf(user));
    p.setProperty("password", String.valueOf(password));
    p.setProperty("connectTimeout", "5");
    return DriverManager.getConnection(url, p);
  }

  private static Connection postgres(Map<String, Object> c) throws SQLException {
    return jdbc("jdbc:postgresql://" + c.get("host") + ":" + c.get("port") + "/" + c.get("name"),
        c.get("user"), c.get("password"));
  }

  private static Connection mysql(Map<String, Object> c) throws SQLException {
    return jdbc("jdbc:mariadb://" + c.get("host") + ":" + c.get("port") + "/" + c.get("name")
        + "?connectTimeout=5000", c.get("user"), c.get("password"));
  }

  private static String one(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  @Test
  void postgresqlBindingsReadAndWriteUnbindRevokesAndUnprovisionDropsTheDatabase()
      throws Exception {
    requireServer("PostgreSQL", 5432);
    node(Map.of("postgresql", server(5)));
    Map<String, Object> instance = provision(ServiceType.POSTGRESQL);
    Map<String, Object> first = bind(ServiceType.POSTGRESQL, instance);
    Map<String, Object> second = bind(ServiceType.POSTGRESQL, instance);
    assertThat(first.get("user")).isNotEqualTo(second.get("user"));
    assertThat(first.get("uri").toString()).startsWith("postgres://" + first.get("user") + ":");
    assertThat(first.get("name")).isEqualTo(instance.get("name"));

    // the password is checked (setup-deps has pg_hba demand it of the node's roles)
    Map<String, Object> wrong = new java.util.HashMap<>(first);
    wrong.put("password", "not-the-password");
    assertThatThrownBy(() -> postgres(wrong).close()).isInstanceOf(SQLException.class)
        .hasMessageContaining("password");

    Connection session = postgres(first);
    exec(session, "CREATE TABLE notes (body text)");
    exec(session, "INSERT INTO notes VALUES ('hello')");
    try (Connection other = postgres(second)) {
      assertThat(one(other, "SELECT body FROM notes")).isEqualTo("hello");
    }

    unbind(ServiceType.POSTGRESQL, first);
    assertThatThrownBy(() -> postgres(first).close()).isInstanceOf(SQLException.class);
    assertThatThrownBy(() -> one(session, "SELECT 1")).isInstanceOf(SQLException.class);
    session.close();
    try (Connection other = postgres(second)) {
      assertThat(one(other, "SELECT body FROM notes")).as("data survives an unbind")
          .isEqualTo("hello");
    }

    unprovision(ServiceType.POSTGRESQL, instance, List.of(second));
    try (Connection admin = jdbc("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "")) {
      assertThat(one(admin, "SELECT count(*) FROM pg_database WHERE datname = '"
          + instance.get("name") + "'")).isEqualTo("0");
      assertThat(one(admin, "SELECT count(*) FROM pg_roles WHERE rolname IN ('"
          + instance.get("user") + "','" + second.get("user") + "')")).isEqualTo("0");
    }
    assertThatThrownBy(() -> postgres(second).close()).isInstanceOf(SQLException.class);
    assertNotLogged(first);
    assertNotLogged(instance);
  }

  @Test
  void mysqlBindingsReadAndWriteUnbindRevokesAndUnprovisionDropsTheDatabase() throws Exception {
    requireServer("MariaDB", 3306);
    node(Map.of("mysql", server(5)));
    Map<String, Object> instance = provision(ServiceType.MYSQL);
    Map<String, Object> binding = bind(ServiceType.MYSQL, instance);
    Map<String, Object> other = bind(ServiceType.MYSQL, instance);
    assertThat(binding.get("uri").toString()).startsWith("mysql://");

    Map<String, Object> wrong = new java.util.HashMap<>(binding);
    wrong.put("password", "not-the-password");
    assertThatThrownBy(() -> mysql(wrong).close()).isInstanceOf(SQLException.class);

    Connection session = mysql(binding);
    exec(session, "CREATE TABLE notes (body VARCHAR(64))");
    exec(session, "INSERT INTO notes VALUES ('hello')");
    assertThat(one(session, "SELECT body FROM notes")).isEqualTo("hello");
    assertThatThrownBy(() -> exec(session, "CREATE DATABASE elsewhere_" + instance.get("name")))
        .as("a binding reaches its own database only").isInstanceOf(SQLException.class);

    unbind(ServiceType.MYSQL, binding);
    assertThatThrownBy(() -> mysql(binding).close()).isInstanceOf(SQLException.class);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThatThrownBy(() -> one(session, "SELECT 1")).isInstanceOf(SQLException.class));
    session.close();

    unprovision(ServiceType.MYSQL, instance, List.of(other));
    try (Connection admin = jdbc("jdbc:mariadb://127.0.0.1:3306/", "root", "")) {
      assertThat(one(admin, "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE "
          + "SCHEMA_NAME = '" + instance.get("name") + "'")).isEqualTo("0");
      assertThat(one(admin, "SELECT COUNT(*) FROM mysql.user WHERE User IN ('"
          + instance.get("user") + "','" + other.get("user") + "')")).isEqualTo("0");
    }
    assertNotLogged(binding);
  }

  @Test
  void redisBindingsAreConfinedToTheirPrefixUnbindRevokesAndUnprovisionDeletesTheKeys()
      throws Exception {
    requireServer("Redis", 6379);
    node(Map.of("redis", server(5)));
    Map<String, Object> instance = provision(ServiceType.REDIS);
    Map<String, Object> binding = bind(ServiceType.REDIS, instance);
    String prefix = binding.get("key_prefix").toString();
    assertThat(prefix).isEqualTo(instance.get("name") + ":");
    assertThat(binding.get("uri").toString()).startsWith("redis://" + binding.get("user") + ":");

    RespClient app = redisAs(binding);
    assertThat(app.call("SET", prefix + "greeting", "hello")).isEqualTo("OK");
    assertThat(app.call("GET", prefix + "greeting")).isEqualTo("hello");
    assertThatThrownBy(() -> app.call("SET", "someone-else:key", "x"))
        .hasMessageContaining("NOPERM");
    assertThatThrownBy(() -> app.call("FLUSHALL")).hasMessageContaining("NOPERM");

    unbind(ServiceType.REDIS, binding);
    assertThatThrownBy(() -> redisAs(binding).close()).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> app.call("GET", prefix + "greeting"))
        .as("the revoked user's connection is closed").isInstanceOf(IOException.class);
    app.close();

    unprovision(ServiceType.REDIS, instance, List.of());
    try (RespClient admin = new RespClient("127.0.0.1", 6379, 5000)) {
      assertThat(admin.call("EXISTS", prefix + "greeting")).isEqualTo(0L);
      assertThat(admin.call("ACL", "GETUSER", instance.get("user").toString())).isNull();
    }
    assertNotLogged(binding);
  }

  private static RespClient redisAs(Map<String, Object> c) throws IOException {
    RespClient r = new RespClient(c.get("host").toString(),
        Integer.parseInt(c.get("port").toString()), 5000);
    try {
      r.call("AUTH", c.get("user").toString(), c.get("password").toString());
      return r;
    } catch (IOException e) {
      r.close();
      throw e;
    }
  }

  @Test
  void filesystemInstancesAreDirectoriesThatUnprovisionDeletes() throws Exception {
    node(Map.of());
    Map<String, Object> instance = provision(ServiceType.FILESYSTEM);
    Map<String, Object> binding = bind(ServiceType.FILESYSTEM, instance);
    Path dir = Path.of(binding.get("dir").toString());
    assertThat(dir).isDirectory().startsWith(data);
    Files.writeString(dir.resolve("note.txt"), "hello");
    unbind(ServiceType.FILESYSTEM, binding);
    assertThat(dir.resolve("note.txt")).hasContent("hello");
    unprovision(ServiceType.FILESYSTEM, instance, List.of());
    assertThat(dir).doesNotExist();
  }

  @Test
  void theNodesRecordsAreItsUsersAloneAndAppsReachOnlyTheirFilesystemDirectory()
      throws Exception {
    // an older install: readable records, and an app's file in its instance directory
    Path oldRecords = data.resolve("redis/instances.json");
    Files.createDirectories(oldRecords.getParent());
    Files.writeString(oldRecords, "{\"instances\":{}}");
    Files.setPosixFilePermissions(oldRecords, PosixFilePermissions.fromString("rw-r--r--"));
    Path appFile = data.resolve("filesystem/instances/d0123456789abcdef01234567/note.txt");
    Files.createDirectories(appFile.getParent());
    Files.writeString(appFile, "an app's");
    Files.setPosixFilePermissions(appFile, PosixFilePermissions.fromString("rw-rw-rw-"));
    for (Path dir : List.of(data, data.resolve("redis"), data.resolve("filesystem"),
        data.resolve("filesystem/instances"), appFile.getParent())) {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    node(Map.of());
    Map<String, Object> instance = provision(ServiceType.FILESYSTEM);
    Path dir = Path.of(bind(ServiceType.FILESYSTEM, instance).get("dir").toString());

    assertThat(mode(data.resolve("filesystem/instances.json"))).isEqualTo("rw-------");
    assertThat(mode(oldRecords)).isEqualTo("rw-------");
    assertThat(mode(data.resolve("redis"))).isEqualTo("rwx------");
    // on the way to the instances: passable, not listable
    for (Path passable : List.of(data, data.resolve("filesystem"),
        data.resolve("filesystem/instances"))) {
      assertThat(mode(passable)).as(passable.toString()).isEqualTo("rwx--x--x");
    }
    // the instances are apps': made and left as they always were
    Path usual = Files.createDirectory(elsewhere.resolve("d"));
    assertThat(mode(dir)).isEqualTo(mode(usual));
    assertThat(mode(appFile)).isEqualTo("rw-rw-rw-");
    assertThat(mode(appFile.getParent())).isEqualTo("rwxr-xr-x");
  }

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p,
        java.nio.file.LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void aRestartedNodeKeepsItsInstancesAndBindings() throws Exception {
    requireServer("PostgreSQL", 5432);
    requireServer("Redis", 6379);
    var first = node(Map.of("postgresql", server(5), "redis", server(5)));
    Map<String, Object> pg = provision(ServiceType.POSTGRESQL);
    Map<String, Object> pgBinding = bind(ServiceType.POSTGRESQL, pg);
    Map<String, Object> redis = provision(ServiceType.REDIS);
    Map<String, Object> redisBinding = bind(ServiceType.REDIS, redis);
    first.stop();
    nodes.remove(first);
    assertThat(data.resolve("postgresql/instances.json")).exists();

    // a Redis restart loses ACL users; the node re-creates them from its records at start
    try (RespClient admin = new RespClient("127.0.0.1", 6379, 5000)) {
      admin.call("ACL", "DELUSER", redisBinding.get("user").toString());
    }
    List<NodeAnnouncement> announced = new CopyOnWriteArrayList<>();
    client.subscribe(Subjects.serviceAnnounce(ServiceType.POSTGRESQL.busName()),
        NodeAnnouncement.class, d -> announced.add(d.body()));
    result(client.flush());
    node(Map.of("postgresql", server(5), "redis", server(5)));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(announced)
        .anySatisfy(a -> assertThat(a.availableCapacity()).isEqualTo(4L)));

    try (Connection c = postgres(pgBinding)) {
      assertThat(one(c, "SELECT 42")).isEqualTo("42");
    }
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      try (RespClient r = redisAs(redisBinding)) {
        assertThat(r.call("PING")).isEqualTo("PONG");
      }
    });

    // the new node knows the bindings: unbind revokes them, unprovision drops the rest
    unbind(ServiceType.POSTGRESQL, pgBinding);
    assertThatThrownBy(() -> postgres(pgBinding).close()).isInstanceOf(SQLException.class);
    unprovision(ServiceType.POSTGRESQL, pg, List.of());
    unprovision(ServiceType.REDIS, redis, List.of(redisBinding));
    assertThatThrownBy(() -> redisAs(redisBinding).close()).isInstanceOf(IOException.class);
  }

  /** A private redis-server on a free port (the machine's is shared and must stay up). */
  private Process redisServer(int port) throws IOException {
    Process p = new ProcessBuilder("redis-server", "--port", String.valueOf(port), "--bind",
        "127.0.0.1", "--save", "", "--appendonly", "no")
        .redirectErrorStream(true).redirectOutput(data.resolve("redis-" + port + ".log").toFile())
        .start();
    await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
      try (RespClient r = new RespClient("127.0.0.1", port, 1000)) {
        return "PONG".equals(r.call("PING"));
      }
    });
    return p;
  }

  @Test
  void aRestartedRedisGetsItsAclUsersBackFromTheNodesRecords() throws Exception {
    int port = NatsServer.freePort();
    Process redis = redisServer(port);
    try {
      node(Map.of("redis", serverAt(port)));
      Map<String, Object> instance = provision(ServiceType.REDIS);
      Map<String, Object> binding = bind(ServiceType.REDIS, instance);
      try (RespClient app = redisAs(binding)) {
        assertThat(app.call("SET", binding.get("key_prefix") + "k", "v")).isEqualTo("OK");
      }
      // a restart without persistence forgets every ACL user; the node notices the new run_id
      redis.destroy();
      redis.waitFor();
      redis = redisServer(port);
      await().atMost(Duration.ofSeconds(15)).ignoreExceptions().untilAsserted(() -> {
        try (RespClient app = redisAs(binding)) {
          assertThat(app.call("PING")).isEqualTo("PONG");
        }
      });
      unprovision(ServiceType.REDIS, instance, List.of(binding));
      assertThatThrownBy(() -> redisAs(binding).close()).isInstanceOf(IOException.class);
    } finally {
      redis.destroy();
      redis.waitFor();
    }
  }

  @Test
  void capacityIsAnnouncedAndAFullNodeRefusesToProvision() throws Exception {
    List<NodeAnnouncement> announced = new CopyOnWriteArrayList<>();
    client.subscribe(Subjects.serviceAnnounce(ServiceType.FILESYSTEM.busName()),
        NodeAnnouncement.class, d -> announced.add(d.body()));
    result(client.flush());
    node(Map.of("filesystem", server(1)));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(announced)
        .anySatisfy(a -> {
          assertThat(a.id()).isEqualTo("filesystem_node_0");
          assertThat(a.plan()).isEqualTo("free");
          assertThat(a.availableCapacity()).isEqualTo(1L);
        }));
    Map<String, Object> instance = provision(ServiceType.FILESYSTEM);
    NodeResponse full = call(ServiceType.FILESYSTEM, "provision",
        new ProvisionRequest("free", null, null));
    assertThat(full.success()).isFalse();
    assertThat(full.error().status()).isEqualTo(503);
    assertThat(full.error().msg().code()).isEqualTo(ServiceErrors.CAPACITY_EXHAUSTED);
    assertThat(full.error().msg().description()).contains("no capacity left");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(announced.get(
        announced.size() - 1).availableCapacity()).isZero());

    // discover is answered directly
    List<NodeAnnouncement> replies = result(client.gather(
        Subjects.serviceDiscover(ServiceType.FILESYSTEM.busName()), Empty.INSTANCE,
        NodeAnnouncement.class, Duration.ofSeconds(2), 1));
    assertThat(replies).singleElement().satisfies(a ->
        assertThat(a.availableCapacity()).isZero());
    unprovision(ServiceType.FILESYSTEM, instance, List.of());
  }

  @Test
  void badRequestsGetClearAnswersAndMalformedOnesAreDropped() throws Exception {
    node(Map.of());
    String provision = Subjects.serviceProvision("FilesystemaaS", "filesystem_node_0");
    client.publishRaw(provision, "{not json".getBytes(StandardCharsets.UTF_8));
    client.publishRaw(provision, "{\"version\":\"1\"}".getBytes(StandardCharsets.UTF_8));
    client.publishRaw(Subjects.serviceBind("FilesystemaaS", "filesystem_node_0"),
        "[]".getBytes(StandardCharsets.UTF_8));

    NodeResponse plan = call(ServiceType.FILESYSTEM, "provision",
        new ProvisionRequest("gold", null, null));
    assertThat(plan.success()).isFalse();
    assertThat(plan.error().msg().code()).isEqualTo(ServiceErrors.UNKNOWN_PLAN);
    assertThat(plan.error().msg().description()).contains("gold");

    NodeResponse missing = call(ServiceType.FILESYSTEM, "bind",
        new BindRequest("dffffffffffffffffffffffff", Map.of(), null));
    assertThat(missing.success()).isFalse();
    assertThat(missing.error().status()).isEqualTo(404);

    // unknown instances and bindings are already gone: success, nothing touched
    assertThat(call(ServiceType.FILESYSTEM, "unprovision", new UnprovisionRequest(
        "d'; DROP DATABASE x; --", List.of())).success()).isTrue();
    assertThat(call(ServiceType.FILESYSTEM, "unbind", new UnbindRequest(Map.of("name",
        "nope", "user", "x"))).success()).isTrue();

    // the node survived all of it
    Map<String, Object> instance = provision(ServiceType.FILESYSTEM);
    unprovision(ServiceType.FILESYSTEM, instance, List.of());
  }

  @Test
  void aTypeWhoseServerIsDownIsNotAnnounced() throws Exception {
    int dead = NatsServer.freePort();
    List<String> announced = new CopyOnWriteArrayList<>();
    client.subscribe(Subjects.SERVICE_ANNOUNCE_ANY, NodeAnnouncement.class,
        d -> announced.add(d.subject()));
    result(client.flush());
    node(Map.of("redis", serverAt(dead), "filesystem", server(3)));
    await().atMost(Duration.ofSeconds(10)).until(() -> announced.stream()
        .filter(s -> s.startsWith("FilesystemaaS.")).count() >= 3);
    assertThat(announced).noneMatch(s -> s.startsWith("RaaS."));
    List<NodeAnnouncement> replies = result(client.gather(
        Subjects.serviceDiscover("RaaS"), Empty.INSTANCE, NodeAnnouncement.class,
        Duration.ofMillis(700), 1));
    assertThat(replies).isEmpty();
  }

  @Test
  void aTypeTheNodeCannotRunIsLeftOffWithTheReason() throws Exception {
    String reason = "PostgreSQL is not installed on this node: no postgres and initdb in "
        + "/nonexistent (install the postgresql package)";
    List<String> announced = new CopyOnWriteArrayList<>();
    client.subscribe(Subjects.SERVICE_ANNOUNCE_ANY, NodeAnnouncement.class,
        d -> announced.add(d.subject()));
    result(client.flush());
    node(Map.of("postgresql", new ServiceConfig(null, null, null, null, null, null, null, 5,
        null, null, null, 1_000L, reason), "filesystem", server(3)));
    await().atMost(Duration.ofSeconds(10)).until(() -> announced.stream()
        .filter(s -> s.startsWith("FilesystemaaS.")).count() >= 3);
    assertThat(announced).noneMatch(s -> s.startsWith("AuaaS."));
    assertThat(result(client.gather(Subjects.serviceDiscover("AuaaS"), Empty.INSTANCE,
        NodeAnnouncement.class, Duration.ofMillis(700), 1))).isEmpty();
    // nobody answers its operations either: the controller never sends them
    assertThat(client.request(Subjects.serviceProvision("AuaaS", "postgresql_node_0"),
        new ProvisionRequest("free", null, null), NodeResponse.class, Duration.ofSeconds(1))
        .toCompletionStage().toCompletableFuture()).failsWithin(Duration.ofSeconds(5));
    assertThat(logged()).contains("services.backend.unavailable")
        .contains("type=postgresql").contains("reason=" + reason);
  }
}
