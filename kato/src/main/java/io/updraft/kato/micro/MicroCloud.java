package io.updraft.kato.micro;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.updraft.common.bus.NatsConfig;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.component.ComponentDiscover;
import io.updraft.kato.node.NodeConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A whole Updraft cloud on one machine: a private, authenticated {@code nats-server} and one
 * process per component, with their logs and settings under {@code $UPDRAFT_HOME/micro}.
 * Stopping it stops every process it started; starting it again reuses its settings.
 */
public final class MicroCloud {

  /** One component process of the micro cloud, in start order. */
  record Role(String module, String type, String heap) {
  }

  static final List<Role> ROLES = List.of(
      new Role("controller", "CloudController", "256m"),
      new Role("router", "Router", "128m"),
      new Role("health-manager", "HealthManager", "128m"),
      new Role("stager", "Stager", "128m"),
      new Role("dea", "DEA", "128m"),
      new Role("services-node", "ServicesNode", "128m"));

  private static final int DEFAULT_NATS_PORT = 4222;
  private static final int DEFAULT_API_PORT = 9022;
  /** {@code *.localhost} resolves to loopback in browsers and curl, with no DNS set up. */
  static final String API_HOST = "api.localhost";

  private final Path home;
  private final Path jars;
  private final Integer natsPort;
  private final int httpPort;
  private final PrintWriter out;
  private int apiPort;
  private MicroSettings settings;
  private final List<ChildProcess> children = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, ComponentDiscover> components = new ConcurrentHashMap<>();
  private volatile boolean stopping;

  MicroCloud(Path home, Path jars, Integer natsPort, int httpPort, PrintWriter out) {
    this.home = home;
    this.jars = jars;
    this.natsPort = natsPort;
    this.httpPort = httpPort;
    this.out = out;
  }

