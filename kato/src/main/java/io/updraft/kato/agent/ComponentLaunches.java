package io.updraft.kato.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.updraft.common.component.LiveConfig;
import io.updraft.common.files.PrivateFiles;
import io.updraft.kato.cluster.ClusterStore;
import io.updraft.kato.cluster.JsonPaths;
import io.updraft.kato.dataservers.DataServer;
import io.updraft.kato.dataservers.DataServerSettings;
import io.updraft.kato.dataservers.DataServers;
import io.updraft.kato.node.DeaTemplate;
import io.updraft.kato.node.NodeConfig;
import io.updraft.kato.roles.Roles.ProcessDef;
import io.updraft.kato.roles.Roles;
import io.updraft.kato.supervisor.Launch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the agent starts each process: it renders the component's config file
 * ({@code $UPDRAFT_HOME/config/<process>.yml}, 0600) from what this node knows (the cluster's
 * NATS, this node's address and directories) overlaid by the component's document in the
 * cluster config, and runs the component jar with {@code --config}. Rendering happens at every
 * (re)start, so {@code kato restart COMPONENT} applies what {@code kato config} changed.
 *
 * <p>Components reject unknown keys; a key the operator set that this version of the component
 * does not know is left out of the rendered file (and said so in the process log and by
 * {@code kato config set}) rather than stopping the component.
 *
 * <p>Data servers ({@code server:} in roles.yml) are run by {@link DataServers}; the services
 * node on the same node is pointed at them with their admin logins, and a DEA beside them may
 * let its containers reach their ports.
 */
final class ComponentLaunches {

  private static final ObjectMapper YAML = new YAMLMapper();
  private static final Pattern UNKNOWN_KEY = Pattern.compile("config error: (\\S+): unknown key");

  private final Path home;
  private final Supplier<NodeConfig> node;
  private final Supplier<ClusterStore> store;
  private final Roles roles;
  private final DataServers servers;

  ComponentLaunches(Path home, Supplier<NodeConfig> node, Supplier<ClusterStore> store,
      Roles roles) {
    this.home = home;
    this.node = node;
    this.store = store;
    this.roles = roles;
    this.servers = new DataServers(home);
  }

  Launch.Factory factory(ProcessDef def) {
    return () -> prepare(def);
  }

  Launch prepare(ProcessDef def) throws IOException, InterruptedException {
    Map<String, String> env = baseEnv();
    if (def.isServer()) {
      DataServer server = server(def);
      return servers.launch(server, serverSettings(def),
          PrivateFiles.createDirectories(home.resolve("logs")).resolve(def.name() + ".log"));
    }
    if (def.isExec()) {
      return new Launch(def.exec(), env);
    }
    ObjectNode cluster = clusterDoc();
    if (def.isNats()) {
      return new Launch(List.of(natsServerBinary(), "-c", writeNatsConf(cluster).toString()), env);
    }
    Path jar = jar(def);
    ObjectNode overlay = store.get().config(def.component()).orElseGet(
        JsonNodeFactory.instance::objectNode);
    // live keys are not config-file keys: the level goes in as the environment variable
    // the components' logging reads at start, and later changes arrive on the bus
    JsonNode level = overlay.remove(LiveConfig.LOG_LEVEL);
    // a DEA booted from the template carries its platform node id (scale-down removes it)
    if ("dea".equals(def.component())) {
      DeaTemplate.platformNodeId(home).ifPresent(id -> overlay.put("node_id", id));
    }
    if (level != null && !level.isNull()) {
      env.put("UPDRAFT_LOG_LEVEL", level.asText());
    }
    Path file = home.resolve("config").resolve(def.name() + ".yml");
    List<String> ignored = renderChecked(def, jar, cluster, overlay, file);
    if (!ignored.isEmpty()) {
      Path log = PrivateFiles.createDirectories(home.resolve("logs")).resolve(def.name() + ".log");
      PrivateFiles.writeString(log,
          "--- kato: keys from 'kato config " + def.component() + "' this version does not know "
              + "(left out): " + ignored + "\n",
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }
    List<String> command = new ArrayList<>(List.of(javaBinary(),
        "-Xmx" + (def.heap() == null ? "128m" : def.heap()), "-XX:+UseSerialGC",
        "-XX:MaxMetaspaceSize=128m", "-Xss512k", "-XX:ReservedCodeCacheSize=48m"));
    command.addAll(def.jvmOptions());
    command.addAll(List.of("-jar", jar.toString(), "--config", file.toString()));
    return new Launch(command, env);
  }

  /** What {@code --check-config} said: keys it does not know, and any other refusal. */
  record Check(List<String> unknown, String error) {
  }

  List<String> renderChecked(ProcessDef def, Path jar, ObjectNode cluster, ObjectNode overlay,
      Path file) throws IOException, InterruptedException {
    return check(def, jar, cluster, overlay, file).unknown();
  }

  /**
   * Renders the file; when the operator's overlay has keys, checks it with the component's
   * {@code --check-config} and leaves out keys it does not know.
   */
  Check check(ProcessDef def, Path jar, ObjectNode cluster, ObjectNode overlay, Path file)
      throws IOException, InterruptedException {
    ObjectNode trimmed = overlay.deepCopy();
    List<String> ignored = new ArrayList<>();
    writeConfig(file, render(def, cluster, trimmed));
    if (overlay.isEmpty() || !Files.isRegularFile(jar)) {
      return new Check(ignored, null);
    }
    for (int round = 0; round < 16; round++) {
      String error = checkConfig(jar, file);
      if (error == null) {
        return new Check(ignored, null);
      }
      Matcher m = UNKNOWN_KEY.matcher(error);
      if (!m.find() || JsonPaths.get(trimmed, m.group(1)) == null) {
        return new Check(ignored, error);
      }
      JsonPaths.remove(trimmed, m.group(1));
      ignored.add(m.group(1));
      writeConfig(file, render(def, cluster, trimmed));
    }
    return new Check(ignored, null);
  }

  /** Runs the jar's {@code --check-config}; its {@code config error: ...} line, or null. */
  private static String checkConfig(Path jar, Path file) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(javaBinary(), "-Xmx64m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-jar", jar.toString(), "--config",
        file.toString(), "--check-config").redirectErrorStream(true).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return null;
    }
    if (p.exitValue() == 0) {
      return null;
    }
    for (String line : new String(out, StandardCharsets.UTF_8).split("\n")) {
      if (line.startsWith("config error: ")) {
        return line.trim();
      }
    }
    return null;
  }

  /** The component's config: this node's base settings, then the operator's overlay. */
  ObjectNode render(ProcessDef def, ObjectNode cluster, ObjectNode overlay) {
    NodeConfig n = node.get();
    ObjectNode doc = JsonNodeFactory.instance.objectNode();
    JsonNode nats = cluster.get("nats");
    if (nats != null) {
      doc.set("nats", nats.deepCopy());
    }
    if (n.ip() != null) {
      doc.put("local_ip", n.ip());
    }
    switch (def.component()) {
      case "cloud_controller" -> {
        JsonNode api = cluster.get("api_endpoint");
        if (api != null) {
          doc.put("external_uri", api.asText());
        }
        doc.put("port", cluster.path("api_port").asInt(9022));
        doc.put("data_dir", home.resolve("controller").toString());
        JsonNode admin = cluster.get("admin");
        if (admin != null) {
          doc.putArray("admins").add(admin.deepCopy());
        }
      }
      case "router" -> doc.put("port", n.httpPort());
      case "dea" -> doc.put("base_dir", home.resolve("dea").toString());
      case "stager" -> doc.put("work_dir", home.resolve("stager").toString());
      case "services_node" -> {
        doc.put("data_dir", home.resolve("services").toString());
        ObjectNode services = services(overlay);
        if (services != null) {
          doc.set("services", services);
        }
      }
      default -> {
      }
    }
    ObjectNode merged = JsonPaths.merge(doc, overlay);
    if ("dea".equals(def.component())) {
      allowServerPorts(merged);
    }
    return merged;
  }

  // ---- data servers

  /** The data servers this node runs (its roles' {@code server:} processes). */
  List<ProcessDef> serversHere() {
    return roles.processesFor(node.get().roles()).stream().filter(ProcessDef::isServer).toList();
  }

  static DataServer server(ProcessDef def) {
    return DataServer.byName(def.server()).orElseThrow(() -> new IllegalStateException(
        "roles file: process " + def.name() + " names unknown server '" + def.server()
            + "' (known: postgresql, mysql, redis)"));
  }

  /** The server's settings: its document in the cluster config ({@code kato config}). */
  DataServerSettings serverSettings(ProcessDef def) {
    JsonNode doc = store.get().config(def.component()).orElse(null);
    return DataServerSettings.from(server(def), doc);
  }

  /**
   * The services node's {@code services}: every type this node's roles serve; a type whose
   * server this node runs gets that server's address, port and admin login, and apps are
   * given an address containers reach; one this node cannot run says why
   * ({@code unavailable}: the services node leaves it off). A type the operator pointed at a
   * server of theirs ({@code kato config set services_node services.postgresql.host ...}) is
   * left to the operator's settings. Null when the roles name no types (the component's own
   * default).
   */
  private ObjectNode services(ObjectNode overlay) {
    List<String> types = roles.servicesFor(node.get().roles());
    if (types.isEmpty()) {
      return null;
    }
    ObjectNode services = JsonNodeFactory.instance.objectNode();
    for (String type : types) {
      ObjectNode t = services.putObject(type);
      Optional<ProcessDef> def = serversHere().stream()
          .filter(p -> type.equals(p.server())).findFirst();
      if (def.isEmpty() || overlay.path("services").path(type).has("host")) {
        continue;
      }
      DataServer server = server(def.get());
      try {
        DataServerSettings settings = serverSettings(def.get());
        Optional<String> why = servers.unavailable(server, settings);
        if (why.isPresent()) {
          t.put("unavailable", why.get());
          continue;
        }
        String password = servers.adminPassword(server);
        t.put("host", settings.adminHost());
        t.put("port", settings.port());
        t.put("public_host", DataServers.publicHost(settings, node.get().ip()));
        if (server.adminUser() != null) {
          t.put("admin_user", server.adminUser());
        }
        t.put("admin_password", password);
      } catch (IOException | RuntimeException e) {
        t.put("unavailable", server.title() + " on this node: " + e.getMessage());
      }
    }
    return services;
  }

  /**
   * A DEA beside data servers lets its containers reach their ports (containers reach nothing
   * else of their host); added to the operator's own {@code isolation.allowed_host_ports}.
   */
  private void allowServerPorts(ObjectNode dea) {
    TreeSet<Integer> ports = new TreeSet<>();
    for (ProcessDef def : serversHere()) {
      try {
        ports.add(serverSettings(def).port());
      } catch (RuntimeException e) {
        // a bad setting stops the server itself, which says why
      }
    }
    if (ports.isEmpty()) {
      return;
    }
    ObjectNode isolation = dea.with("isolation");
    JsonNode given = isolation.get("allowed_host_ports");
    if (given != null && given.isArray()) {
      given.forEach(p -> {
        if (p.canConvertToInt()) {
          ports.add(p.asInt());
        }
      });
    }
    com.fasterxml.jackson.databind.node.ArrayNode list = isolation.putArray("allowed_host_ports");
    ports.forEach(list::add);
  }

  private ObjectNode clusterDoc() {
    return store.get().config(Roles.CLUSTER_COMPONENT)
        .orElseGet(JsonNodeFactory.instance::objectNode);
  }

  private Path writeNatsConf(ObjectNode cluster) throws IOException {
    NodeConfig n = node.get();
    JsonNode nats = cluster.path("nats");
    // the store holds every app's and component's recent log lines: nats-server makes it with
    // the usual modes, so it goes in a directory of ours that is private already
    Path jetStreamDir = PrivateFiles.createDirectories(home.resolve("data").resolve("nats"));
    String bind = "127.0.0.1".equals(n.ip()) ? "127.0.0.1" : "0.0.0.0";
    String text = String.join("\n",
        "# written by the kato agent at each start of nats",
        "listen: " + bind + ":" + n.natsPort(),
        "authorization {",
        "  user: \"" + nats.path("user").asText() + "\"",
        "  password: \"" + nats.path("password").asText() + "\"",
        "}",
        // the controller keeps an hour of app logs in a stream (UPDRAFT_LOGS)
        "jetstream {",
        "  store_dir: \"" + jetStreamDir + "\"",
        "  max_file_store: 1GB",
        "}", "");
    Path conf = home.resolve("config").resolve("nats.conf");
    writeSecret(conf, text);
    return conf;
  }

  private static void writeConfig(Path file, ObjectNode doc) throws IOException {
    writeSecret(file, "# written by the kato agent at each start; change it with kato config\n"
        + YAML.writeValueAsString(doc));
  }

  static void writeSecret(Path file, String text) throws IOException {
    PrivateFiles.createDirectories(file.getParent());
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    PrivateFiles.createFile(tmp);
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** The agent's environment minus {@code UPDRAFT__*} overrides meant for it, not its children. */
  private Map<String, String> baseEnv() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("UPDRAFT_HOME", home.toString());
    return env;
  }

  Path jar(ProcessDef def) {
    String jars = node.get().jars();
    Path dir = jars != null ? Path.of(jars) : home.resolve("jars");
    Path jar = dir.resolve(def.module()).resolve("target").resolve("updraft-" + def.module()
        + ".jar");
    if (!Files.isRegularFile(jar)) {
      jar = dir.resolve("updraft-" + def.module() + ".jar");
    }
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("component jar for " + def.name() + " not found under "
          + dir + " (build with: mvn -q -DskipTests package; or set jars in node.yml)");
    }
    return jar;
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
}
