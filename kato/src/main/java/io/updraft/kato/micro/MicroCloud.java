package io.updraft.kato.micro;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.updraft.common.files.PrivateFiles;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.component.ComponentDiscover;
import io.updraft.kato.agent.NodeAgent;
import io.updraft.kato.cluster.FileMapStore;
import io.updraft.kato.cluster.HazelcastClusterStore;
import io.updraft.kato.node.NodeConfig;
import io.updraft.kato.node.NodeHome;
import io.updraft.kato.roles.Roles;
import io.updraft.kato.supervisor.ProcessState;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A whole Updraft cloud on one machine: this node set up as a core with every role, its agent
 * running in this process (the same agent and supervisor as a cluster node's), so the
 * processes are supervised and restarted, {@code kato status|stop|restart|config} work on it,
 * and stopping this process stops every process it started. Its settings ({@code micro.yml}:
 * NATS port and credentials, the admin), the cluster config and data stay in
 * {@code $UPDRAFT_HOME}: a second start is the same cloud.
 */
public final class MicroCloud {

  /** Every role a micro cloud runs. */
  static final List<String> ROLES = List.of("core", "stager", "dea", "data-services");
  /** The component types that must answer discover before the cloud counts as up. */
  static final List<String> TYPES = List.of("CloudController", "Router", "HealthManager",
      "Stager", "DEA", "ServicesNode");

  private static final int DEFAULT_NATS_PORT = 4222;
  private static final int DEFAULT_API_PORT = 9022;
  /** {@code *.localhost} resolves to loopback in browsers and curl, with no DNS set up. */
  static final String API_HOST = "api.localhost";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path home;
  private final Path jars;
  private final Integer natsPort;
  private final int httpPort;
  private final PrintWriter out;
  private MicroSettings settings;
  private NodeAgent agent;
  private int apiPort;
  private final Map<String, ComponentDiscover> components = new ConcurrentHashMap<>();

  MicroCloud(Path home, Path jars, Integer natsPort, int httpPort, PrintWriter out) {
    this.home = home;
    this.jars = jars;
    this.natsPort = natsPort;
    this.httpPort = httpPort;
    this.out = out;
  }

  /** Starts everything and returns once every component has answered discover. */
  void start(Duration timeout) throws Exception {
    Path micro = PrivateFiles.createDirectories(NodeHome.create(home).resolve("micro"));
    Path nodeFile = home.resolve("node.yml");
    NodeConfig old = Files.isRegularFile(nodeFile) ? NodeConfig.readNode(nodeFile)
        : new NodeConfig(null);
    if (old.agentPort() != null && !portFree(old.agentPort()) && agentAnswers()) {
      throw new IllegalStateException("an agent already runs this node (" + home + "); stop it "
          + "with 'kato agent --stop' first");
    }
    settings = MicroSettings.loadOrCreate(micro.resolve("micro.yml"),
        natsPort != null ? natsPort : DEFAULT_NATS_PORT);
    if (natsPort != null && natsPort != settings.natsPort()) {
      settings = settings.withPort(natsPort);
      settings.write(micro.resolve("micro.yml"));
    }
    if (!portFree(settings.natsPort())) {
      if (natsPort != null) {
        throw new IllegalStateException("port " + natsPort + " is already in use");
      }
      int port = freePort();
      out.printf("port %d is taken (another NATS?); this micro cloud's NATS uses %d%n",
          settings.natsPort(), port);
      settings = settings.withPort(port);
      settings.write(micro.resolve("micro.yml"));
    }
    if (!portFree(httpPort)) {
      throw new IllegalStateException("port " + httpPort + " (the router's) is already in use; "
          + "pass --http-port");
    }
    apiPort = portFree(DEFAULT_API_PORT) ? DEFAULT_API_PORT : freePort();
    NodeConfig node = new NodeConfig(null, old.nodeId(), old.hostname() != null
        ? old.hostname() : "micro", "127.0.0.1", ROLES, true, null, API_HOST,
        pick(old.agentPort(), NodeConfig.DEFAULT_AGENT_PORT),
        pick(old.hazelcastPort(), NodeConfig.DEFAULT_HAZELCAST_PORT), settings.natsPort(),
        httpPort, jars.toAbsolutePath().toString());
    node.write(nodeFile);
    seedClusterDocument();
    agent = new NodeAgent(home, Roles.builtIn(), NodeAgent.Options.standard());
    agent.start();
    awaitComponents(timeout);
    printSummary();
  }

  /**
   * The micro cloud's own settings go into the cluster document before its member loads it:
   * NATS credentials and the admin from {@code micro.yml}, and a free API port.
   */
  private void seedClusterDocument() throws IOException {
    FileMapStore store = new FileMapStore(home.resolve("cluster")
        .resolve(HazelcastClusterStore.CONFIG_MAP));
    String stored = store.load(Roles.CLUSTER_COMPONENT);
    ObjectNode doc = stored == null ? JsonNodeFactory.instance.objectNode()
        : (ObjectNode) JSON.readTree(stored);
    doc.with("nats").put("user", settings.natsUser()).put("password", settings.natsPassword());
    doc.putObject("admin").put("email", settings.adminEmail())
        .put("password", settings.adminPassword());
    doc.put("api_port", apiPort);
    store.store(Roles.CLUSTER_COMPONENT, doc.toString());
    // one DEA and nowhere to evacuate to: stopping it stops its instances at once
    String dea = store.load("dea");
    ObjectNode deaDoc = dea == null ? JsonNodeFactory.instance.objectNode()
        : (ObjectNode) JSON.readTree(dea);
    if (!deaDoc.has("evacuation_delay_ms")) {
      deaDoc.put("evacuation_delay_ms", 0);
      store.store("dea", deaDoc.toString());
    }
    // the data servers' ports, chosen once: credentials handed to apps name them
    for (io.updraft.kato.dataservers.DataServer server
        : io.updraft.kato.dataservers.DataServer.values()) {
      String name = server.serviceName();
      String saved = store.load(name);
      ObjectNode serverDoc = saved == null ? JsonNodeFactory.instance.objectNode()
          : (ObjectNode) JSON.readTree(saved);
      if (serverDoc.has("port")) {
        continue;
      }
      int port = server.defaultPort();
      if (!portFree(port)) {
        port = freePort();
        out.printf("port %d is taken; this micro cloud's %s uses %d%n", server.defaultPort(),
            name, port);
      }
      serverDoc.put("port", port);
      store.store(name, serverDoc.toString());
    }
  }

  private static int pick(Integer previous, int preferred) throws IOException {
    if (previous != null && portFree(previous)) {
      return previous;
    }
    return portFree(preferred) ? preferred : freePort();
  }

  private boolean agentAnswers() {
    try {
      return io.updraft.kato.agent.AgentClient.forHome(home).isUp();
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Polls {@code vcap.component.discover} until every component answered or time is up. */
  private void awaitComponents(Duration timeout) throws Exception {
    Options options = new Options.Builder().server("nats://127.0.0.1:" + settings.natsPort())
        .userInfo(settings.natsUser().toCharArray(), settings.natsPassword().toCharArray())
        .connectionName("kato-micro").maxReconnects(-1)
        .errorListener(new io.nats.client.ErrorListener() { }).build();
    Instant deadline = Instant.now().plus(timeout);
    try (Connection connection = Nats.connect(options)) {
      Dispatcher dispatcher = connection.createDispatcher(msg -> {
        try {
          ComponentDiscover doc = ComponentDiscover.fromJson(msg.getData());
          components.put(doc.type(), doc);
        } catch (RuntimeException e) {
          // a foreign or broken reply: not one of ours
        }
      });
      String inbox = connection.createInbox();
      dispatcher.subscribe(inbox);
      dispatcher.subscribe(Subjects.COMPONENT_ANNOUNCE);
      while (!components.keySet().containsAll(TYPES)) {
        JsonNode status = agent.status(false).path("nodes").get(0).path("processes");
        for (JsonNode p : status) {
          if (dataServer(p.path("name").asText())) {
            continue; // one that cannot run here leaves its service type off, said in the summary
          }
          if (ProcessState.FATAL.name().equals(p.path("state").asText())) {
            throw new IllegalStateException(p.path("name").asText() + ": "
                + p.path("message").asText());
          }
          if (p.path("restarts").asInt() >= 3) {
            throw new IllegalStateException(p.path("name").asText() + " keeps exiting during "
                + "start (" + p.path("message").asText() + "); see "
                + home.resolve("logs").resolve(p.path("name").asText() + ".log"));
          }
        }
        if (Instant.now().isAfter(deadline)) {
          List<String> missing = TYPES.stream().filter(t -> !components.containsKey(t)).toList();
          throw new IllegalStateException("no answer from " + missing + " within "
              + timeout.toSeconds() + " s; see the logs in " + home.resolve("logs"));
        }
        connection.publish(Subjects.COMPONENT_DISCOVER, inbox, "{}".getBytes());
        Thread.sleep(300); // polling interval of a CLI waiting on other processes
      }
    }
  }

  private void printSummary() {
    out.println();
    out.println("Updraft micro cloud is up.");
    out.println("  NATS:        nats://127.0.0.1:" + settings.natsPort() + "  (user "
        + settings.natsUser() + "; credentials in " + home.resolve("micro/micro.yml") + ")");
    for (String type : TYPES) {
      ComponentDiscover doc = components.get(type);
      out.printf("  %-16s %s  status http://%s/varz%n", type + ":", doc.uuid(), doc.host());
    }
    printDataServers();
    out.println("  Logs:        " + home.resolve("logs") + "   (kato log tail)");
    String api = "http://" + API_HOST + (httpPort == 80 ? "" : ":" + httpPort);
    out.println();
    out.println("API:    " + api + "   (directly: http://127.0.0.1:" + apiPort + ")");
    out.println("Apps:   http://<app>.localhost" + (httpPort == 80 ? "" : ":" + httpPort));
    out.println("Log in: bin/updraft target " + api);
    out.println("        bin/updraft login " + settings.adminEmail() + " --password "
        + settings.adminPassword());
    out.println("        (or register your own user: bin/updraft register you@example.com)");
    out.println("Operate it:     bin/kato status    bin/kato restart dea    bin/kato config get dea");
    out.println("Watch the bus:  bin/kato nats tail      Stop: Ctrl-C (or bin/kato stop)");
    out.flush();
  }

  private static boolean dataServer(String process) {
    return Roles.builtIn().process(process).map(Roles.ProcessDef::isServer).orElse(false);
  }

  /**
   * The data servers: where each listens, or why it does not run (its service type is then
   * unavailable; the rest of the cloud works).
   */
  private void printDataServers() {
    for (JsonNode p : agent.status(false).path("nodes").path(0).path("processes")) {
      String name = p.path("name").asText();
      if (!dataServer(name)) {
        continue;
      }
      String state = p.path("state").asText();
      String port = "";
      try {
        port = agent.configGet(name, null).path("port").asText("");
      } catch (RuntimeException e) {
        // defaults
      }
      if (port.isEmpty()) {
        port = String.valueOf(io.updraft.kato.dataservers.DataServer.byName(name)
            .map(io.updraft.kato.dataservers.DataServer::defaultPort).orElse(0));
      }
      if (ProcessState.FATAL.name().equals(state)) {
        out.printf("  %-16s not available: %s%n", name + ":", p.path("message").asText()
            .replaceFirst("^cannot start: ", ""));
      } else if (ProcessState.BACKOFF.name().equals(state)) {
        out.printf("  %-16s not running: %s (see %s)%n", name + ":",
            p.path("message").asText(), home.resolve("logs").resolve(name + ".log"));
      } else {
        // started, and the agent waited for its port
        out.printf("  %-16s port %s  (admin password in %s)%n", name + ":", port,
            home.resolve("data").resolve(name + ".password"));
      }
    }
  }

  /** Blocks until the agent is shut down (Ctrl-C, or {@code kato agent --stop}). */
  void awaitShutdown() {
    agent.closed().join();
  }

  /** Stops every process (components first, NATS last) and the agent. */
  void stop() {
    if (agent != null) {
      agent.close();
    }
  }

  static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static boolean portFree(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
