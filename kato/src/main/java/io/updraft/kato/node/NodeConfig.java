package io.updraft.kato.node;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.updraft.common.bus.NatsConfig;
import io.updraft.common.config.ConfigException;
import io.updraft.common.files.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * This node's own settings, kept in {@code $UPDRAFT_HOME/node.yml} (mode 0600, it holds the
 * NATS credentials): how {@code kato} reaches the cluster's bus, and what the node agent needs
 * to come back after a reboot: its id and name, LAN address, roles, whether it is the core,
 * where the core is, and its ports. Written by {@code kato setup core}, {@code kato attach},
 * role and rename commands, and the micro cloud.
 *
 * <pre>
 * nats: {servers: [nats://10.0.5.6:4222], user: updraft, password: ...}
 * node_id: 3f9a0c1d2b4e
 * hostname: dea-1
 * ip: 10.0.7.12            # this node's LAN address (others reach it here)
 * roles: [dea]
 * core: false              # true on the core node (Hazelcast member, NATS)
 * core_address: 10.0.5.6:5701
 * api_endpoint: api.10.0.5.6.xip.io
 * agent_port: 9190         # the agent's loopback HTTP API
 * hazelcast_port: 5701     # core only
 * nats_port: 4222          # core only
 * http_port: 8080          # the router's port on this node
 * jars: /opt/updraft       # where the component jars are
 * </pre>
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record NodeConfig(
    @JsonProperty("nats") NatsConfig nats,
    @JsonProperty("node_id") String nodeId,
    @JsonProperty("hostname") String hostname,
    @JsonProperty("ip") String ip,
    @JsonProperty("roles") List<String> roles,
    @JsonProperty("core") Boolean core,
    @JsonProperty("core_address") String coreAddress,
    @JsonProperty("api_endpoint") String apiEndpoint,
    @JsonProperty("agent_port") Integer agentPort,
    @JsonProperty("hazelcast_port") Integer hazelcastPort,
    @JsonProperty("nats_port") Integer natsPort,
    @JsonProperty("http_port") Integer httpPort,
    @JsonProperty("jars") String jars) {

  public static final int DEFAULT_AGENT_PORT = 9190;
  public static final int DEFAULT_HAZELCAST_PORT = 5701;
  public static final int DEFAULT_NATS_PORT = 4222;
  public static final int DEFAULT_HTTP_PORT = 8080;

  private static final YAMLMapper YAML = YAMLMapper.builder()
      .serializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
      .build();

  public NodeConfig {
    roles = roles == null ? List.of() : List.copyOf(roles);
    core = core != null && core;
    agentPort = agentPort == null ? DEFAULT_AGENT_PORT : agentPort;
    hazelcastPort = hazelcastPort == null ? DEFAULT_HAZELCAST_PORT : hazelcastPort;
    natsPort = natsPort == null ? DEFAULT_NATS_PORT : natsPort;
    httpPort = httpPort == null ? DEFAULT_HTTP_PORT : httpPort;
  }

  /** Only the bus settings (what {@code kato nats tail} needs). */
  public NodeConfig(NatsConfig nats) {
    this(nats, null, null, null, null, null, null, null, null, null, null, null, null);
  }

  /** {@code $UPDRAFT_HOME}, else {@code ~/.updraft}. */
  public static Path home() {
    String home = System.getenv("UPDRAFT_HOME");
    return home != null && !home.isBlank() ? Path.of(home)
        : Path.of(System.getProperty("user.home"), ".updraft");
  }

  public static Path defaultFile() {
    return home().resolve("node.yml");
  }

  /** Reads the node file for its bus settings; a missing file means a node not set up. */
  public static NodeConfig read(Path file) {
    NodeConfig config = readNode(file);
    if (config.nats() == null) {
      throw new ConfigException(file + ": nats", "missing (the agent has not joined a cluster "
          + "yet)");
    }
    config.nats().validate("nats.");
    return config;
  }

  /** Reads the node file whether or not it knows the bus yet. */
  public static NodeConfig readNode(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException(file.toString(),
          "this node is not part of a cluster yet (no node file); start the micro cloud, "
              + "run 'kato setup core', or pass --nats");
    }
    try {
      NodeConfig config = YAML.readValue(file.toFile(), NodeConfig.class);
      if (config == null) {
        throw new ConfigException(file.toString(), "empty");
      }
      return config;
    } catch (IOException e) {
      throw new ConfigException(file.toString(), "unreadable: " + e.getMessage());
    }
  }

  public NodeConfig withNats(NatsConfig n) {
    return new NodeConfig(n, nodeId, hostname, ip, roles, core, coreAddress, apiEndpoint,
        agentPort, hazelcastPort, natsPort, httpPort, jars);
  }

  public NodeConfig withRoles(List<String> r) {
    return new NodeConfig(nats, nodeId, hostname, ip, r, core, coreAddress, apiEndpoint,
        agentPort, hazelcastPort, natsPort, httpPort, jars);
  }

  public NodeConfig withHostname(String h) {
    return new NodeConfig(nats, nodeId, h, ip, roles, core, coreAddress, apiEndpoint,
        agentPort, hazelcastPort, natsPort, httpPort, jars);
  }

  /** Writes the file readable by its owner only. */
  public void write(Path file) throws IOException {
    NodeHome.create(file.getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    PrivateFiles.createFile(tmp);
    YAML.writeValue(tmp.toFile(), this);
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  @Override
  public String toString() {
    return "NodeConfig{node_id=" + nodeId + ", hostname=" + hostname + ", ip=" + ip + ", roles="
        + roles + ", core=" + core + ", core_address=" + coreAddress + "}";
  }
}
