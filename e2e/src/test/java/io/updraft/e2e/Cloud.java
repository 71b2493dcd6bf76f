package io.updraft.e2e;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import io.updraft.client.api.CloudClient;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.component.ComponentDiscover;
import io.updraft.common.testing.NatsServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A whole cloud of real component processes on one real nats-server: a controller, a stager,
 * DEAs and a router, each started from its jar and configured only by environment.
 */
final class Cloud implements AutoCloseable {

  static final String ADMIN = "admin@e2e.test";
  static final String ADMIN_PASSWORD = "e2e-admin-secret";
  static final String DOMAIN = "e2e.localhost";

  final NatsServer nats;
  final Path dir;
  final int apiPort = NatsServer.freePort();
  final int routerPort = NatsServer.freePort();
  final List<ComponentProcess> processes = new ArrayList<>();
  final Map<String, ComponentProcess> deas = new HashMap<>();
  /** HTTP/1.1 like curl and browsers on plain http (no h2c upgrade attempts). */
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  Cloud(NatsServer nats, Path dir) {
    this.nats = nats;
    this.dir = dir;
  }

  private Map<String, String> base(String name) {
    Map<String, String> env = new HashMap<>();
    env.put("UPDRAFT__NATS__SERVERS", "[" + nats.url() + "]");
    env.put("UPDRAFT__NATS__USER", NatsServer.USER);
    env.put("UPDRAFT__NATS__PASSWORD", NatsServer.PASSWORD);
    env.put("UPDRAFT__LOCAL_IP", "127.0.0.1");
    env.put("UPDRAFT_HOME", dir.resolve(name).toString());
    return env;
  }

  ComponentProcess controller() throws Exception {
    return controller(Map.of());
  }

  ComponentProcess controller(Map<String, String> extra) throws Exception {
    Map<String, String> env = base("controller");
    env.put("UPDRAFT__PORT", String.valueOf(apiPort));
    env.put("UPDRAFT__EXTERNAL_URI", "api." + DOMAIN);
    env.put("UPDRAFT__DATA_DIR", dir.resolve("controller").toString());
    env.put("UPDRAFT__PASSWORD_HASH_ITERATIONS", "1000");
    // services nodes announce every 500 ms in these tests
    env.put("UPDRAFT__SERVICES__FRESHNESS_MS", "3000");
    env.put("UPDRAFT__ADMINS", "[{email: '" + ADMIN + "', password: '" + ADMIN_PASSWORD
        + "'}]");
    env.putAll(extra);
    return add(ComponentProcess.start("controller", "controller", env));
  }

  ComponentProcess stager() throws Exception {
    Map<String, String> env = base("stager");
    env.put("UPDRAFT__WORK_DIR", dir.resolve("stager").toString());
    return add(ComponentProcess.start("stager", "stager", env));
  }

  ComponentProcess dea(String name) throws Exception {
    return dea(name, 2048);
  }

  ComponentProcess dea(String name, int maxMemoryMb) throws Exception {
    return dea(name, maxMemoryMb, Map.of());
  }

  /** A DEA with more settings ({@code UPDRAFT__ISOLATION__MODE=container}, ...). */
  ComponentProcess dea(String name, int maxMemoryMb, Map<String, String> extra)
      throws Exception {
    Map<String, String> env = base(name);
    env.put("UPDRAFT__BASE_DIR", dir.resolve(name).toString());
    env.put("UPDRAFT__MAX_MEMORY_MB", String.valueOf(maxMemoryMb));
    env.put("UPDRAFT__INTERVALS__HEARTBEAT_MS", "1000");
    env.put("UPDRAFT__INTERVALS__ADVERTISE_MS", "1000");
    // a stop evacuates and frees every container within the test's own stop bound (15 s);
    // the default 30 s would be cut short and leave them to nobody
    env.put("UPDRAFT__EVACUATION_DELAY_MS", "1000");
    env.putAll(extra);
    ComponentProcess dea = add(ComponentProcess.start(name, "dea", env));
    deas.put(name, dea);
    return dea;
  }

