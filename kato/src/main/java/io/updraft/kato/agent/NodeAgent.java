package io.updraft.kato.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.updraft.common.bus.NatsConfig;
import io.updraft.common.component.ComponentIdentity;
import io.updraft.common.component.LocalAddress;
import io.updraft.kato.KatoMain;
import io.updraft.kato.cluster.ClusterStore;
import io.updraft.kato.cluster.HazelcastClusterStore;
import io.updraft.kato.cluster.JsonPaths;
import io.updraft.kato.node.NodeConfig;
import io.updraft.kato.node.NodeHome;
import io.updraft.kato.roles.Roles;
import io.updraft.kato.roles.Roles.ProcessDef;
import io.updraft.kato.roles.Roles.RoleDef;
import io.updraft.kato.supervisor.Backoff;
import io.updraft.kato.supervisor.ProcessState;
import io.updraft.kato.supervisor.ProcessStatus;
import io.updraft.kato.supervisor.Supervisor;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node agent: one per node. It keeps this node's record in the cluster, supervises the
 * processes of the roles enabled here, serves {@code kato} on a loopback HTTP API
 * ({@link AgentServer}) and edits the cluster config. On the core node it is the Hazelcast
 * member that holds (and persists) the cluster's state; elsewhere it is a client of the core.
 *
 * <p>Every public method may block (Hazelcast, processes, files): the HTTP layer calls them
 * on worker threads. Changes to roles and processes are serialised by one lock.
 */