  /** Starts everything and returns once every component has answered discover. */
  void start(Duration timeout) throws Exception {
    Path micro = home.resolve("micro");
    Path logs = micro.resolve("logs");
    Files.createDirectories(logs);
    MicroSettings settings = MicroSettings.loadOrCreate(micro.resolve("micro.yml"),
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
    NatsConfig nats = new NatsConfig(List.of("nats://127.0.0.1:" + settings.natsPort()),
        settings.natsUser(), settings.natsPassword(), null, null, null);
    new NodeConfig(nats).write(NodeConfig.home().equals(home) ? NodeConfig.defaultFile()
        : home.resolve("node.yml"));

    startNats(settings, micro, logs);
    awaitPort(settings.natsPort(), Duration.ofSeconds(15));

    Map<String, String> env = new LinkedHashMap<>();
    env.put("UPDRAFT__NATS__SERVERS", "[" + nats.servers().get(0) + "]");
    env.put("UPDRAFT__NATS__USER", settings.natsUser());
    env.put("UPDRAFT__NATS__PASSWORD", settings.natsPassword());
    env.put("UPDRAFT__LOCAL_IP", "127.0.0.1");
    env.put("UPDRAFT_HOME", home.toString());
    apiPort = portFree(DEFAULT_API_PORT) ? DEFAULT_API_PORT : freePort();
    if (!portFree(httpPort)) {
      throw new IllegalStateException("port " + httpPort + " (the router's) is already in use; "
          + "pass --http-port");
    }
    this.settings = settings;
    for (Role role : ROLES) {
      Path jar = jars.resolve(role.module()).resolve("target")
          .resolve("updraft-" + role.module() + ".jar");
      if (!Files.isRegularFile(jar)) {
        jar = jars.resolve("updraft-" + role.module() + ".jar");
      }
      if (!Files.isRegularFile(jar)) {
        throw new IllegalStateException("component jar not found for " + role.module()
            + " under " + jars + " (build it with: mvn -q -DskipTests package)");
      }
      Map<String, String> roleEnv = new LinkedHashMap<>(env);
      roleEnv.putAll(roleSettings(role, settings));
      children.add(ChildProcess.start(role.module(), List.of(javaBinary(),
          "-Xmx" + role.heap(), "-XX:+UseSerialGC", "-XX:MaxMetaspaceSize=128m",
          "-Xss512k", "-jar", jar.toString()), roleEnv, logs.resolve(role.module() + ".log")));
    }
    awaitComponents(nats, timeout);
    printSummary(nats, logs);
  }

  /** What each role needs beyond the bus: its directories, ports and the admin. */
  private Map<String, String> roleSettings(Role role, MicroSettings settings) {
    return switch (role.module()) {
      case "controller" -> Map.of(
          "UPDRAFT__EXTERNAL_URI", API_HOST,
          "UPDRAFT__PORT", String.valueOf(apiPort),
          "UPDRAFT__DATA_DIR", home.resolve("controller").toString(),
          "UPDRAFT__ADMINS", "[{email: '" + settings.adminEmail() + "', password: '"
              + settings.adminPassword() + "'}]");
      case "router" -> Map.of("UPDRAFT__PORT", String.valueOf(httpPort));
      case "dea" -> Map.of("UPDRAFT__BASE_DIR", home.resolve("dea").toString());
      case "stager" -> Map.of("UPDRAFT__WORK_DIR", home.resolve("stager").toString());
      // the embedded default serves filesystem only (no database servers needed); postgresql,
      // mysql and redis are added through the node's config (services.<type>)
      case "services-node" -> Map.of("UPDRAFT__DATA_DIR", home.resolve("services").toString());
      default -> Map.of();
    };
  }

  private void startNats(MicroSettings settings, Path micro, Path logs) throws IOException {
    Path conf = micro.resolve("nats.conf");
    Files.deleteIfExists(conf);
    Files.createFile(conf, PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rw-------")));
    Files.writeString(conf, String.join("\n",
        "# written by kato micro at each start",
        "listen: 127.0.0.1:" + settings.natsPort(),
        "authorization {",
        "  user: \"" + settings.natsUser() + "\"",
        "  password: \"" + settings.natsPassword() + "\"",
        "}", ""));
    children.add(ChildProcess.start("nats", List.of(natsServerBinary(), "-c", conf.toString()),
        Map.of(), logs.resolve("nats.log")));
  }

  /** Polls {@code vcap.component.discover} until every role answered or time is up. */
  private void awaitComponents(NatsConfig nats, Duration timeout) throws Exception {
    Options options = new Options.Builder().server(nats.servers().get(0))
        .userInfo(nats.user().toCharArray(), nats.password().toCharArray())
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
      while (components.size() < ROLES.size()) {
        for (ChildProcess child : List.copyOf(children)) {
          if (!child.isAlive()) {
            throw new IllegalStateException(child.name() + " exited with status "
                + child.exitValue() + " during start; see " + child.log());
          }
        }
        if (Instant.now().isAfter(deadline)) {
          List<String> missing = ROLES.stream().map(Role::type)
              .filter(t -> !components.containsKey(t)).toList();
          throw new IllegalStateException("no answer from " + missing + " within "
              + timeout.toSeconds() + " s; see the logs in " + home.resolve("micro/logs"));
        }
        connection.publish(Subjects.COMPONENT_DISCOVER, inbox, "{}".getBytes());
        Thread.sleep(300); // polling interval of a CLI waiting on other processes
      }
    }
  }

  private void printSummary(NatsConfig nats, Path logs) {
    out.println();
    out.println("Updraft micro cloud is up.");
    out.println("  NATS:        " + nats.servers().get(0) + "  (user " + nats.user()
        + "; credentials in " + home.resolve("micro/micro.yml") + ")");
    for (Role role : ROLES) {
      ComponentDiscover doc = components.get(role.type());
      out.printf("  %-16s %s  status http://%s/varz%n", role.type() + ":", doc.uuid(),
          doc.host());
    }
    out.println("  Logs:        " + logs);
    String api = "http://" + API_HOST + (httpPort == 80 ? "" : ":" + httpPort);
    out.println();
    out.println("API:    " + api + "   (directly: http://127.0.0.1:" + apiPort + ")");
    out.println("Apps:   http://<app>.localhost" + (httpPort == 80 ? "" : ":" + httpPort));
    out.println("Log in: bin/updraft target " + api);
    out.println("        bin/updraft login " + settings.adminEmail() + " --password "
        + settings.adminPassword());
    out.println("        (or register your own user: bin/updraft register you@example.com)");
    out.println("Watch the bus:  bin/kato nats tail      Stop: Ctrl-C");
    out.flush();
  }

  /** Blocks until the JVM is asked to stop, reporting components that exit meanwhile. */
  void awaitShutdown() throws InterruptedException {
    List<String> reported = new ArrayList<>();
    while (!stopping) {
      for (ChildProcess child : List.copyOf(children)) {
        if (!child.isAlive() && !reported.contains(child.name())) {
          reported.add(child.name());
          out.println(child.name() + " exited with status " + child.exitValue() + "; see "
              + child.log());
          out.flush();
        }
      }
      Thread.sleep(1000); // watch interval; supervision with restarts belongs to the node agent
    }
  }

  /** Stops components in reverse start order, NATS last. */
  void stop() {
    stopping = true;
    List<ChildProcess> reversed = new ArrayList<>(children);
    Collections.reverse(reversed);
    for (ChildProcess child : reversed) {
      child.stop(10_000);
    }
  }

  static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  static String natsServerBinary() {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : (path + ":/usr/sbin:/usr/bin:/usr/local/bin").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "nats-server"))) {
        return Path.of(dir, "nats-server").toString();
      }
    }
    throw new IllegalStateException("nats-server is not installed (bin/updraft-micro installs "
        + "the nats-server package)");
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

  private static void awaitPort(int port, Duration timeout) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (portFree(port)) {
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException("nats-server did not listen on port " + port);
      }
      Thread.sleep(50); // polling a port another process is opening
    }
  }
}