  /**
   * A health manager with timings shortened for tests; {@code clusterPorts} non-empty makes it
   * a Hazelcast member of a cluster of that many health managers, listening on the
   * {@code member}-th port.
   */
  ComponentProcess healthManager(String name, List<Integer> clusterPorts, int member)
      throws Exception {
    return healthManager(name, clusterPorts, member, Map.of());
  }

  ComponentProcess healthManager(String name, List<Integer> clusterPorts, int member,
      Map<String, String> extra) throws Exception {
    Map<String, String> env = base(name);
    env.put("UPDRAFT__ANALYSIS_INTERVAL_MS", "500");
    env.put("UPDRAFT__DEA_LOST_SECONDS", "5");
    env.put("UPDRAFT__STARTUP_GRACE_SECONDS", "3");
    env.put("UPDRAFT__TAKEOVER_GRACE_SECONDS", "2");
    env.put("UPDRAFT__START_PENDING_SECONDS", "10");
    env.put("UPDRAFT__DESIRED_STATE_INTERVAL_SECONDS", "5");
    env.put("UPDRAFT__CRASH", "{immediate_restarts: 1, backoff_min_ms: 500, "
        + "flapping_crashes: 3, flapping_delay_seconds: 300}");
    if (!clusterPorts.isEmpty()) {
      env.put("UPDRAFT__CLUSTER__MODE", "member");
      env.put("UPDRAFT__CLUSTER__NAME", "e2e-" + clusterPorts.get(0));
      env.put("UPDRAFT__CLUSTER__HOST", "127.0.0.1");
      env.put("UPDRAFT__CLUSTER__PORT", String.valueOf(clusterPorts.get(member)));
      env.put("UPDRAFT__CLUSTER__MEMBERS", clusterPorts.stream()
          .map(p -> "'127.0.0.1:" + p + "'").toList().toString());
      env.put("UPDRAFT__LEADER_LEASE_SECONDS", "3");
    }
    env.putAll(extra);
    return add(ComponentProcess.start(name, "health-manager", env));
  }

  /**
   * A DEA template for the {@code local} scaling platform: a DEA config file naming this
   * cloud's NATS, as a node booted from a template would be given at boot.
   */
  Path deaTemplate(int maxMemoryMb) throws Exception {
    Path template = dir.resolve("dea-template.yml");
    Files.writeString(template, String.join("\n",
        "nats: {servers: ['" + nats.url() + "'], user: '" + NatsServer.USER + "', password: '"
            + NatsServer.PASSWORD + "'}",
        "local_ip: 127.0.0.1",
        "max_memory_mb: " + maxMemoryMb,
        "intervals: {heartbeat_ms: 1000, advertise_ms: 1000}",
        "evacuation_delay_ms: 1000", ""));
    return template;
  }

  static Path componentJar(String module) {
    return ComponentProcess.SOURCE_TREE.resolve(module).resolve("target")
        .resolve("updraft-" + module + ".jar");
  }

  /** Every component of that type's {@code /varz}, found the operator's way (discover). */
  List<com.fasterxml.jackson.databind.JsonNode> varz(String type) throws Exception {
    List<com.fasterxml.jackson.databind.JsonNode> out = new ArrayList<>();
    try (Connection c = connect()) {
      String inbox = c.createInbox();
      Subscription sub = c.subscribe(inbox);
      c.publish(Subjects.COMPONENT_DISCOVER, inbox, "{}".getBytes(StandardCharsets.UTF_8));
      io.nats.client.Message m;
      while ((m = sub.nextMessage(Duration.ofMillis(500))) != null) {
        if (m.isStatusMessage()) {
          continue;
        }
        ComponentDiscover d = ComponentDiscover.fromJson(m.getData());
        if (!type.equals(d.type())) {
          continue;
        }
        String auth = java.util.Base64.getEncoder().encodeToString((d.credentials().get(0) + ":"
            + d.credentials().get(1)).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
            URI.create("http://" + d.host() + "/varz")).header("Authorization", "Basic " + auth)
            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        out.add(Json.tree(r.body().getBytes(StandardCharsets.UTF_8)));
      }
    }
    return out;
  }

  /**
   * A services node serving every type on the machine's PostgreSQL, MariaDB and Redis, and
   * filesystem; announcing every 500 ms so the controller's freshness window can be short.
   */
  ComponentProcess servicesNode() throws Exception {
    return servicesNode(Map.of());
  }