public final class NodeAgent implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(NodeAgent.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** A node whose agent has not been heard from for this long is shown as down. */
  static final Duration DOWN_AFTER = Duration.ofSeconds(15);
  /** How long a data server's port is waited for before the next process starts. */
  private static final Duration SERVER_START = Duration.ofSeconds(90);

  /** Tunables; tests shorten them. */
  public record Options(Backoff backoff, Duration runningAfter, Duration stopGrace,
      Duration heartbeat, Duration clientAttemptTimeout) {
    public static Options standard() {
      return new Options(Backoff.standard(), Duration.ofSeconds(3), Duration.ofSeconds(15),
          Duration.ofSeconds(3), Duration.ofSeconds(5));
    }
  }

  private final Path home;
  private final Roles roles;
  private final Options options;
  private final Object lock = new Object();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private final ComponentLaunches launches;
  private volatile NodeConfig node;
  private volatile ClusterStore store;
  private volatile boolean closing;
  private volatile boolean detached;
  private final java.util.concurrent.atomic.AtomicBoolean joining =
      new java.util.concurrent.atomic.AtomicBoolean();
  private Supervisor supervisor;
  private Vertx vertx;
  private AgentServer server;
  private Thread joiner;
  private long heartbeatTimer = -1;
  private NodeServices services;
  private volatile String joinError;

  public NodeAgent(Path home, Roles roles, Options options) {
    this.home = home;
    this.roles = roles;
    this.options = options;
    this.launches = new ComponentLaunches(home, () -> node, () -> requireStore(), roles);
  }

  public Path home() {
    return home;
  }

  /** Starts the API, joins (or, on the core, forms) the cluster and starts this node's roles. */
  public void start() throws Exception {
    // what an older version left readable (logs, configs, the cluster state) is made private
    int tightened = NodeHome.tighten(home);
    log.atDebug().setMessage("agent.home.private").addKeyValue("home", home)
        .addKeyValue("modes_changed", tightened).log();
    node = identity(NodeConfig.readNode(nodeFile()));
    String token = AgentToken.loadOrCreate(home.resolve("agent.token"));
    supervisor = new Supervisor(home.resolve("logs"), options.backoff(), options.runningAfter(),
        options.stopGrace());
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(8));
    server = new AgentServer(vertx, this, token);
    server.listen("127.0.0.1", node.agentPort()).toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    log.atInfo().setMessage("agent.started").addKeyValue("node", node.nodeId())
        .addKeyValue("core", node.core()).addKeyValue("port", server.port()).log();
    if (node.core()) {
      join();
    } else if (node.coreAddress() != null) {
      startJoiner();
    }
    heartbeatTimer = vertx.setPeriodic(options.heartbeat().toMillis(),
        id -> vertx.executeBlocking(() -> {
          heartbeat();
          return null;
        }, false));
  }

  /** The port the API listens on (a test may ask for port 0). */
  public int port() {
    return server.port();
  }

  /** Completes when the agent has shut down (API {@code shutdown} or {@code detach}). */
  public CompletableFuture<Void> closed() {
    return closed;
  }

  private Path nodeFile() {
    return home.resolve("node.yml");
  }

  /** Gives a node seen for the first time its id, name and address. */
  private NodeConfig identity(NodeConfig n) throws IOException {
    if (n.nodeId() != null && n.hostname() != null && n.ip() != null) {
      return n;
    }
    String hostname = n.hostname();
    if (hostname == null) {
      try {
        hostname = InetAddress.getLocalHost().getHostName();
      } catch (IOException e) {
        hostname = "node";
      }
    }
    NodeConfig filled = new NodeConfig(n.nats(),
        n.nodeId() != null ? n.nodeId() : ComponentIdentity.secureId().substring(0, 12),
        hostname, n.ip() != null ? n.ip() : LocalAddress.pick(null), n.roles(), n.core(),
        n.coreAddress(), n.apiEndpoint(), n.agentPort(), n.hazelcastPort(), n.natsPort(),
        n.httpPort(), n.jars());
    filled.write(nodeFile());
    return filled;
  }

  // ---- joining the cluster

  private void join() throws IOException {
    NodeConfig n = node;
    if (n.core()) {
      String bind = "127.0.0.1".equals(n.ip()) ? "127.0.0.1" : "0.0.0.0";
      store = HazelcastClusterStore.member(bind, n.ip(), n.hazelcastPort(),
          home.resolve("cluster"), "kato-" + n.nodeId());
      seedClusterDocument();
    } else {
      store = HazelcastClusterStore.client(n.coreAddress(), "kato-" + n.nodeId() + "-"
          + System.nanoTime(), options.clientAttemptTimeout().toMillis());
    }
    joinError = null;
    afterJoin();
  }

  /** At most one thread (re)joins the cluster at a time. */
  private void startJoiner() {
    if (!joining.compareAndSet(false, true)) {
      return;
    }
    joiner = new Thread(() -> {
      try {
        joinLoop();
      } finally {
        joining.set(false);
      }
    }, "kato-agent-join");
    joiner.setDaemon(true);
    joiner.start();
  }

  /** Forgets {@code lost} unless another store replaced it meanwhile; true if it did. */
  private synchronized boolean dropStore(ClusterStore lost) {
    if (store != lost) {
      return false;
    }
    store = null;
    return true;
  }

  /** A client keeps trying (the core may be rebooting); each attempt is bounded. */
  private void joinLoop() {
    while (!closing && store == null) {
      try {
        join();
      } catch (Exception e) {
        joinError = "cannot reach the core at " + node.coreAddress() + ": " + e.getMessage();
        log.atWarn().setMessage("agent.join.failed").addKeyValue("core", node.coreAddress())
            .addKeyValue("error", e.toString()).log();
      }
    }
  }

  /** The core makes sure the cluster document has the bus, the API endpoint and an admin. */
  private void seedClusterDocument() {
    NodeConfig n = node;
    ObjectNode doc = store.config(Roles.CLUSTER_COMPONENT)
        .orElseGet(JsonNodeFactory.instance::objectNode);
    ObjectNode nats = doc.with("nats");
    nats.putArray("servers").add("nats://" + n.ip() + ":" + n.natsPort());
    if (!nats.has("user")) {
      nats.put("user", "updraft");
    }
    if (!nats.has("password")) {
      nats.put("password", ComponentIdentity.secureId());
    }
    if (n.apiEndpoint() != null) {
      doc.put("api_endpoint", n.apiEndpoint());
      doc.put("domain", n.apiEndpoint().startsWith("api.") ? n.apiEndpoint().substring(4)
          : n.apiEndpoint());
    }
    if (!doc.has("admin")) {
      doc.putObject("admin").put("email", "admin@updraft.local")
          .put("password", ComponentIdentity.secureId().substring(0, 16));
    }
    store.putConfig(Roles.CLUSTER_COMPONENT, doc);
  }

  private void afterJoin() throws IOException {
    log.atInfo().setMessage("agent.joined").addKeyValue("node", node.nodeId())
        .addKeyValue("members", store.members()).log();
    JsonNode nats = store.config(Roles.CLUSTER_COMPONENT).map(d -> d.get("nats")).orElse(null);
    if (nats != null) {
      NatsConfig bus = JSON.convertValue(nats, NatsConfig.class);
      synchronized (lock) {
        node = node.withNats(bus);
        node.write(nodeFile());
      }
    }
    heartbeat();
    applyRoles();
    heartbeat();
    startServices();
  }

  /** Node status, component logs and (core) config requests on the bus, once per agent. */
  private synchronized void startServices() {
    if (services == null && !closing && node.nats() != null) {
      services = new NodeServices(this, node);
      vertx.deployVerticle(services);
    }
  }

  NodeConfig node() {
    return node;
  }

  List<ProcessStatus> processStatuses() {
    return supervisor == null ? List.of() : supervisor.statuses();
  }

  private ClusterStore requireStore() {
    ClusterStore s = store;
    if (s == null) {
      throw new AgentException(503, joinError != null ? joinError
          : node.coreAddress() == null ? "this node is not part of a cluster (kato setup core or "
              + "kato attach)" : "not connected to the core at " + node.coreAddress() + " yet");
    }
    return s;
  }

  public boolean joined() {
    return store != null;
  }

  // ---- roles and processes

  /** Brings the supervised processes in line with the enabled roles. */
  private void applyRoles() {
    List<ProcessDef> wanted;
    synchronized (lock) {
      wanted = roles.processesFor(node.roles());
      Set<String> names = new java.util.HashSet<>();
      wanted.forEach(p -> names.add(p.name()));
      for (String running : supervisor.names()) {
        if (!names.contains(running)) {
          supervisor.remove(running);
        }
      }
      wanted.forEach(p -> {
        if (p.stopGraceSeconds() != null) {
          supervisor.define(p.name(), launches.factory(p),
              Duration.ofSeconds(p.stopGraceSeconds()));
        } else {
          supervisor.define(p.name(), launches.factory(p));
        }
      });
    }
    startInOrder(wanted.stream().map(ProcessDef::name).toList());
  }

  private void startInOrder(List<String> names) {
    for (String name : names) {
      supervisor.start(name);
      Optional<ProcessDef> def = roles.process(name);
      if (def.map(ProcessDef::isNats).orElse(false)) {
        awaitPort("127.0.0.1", node.natsPort(), Duration.ofSeconds(15), () -> false);
      } else if (def.map(ProcessDef::isServer).orElse(false)) {
        // the services node after it finds its servers answering (a first start initialises
        // their data: seconds); a server that cannot start is not waited for
        try {
          var settings = launches.serverSettings(def.get());
          awaitPort(settings.adminHost(), settings.port(), SERVER_START, () -> supervisor
              .status(name).map(st -> st.state() != ProcessState.STARTING
                  && st.state() != ProcessState.RUNNING).orElse(true));
        } catch (RuntimeException e) {
          // bad settings: the server's own start says so
        }
      }
    }
  }

  private static void awaitPort(String host, int port, Duration timeout,
      java.util.function.BooleanSupplier giveUp) {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline) && !giveUp.getAsBoolean()) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(host, port), 200);
        return;
      } catch (IOException e) {
        try {
          Thread.sleep(100); // polling a port another process is opening
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  public ObjectNode enableRoles(List<String> spellings) throws IOException {
    List<String> wanted = resolveRoles(spellings);
    synchronized (lock) {
      List<String> current = new ArrayList<>(node.roles());
      for (String role : wanted) {
        if (current.contains(role)) {
          continue;
        }
        RoleDef def = roles.role(role).orElseThrow();
        if ("core".equals(role) && !node.core()) {
          throw new AgentException(409, "the core role comes with 'kato setup core' on the core "
              + "node; this node is attached to " + node.coreAddress());
        }
        if (def.maxPerCluster() != null) {
          long holders = requireStore().nodes().entrySet().stream()
              .filter(e -> !e.getKey().equals(node.nodeId()))
              .filter(e -> hasRole(e.getValue(), role)).count();
          if (holders >= def.maxPerCluster()) {
            throw new AgentException(409, "role " + role + ": at most " + def.maxPerCluster()
                + " per cluster, and " + holders + " other node(s) have it");
          }
        }
        current.add(role);
      }
      node = node.withRoles(current);
      node.write(nodeFile());
    }
    if (store != null) {
      heartbeat();
      applyRoles();
    }
    return rolesView();
  }

  public ObjectNode disableRoles(List<String> spellings) throws IOException {
    List<String> unwanted = resolveRoles(spellings);
    synchronized (lock) {
      if (unwanted.contains("core") && node.core()) {
        throw new AgentException(409, "the core node keeps the core role (it holds the "
            + "cluster's state)");
      }
      List<String> current = new ArrayList<>(node.roles());
      current.removeAll(unwanted);
      node = node.withRoles(current);
      node.write(nodeFile());
    }
    if (store != null) {
      heartbeat();
      applyRoles();
    }
    return rolesView();
  }

  private List<String> resolveRoles(List<String> spellings) {
    try {
      return roles.resolveRoles(spellings);
    } catch (IllegalArgumentException e) {
      throw new AgentException(400, e.getMessage());
    }
  }

  private static boolean hasRole(ObjectNode nodeRecord, String role) {
    for (JsonNode r : nodeRecord.path("roles")) {
      if (r.asText().equals(role)) {
        return true;
      }
    }
    return false;
  }

  public ObjectNode rolesView() {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    ArrayNode list = out.putArray("roles");
    for (RoleDef r : roles.all()) {
      ObjectNode o = list.addObject();
      o.put("name", r.name());
      o.put("enabled", node.roles().contains(r.name()));
      o.set("processes", JSON.valueToTree(r.processes()));
      o.set("aliases", JSON.valueToTree(r.aliases()));
      if (r.maxPerCluster() != null) {
        o.put("max_per_cluster", r.maxPerCluster());
      }
      o.put("description", r.description());
    }
    return out;
  }

  /** Start, stop or restart processes of this node ({@code names} empty: all of them). */
  public ObjectNode processes(String action, List<String> names) {
    List<String> targets;
    try {
      targets = names.isEmpty() ? supervisor.names() : roles.resolveProcesses(names);
    } catch (IllegalArgumentException e) {
      throw new AgentException(400, e.getMessage());
    }
    for (String t : targets) {
      if (!supervisor.names().contains(t)) {
        throw new AgentException(400, t + " does not run on this node (its roles: "
            + String.join(", ", node.roles()) + "); enable a role that runs it");
      }
    }
    switch (action) {
      case "start" -> startInOrder(targets);
      case "stop" -> {
        List<String> first = targets.stream().filter(t -> !"nats".equals(t)).toList();
        supervisor.stop(first);
        if (targets.contains("nats")) {
          supervisor.stop(List.of("nats"));
        }
      }
      case "restart" -> {
        List<String> reversed = new ArrayList<>(targets);
        Collections.reverse(reversed);
        supervisor.stop(reversed, true);
        startInOrder(targets);
      }
      default -> throw new AgentException(400, "unknown action " + action);
    }
    heartbeat();
    return status(false);
  }

  // ---- status, nodes, info

  public ObjectNode status(boolean all) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    ArrayNode nodes = out.putArray("nodes");
    if (!all) {
      nodes.add(nodeRecord());
      return out;
    }
    for (ObjectNode record : withLiveness(requireStore().nodes()).values()) {
      nodes.add(record);
    }
    return out;
  }

  public ObjectNode nodes() {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    ArrayNode list = out.putArray("nodes");
    withLiveness(requireStore().nodes()).values().forEach(list::add);
    return out;
  }

  /** The node records, the core first, then by name; with their state as of now. */
  private Map<String, ObjectNode> withLiveness(Map<String, ObjectNode> unsorted) {
    Map<String, ObjectNode> records = new java.util.LinkedHashMap<>();
    unsorted.entrySet().stream().sorted(java.util.Comparator
        .comparing((Map.Entry<String, ObjectNode> e) -> !e.getValue().path("core").asBoolean())
        .thenComparing(e -> e.getValue().path("hostname").asText())
        .thenComparing(Map.Entry::getKey))
        .forEach(e -> records.put(e.getKey(), e.getValue()));
    long now = System.currentTimeMillis();
    records.forEach((id, r) -> {
      if (id.equals(node.nodeId())) {
        r.setAll(nodeRecord());
      } else if ("up".equals(r.path("state").asText())
          && now - r.path("last_seen").asLong() > DOWN_AFTER.toMillis()) {
        r.put("state", "down");
      }
    });
    return records;
  }

  public void removeNode(String which) {
    Map<String, ObjectNode> records = withLiveness(requireStore().nodes());
    Optional<Map.Entry<String, ObjectNode>> match = records.entrySet().stream()
        .filter(e -> e.getKey().equals(which) || which.equals(e.getValue().path("hostname")
            .asText()) || which.equals(e.getValue().path("ip").asText())).findFirst();
    if (match.isEmpty()) {
      throw new AgentException(404, "no node '" + which + "' in the cluster (kato node list)");
    }
    if (match.get().getKey().equals(node.nodeId())) {
      throw new AgentException(409, "that is this node; use 'kato detach' to leave the cluster");
    }
    if ("up".equals(match.get().getValue().path("state").asText())) {
      throw new AgentException(409, "node " + which + " is up; run 'kato detach' on it first "
          + "(or stop its agent)");
    }
    requireStore().removeNode(match.get().getKey());
  }

  public void rename(String hostname) throws IOException {
    if (hostname == null || !hostname.matches("[A-Za-z0-9][A-Za-z0-9.-]{0,252}")) {
      throw new AgentException(400, "bad hostname '" + hostname + "'");
    }
    synchronized (lock) {
      node = node.withHostname(hostname);
      node.write(nodeFile());
    }
    heartbeat();
  }

  public ObjectNode info() {
    NodeConfig n = node;
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("node_id", n.nodeId());
    out.put("hostname", n.hostname());
    out.put("ip", n.ip());
    out.set("roles", JSON.valueToTree(n.roles()));
    out.put("core", n.core());
    out.put("core_address", n.core() ? n.ip() + ":" + n.hazelcastPort() : n.coreAddress());
    out.put("api_endpoint", n.apiEndpoint());
    out.put("joined", store != null);
    if (joinError != null) {
      out.put("join_error", joinError);
    }
    out.put("version", KatoMain.versionString());
    out.put("home", home.toString());
    if (n.nats() != null) {
      out.set("nats", JSON.valueToTree(n.nats().redactedServers()));
    }
    ClusterStore s = store;
    if (s != null) {
      try {
        out.put("cluster_members", s.members());
        Map<String, ObjectNode> records = withLiveness(s.nodes());
        out.put("cluster_nodes", records.size());
        out.put("cluster_nodes_up", records.values().stream()
            .filter(r -> "up".equals(r.path("state").asText())).count());
        s.config(Roles.CLUSTER_COMPONENT).map(d -> d.get("api_endpoint"))
            .ifPresent(a -> out.put("api_endpoint", a.asText()));
      } catch (RuntimeException e) {
        out.put("cluster_error", e.getMessage());
      }
    }
    return out;
  }

  private ObjectNode nodeRecord() {
    NodeConfig n = node;
    ObjectNode r = JsonNodeFactory.instance.objectNode();
    r.put("node_id", n.nodeId());
    r.put("hostname", n.hostname());
    r.put("ip", n.ip());
    r.set("roles", JSON.valueToTree(n.roles()));
    r.put("core", n.core());
    r.put("state", closing ? "stopped" : "up");
    r.put("last_seen", System.currentTimeMillis());
    ArrayNode procs = r.putArray("processes");
    if (supervisor != null) {
      for (ProcessStatus p : supervisor.statuses()) {
        procs.add(JSON.valueToTree(p));
      }
    }
    return r;
  }

  /** Publishes this node's record; notices a lost connection to the core and rejoins. */
  private void heartbeat() {
    ClusterStore s = store;
    if (s == null || detached) {
      return;
    }
    try {
      s.putNode(node.nodeId(), nodeRecord());
    } catch (RuntimeException e) {
      log.atWarn().setMessage("agent.heartbeat.failed").addKeyValue("error", e.toString()).log();
      if (!node.core() && !closing && isShutDown(e) && dropStore(s)) {
        try {
          s.close();
        } catch (RuntimeException ignored) {
          // already down
        }
        startJoiner();
      }
    }
  }

  private static boolean isShutDown(RuntimeException e) {
    return e.getClass().getSimpleName().contains("NotActive")
        || e instanceof IllegalStateException;
  }

  // ---- cluster config

  /** The config document of {@code component} (or the value at {@code path}); "*": all. */
  public JsonNode configGet(String component, String path) {
    if ("*".equals(component)) {
      ObjectNode all = JsonNodeFactory.instance.objectNode();
      requireStore().configs().forEach((k, v) -> all.set(k, redact(k, v)));
      return all;
    }
    String name = resolveComponent(component);
    ObjectNode doc = redact(name, requireStore().config(name)
        .orElseGet(JsonNodeFactory.instance::objectNode));
    if (path == null || path.isBlank()) {
      return doc;
    }
    JsonNode value = paths(() -> JsonPaths.get(doc, path));
    if (value == null) {
      throw new AgentException(404, name + " has no key " + path);
    }
    return value;
  }

  /**
   * Changes the config: op {@code set}, {@code del}, {@code push} or {@code pop}. Returns what
   * changed and when it takes effect.
   */
  public ObjectNode configChange(String component, String op, String path, JsonNode value) {
    String name = resolveComponent(component);
    ClusterStore s = requireStore();
    ObjectNode doc = s.config(name).orElseGet(JsonNodeFactory.instance::objectNode);
    boolean changed = paths(() -> switch (op) {
      case "set" -> {
        requireValue(value, op);
        JsonPaths.set(doc, path, value);
        yield true;
      }
      case "del" -> {
        if (path == null || path.isBlank()) {
          doc.removeAll();
          yield true;
        }
        yield JsonPaths.remove(doc, path);
      }
      case "push" -> {
        requireValue(value, op);
        JsonPaths.push(doc, path, value);
        yield true;
      }
      case "pop" -> JsonPaths.pop(doc, path, value);
      default -> throw new AgentException(400, "unknown config operation " + op);
    });
    if (!changed) {
      throw new AgentException(404, name + " has no " + ("pop".equals(op) ? "such value in "
          : "key ") + path);
    }
    if (doc.isEmpty()) {
      s.deleteConfig(name);
    } else {
      s.putConfig(name, doc);
    }
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("component", name);
    out.put("path", path);
    boolean live = LiveKeys.isLive(name, path);
    out.put("live", live);
    ComponentLaunches.Check check = checkDocument(name, doc);
    out.set("unknown_keys", JSON.valueToTree(check.unknown()));
    if (check.error() != null) {
      out.put("config_error", check.error());
    }
    String process = roles.processes().stream().filter(p -> name.equals(p.component()))
        .map(ProcessDef::name).findFirst().orElse(name);
    boolean server = roles.processes().stream()
        .anyMatch(p -> name.equals(p.component()) && p.isServer());
    out.put("message", live ? "applied live: " + name + " takes " + path + " at once"
        : Roles.CLUSTER_COMPONENT.equals(name)
            ? "stored; components read it at their next start (kato restart)"
            : server ? "stored; takes effect at the next 'kato restart " + process
                + " services_node dea' on the nodes that run it (the services node and a DEA "
                + "beside it use its port)"
            : "stored; takes effect at the next 'kato restart " + process + "'");
    if (live) {
      LiveKeys.notifyChange(node, name, path, JsonPaths.get(doc, path));
    }
    return out;
  }

  private static void requireValue(JsonNode value, String op) {
    if (value == null) {
      throw new AgentException(400, "config " + op + " needs a value");
    }
  }

  /** What this node's copy of the component says about {@code doc} (best effort). */
  private ComponentLaunches.Check checkDocument(String component, ObjectNode doc) {
    ComponentLaunches.Check none = new ComponentLaunches.Check(List.of(), null);
    Optional<ProcessDef> server = roles.processes().stream()
        .filter(p -> component.equals(p.component()) && p.isServer()).findFirst();
    if (server.isPresent()) {
      try {
        io.updraft.kato.dataservers.DataServerSettings.from(
            ComponentLaunches.server(server.get()), doc);
        return none;
      } catch (RuntimeException e) {
        return new ComponentLaunches.Check(List.of(), e.getMessage());
      }
    }
    Optional<ProcessDef> def = roles.processes().stream()
        .filter(p -> component.equals(p.component()) && p.module() != null).findFirst();
    ObjectNode checked = doc.deepCopy();
    LiveKeys.LIVE.forEach(checked::remove);
    if (def.isEmpty() || checked.isEmpty()) {
      return none;
    }
    try {
      Path jar = launches.jar(def.get());
      Path tmp = home.resolve("config").resolve(".check-" + def.get().name() + ".yml");
      ObjectNode cluster = requireStore().config(Roles.CLUSTER_COMPONENT)
          .orElseGet(JsonNodeFactory.instance::objectNode);
      ComponentLaunches.Check check = launches.check(def.get(), jar, cluster, checked, tmp);
      java.nio.file.Files.deleteIfExists(tmp);
      return check;
    } catch (Exception e) {
      return none;
    }
  }

  private String resolveComponent(String spelling) {
    try {
      return roles.resolveComponent(spelling);
    } catch (IllegalArgumentException e) {
      throw new AgentException(400, e.getMessage());
    }
  }

  private static <T> T paths(java.util.function.Supplier<T> op) {
    try {
      return op.get();
    } catch (IllegalArgumentException e) {
      throw new AgentException(400, e.getMessage());
    }
  }

  /** Hides the cluster's secrets from {@code kato config get}. */
  private static ObjectNode redact(String component, ObjectNode doc) {
    if (!Roles.CLUSTER_COMPONENT.equals(component)) {
      return doc;
    }
    ObjectNode copy = doc.deepCopy();
    if (copy.path("nats").isObject() && copy.path("nats").has("password")) {
      ((ObjectNode) copy.get("nats")).put("password", "***");
    }
    if (copy.path("admin").isObject() && copy.path("admin").has("password")) {
      ((ObjectNode) copy.get("admin")).put("password", "***");
    }
    return copy;
  }

  /** The admin's login from the cluster document (for the micro cloud's greeting). */
  public Optional<JsonNode> admin() {
    return requireStore().config(Roles.CLUSTER_COMPONENT).map(d -> d.get("admin"));
  }

  // ---- leaving

  /** Refuses to detach the core. */
  void checkDetachable() {
    if (node.core()) {
      throw new AgentException(409, "this is the core node; it cannot detach from its own "
          + "cluster (stop it with 'kato stop', or remove other nodes with 'kato node remove')");
    }
  }

  /** Stops this node's processes, removes its record and leaves the cluster; then closes. */
  public void detach() throws IOException {
    checkDetachable();
    stopAll();
    detached = true;
    ClusterStore s = store;
    if (s != null) {
      s.removeNode(node.nodeId());
    }
    synchronized (lock) {
      node = new NodeConfig(null, node.nodeId(), node.hostname(), node.ip(), List.of(), false,
          null, null, node.agentPort(), node.hazelcastPort(), node.natsPort(), node.httpPort(),
          node.jars());
      node.write(nodeFile());
    }
    close();
  }

  private void stopAll() {
    if (supervisor == null) {
      return;
    }
    List<String> names = new ArrayList<>(supervisor.names());
    names.remove("nats");
    supervisor.stop(names);
    if (supervisor.names().contains("nats")) {
      supervisor.stop(List.of("nats"));
    }
  }

  /** Stops every process, marks the node stopped, leaves the cluster and the API. */
  @Override
  public void close() {
    boolean first;
    synchronized (this) {
      first = !closing;
      closing = true;
    }
    if (!first) {
      closed.join();
      return;
    }
    try {
      if (vertx != null && heartbeatTimer >= 0) {
        vertx.cancelTimer(heartbeatTimer);
      }
      stopAll();
      if (supervisor != null) {
        supervisor.close();
      }
      ClusterStore s = store;
      if (s != null) {
        try {
          if (!detached) {
            s.putNode(node.nodeId(), nodeRecord());
          }
        } catch (RuntimeException e) {
          // the core may already be gone
        }
        s.close();
        store = null;
      }
      if (vertx != null) {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      log.atWarn().setMessage("agent.stop.incomplete").addKeyValue("error", e.toString()).log();
    } finally {
      log.atInfo().setMessage("agent.stopped").log();
      closed.complete(null);
    }
  }

  /** Asks for a shutdown from a request handler: answer first, then close. */
  void closeLater() {
    Thread t = new Thread(this::close, "kato-agent-close");
    t.start();
  }

  void detachLater() {
    Thread t = new Thread(() -> {
      try {
        detach();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, "kato-agent-detach");
    t.start();
  }

  boolean isCore() {
    return node.core();
  }
}