  /** A services node with more settings (e.g. {@code UPDRAFT__SERVICES} of fewer types). */
  ComponentProcess servicesNode(Map<String, String> extra) throws Exception {
    Map<String, String> env = base("services-node");
    env.put("UPDRAFT__DATA_DIR", dir.resolve("services-node").toString());
    env.put("UPDRAFT__ANNOUNCE_INTERVAL_MS", "500");
    env.put("UPDRAFT__SERVICES", "{postgresql: {}, mysql: {}, redis: {}, filesystem: {}}");
    env.putAll(extra);
    return add(ComponentProcess.start("services-node", "services-node", env));
  }

  ComponentProcess router() throws Exception {
    Map<String, String> env = base("router");
    env.put("UPDRAFT__PORT", String.valueOf(routerPort));
    return add(ComponentProcess.start("router", "router", env));
  }

  private ComponentProcess add(ComponentProcess p) {
    processes.add(p);
    return p;
  }

  /** Waits until {@code count} components of each type answer vcap.component.discover. */
  void awaitComponents(Map<String, Integer> wanted, Duration timeout) throws Exception {
    Instant deadline = Instant.now().plus(timeout);
    try (Connection c = connect()) {
      while (true) {
        Map<String, Integer> seen = new HashMap<>();
        String inbox = c.createInbox();
        Subscription sub = c.subscribe(inbox);
        c.publish(Subjects.COMPONENT_DISCOVER, inbox, "{}".getBytes(StandardCharsets.UTF_8));
        io.nats.client.Message m;
        while ((m = sub.nextMessage(Duration.ofMillis(500))) != null) {
          if (!m.isStatusMessage()) {
            seen.merge(ComponentDiscover.fromJson(m.getData()).type(), 1, Integer::sum);
          }
        }
        sub.unsubscribe();
        boolean all = wanted.entrySet().stream()
            .allMatch(e -> seen.getOrDefault(e.getKey(), 0) >= e.getValue());
        if (all) {
          return;
        }
        for (ComponentProcess p : processes) {
          if (!p.isAlive()) {
            throw new IllegalStateException(p.name + " died; see " + ComponentProcess.LOGS
                .resolve(p.name + ".log"));
          }
        }
        if (Instant.now().isAfter(deadline)) {
          throw new IllegalStateException("components did not all answer: wanted " + wanted
              + ", saw " + seen);
        }
      }
    }
  }

  Connection connect() throws Exception {
    return Nats.connect(new Options.Builder().server(nats.url())
        .userInfo(NatsServer.USER.toCharArray(), NatsServer.PASSWORD.toCharArray()).build());
  }

  CloudClient admin() {
    CloudClient anonymous = new CloudClient("http://127.0.0.1:" + apiPort, null);
    return anonymous.withToken(anonymous.login(ADMIN, ADMIN_PASSWORD));
  }

  /** GET through the router with the app's host name. */
  HttpResponse<String> viaRouter(String host, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + routerPort + path))
        .header("Host", host).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The DEA ids running the app's instances, from dea.find.droplet. */
  List<String> deasRunning(String appId) throws Exception {
    try (Connection c = connect()) {
      String inbox = c.createInbox();
      Subscription sub = c.subscribe(inbox);
      c.publish(Subjects.DEA_FIND_DROPLET, inbox, ("{\"droplet\":\"" + appId
          + "\",\"states\":[\"RUNNING\"]}").getBytes(StandardCharsets.UTF_8));
      List<String> out = new ArrayList<>();
      io.nats.client.Message m;
      while ((m = sub.nextMessage(Duration.ofMillis(800))) != null) {
        if (!m.isStatusMessage()) {
          out.add(Json.tree(m.getData()).path("dea").asText());
        }
      }
      return out;
    }
  }

  static Path example(String name) {
    Path p = ComponentProcess.SOURCE_TREE.resolve("examples").resolve(name);
    if (!Files.isDirectory(p)) {
      throw new IllegalStateException("example missing: " + p);
    }
    return p;
  }

  @Override
  public void close() {
    for (int i = processes.size() - 1; i >= 0; i--) {
      processes.get(i).close();
    }
  }
}
