package io.updraft.kato.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.updraft.kato.cluster.ClusterStore;
import io.updraft.kato.node.NodeConfig;
import io.updraft.kato.roles.Roles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the agent renders for the services node and the DEA on a node with data servers: the
 * types its roles serve with the servers' admin logins (or why one cannot run), and the
 * servers' ports for the DEA's containers.
 */
class ComponentLaunchesTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Roles ROLES = Roles.builtIn();

  @TempDir
  Path home;

  private final MapStore store = new MapStore();
  private NodeConfig node;
  private ComponentLaunches launches;

  @BeforeEach
  void setUp() throws Exception {
    // no server is installed where these documents look
    store.putConfig("postgresql", doc("{\"bin_dir\": \"/nonexistent\"}"));
    store.putConfig("mysql", doc("{\"port\": 3407, \"bin_dir\": \"/nonexistent\"}"));
    store.putConfig("redis", doc("{\"bin_dir\": \"/nonexistent\"}"));
    on(List.of("dea", "data-services"), "10.0.5.9");
  }

  private void on(List<String> roles, String ip) {
    node = new NodeConfig(null, "n1", "node-1", ip, roles, false, "10.0.5.6:5701", null, null,
        null, null, null, null);
    launches = new ComponentLaunches(home, () -> node, () -> store, ROLES);
  }

  private static ObjectNode doc(String json) throws Exception {
    return (ObjectNode) JSON.readTree(json);
  }

  private ObjectNode render(String process, String overlay) throws Exception {
    return launches.render(ROLES.process(process).orElseThrow(),
        JsonNodeFactory.instance.objectNode(), doc(overlay));
  }

  @Test
  void aDeaBesideDataServersLetsItsContainersReachTheirPorts() throws Exception {
    assertThat(render("dea", "{}").path("isolation").path("allowed_host_ports").toString())
        .isEqualTo("[3407,5532,6479]");
    // the operator's own ports stay
    assertThat(render("dea", "{\"isolation\": {\"allowed_host_ports\": [8125, 5532]}}")
        .path("isolation").path("allowed_host_ports").toString())
        .isEqualTo("[3407,5532,6479,8125]");
    // in a cluster the data servers are another host's: nothing to open here
    on(List.of("dea"), "10.0.5.7");
    assertThat(render("dea", "{}").has("isolation")).isFalse();
  }

  @Test
  void theServicesNodeServesTheRolesTypesAndSaysWhyOneCannotRun() throws Exception {
    JsonNode services = render("services_node", "{}").path("services");
    assertThat(services.fieldNames()).toIterable()
        .containsExactly("postgresql", "mysql", "redis", "filesystem");
    assertThat(services.path("postgresql").path("unavailable").asText()).isEqualTo(
        "PostgreSQL is not installed on this node: no postgres and initdb in /nonexistent "
            + "(install the postgresql package)");
    assertThat(services.path("postgresql").has("admin_password")).isFalse();
    assertThat(services.path("filesystem").isEmpty()).isTrue();

    on(List.of("filesystem"), "10.0.5.7");
    assertThat(render("services_node", "{}").path("services").toString())
        .isEqualTo("{\"filesystem\":{}}");
    on(List.of("stager"), "10.0.5.7");
    assertThat(render("services_node", "{}").has("services")).isFalse();
  }

  @Test
  void aServerHereIsAdministeredWithItsGeneratedPasswordAndGivenAtAnAddressAppsReach()
      throws Exception {
    Path bin = Files.createDirectories(home.resolve("bin"));
    Files.writeString(bin.resolve("redis-server"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(bin.resolve("redis-server"),
        PosixFilePermissions.fromString("rwxr-xr-x"));
    store.putConfig("redis", doc("{\"bin_dir\": \"" + bin + "\", \"port\": 6480}"));
    boolean root = Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"),
        "unix:uid"));
    org.junit.jupiter.api.Assumptions.assumeTrue(!root
        || Files.readString(Path.of("/etc/passwd")).contains("\nredis:"),
        "as root the server needs its package's user 'redis'");

    JsonNode redis = render("services_node", "{}").path("services").path("redis");
    String password = Files.readString(home.resolve("data/redis.password")).trim();
    assertThat(redis.path("host").asText()).isEqualTo("127.0.0.1");
    assertThat(redis.path("port").asInt()).isEqualTo(6480);
    assertThat(redis.path("public_host").asText()).isEqualTo("10.0.5.9");
    assertThat(redis.path("admin_password").asText()).isEqualTo(password).hasSize(32);
    assertThat(redis.has("admin_user")).isFalse();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
        home.resolve("data/redis.password")))).isEqualTo("rw-------");
    // the same password at every render
    assertThat(render("services_node", "{}").path("services").path("redis")
        .path("admin_password").asText()).isEqualTo(password);

    // a micro cloud's node address is loopback, which containers cannot reach
    on(List.of("dea", "data-services"), "127.0.0.1");
    assertThat(render("services_node", "{}").path("services").path("redis")
        .path("public_host").asText()).doesNotStartWith("127.");
  }

  @Test
  void aTypeTheOperatorPointedAtTheirOwnServerIsLeftToTheirSettings() throws Exception {
    JsonNode postgresql = render("services_node",
        "{\"services\": {\"postgresql\": {\"host\": \"10.0.9.9\", \"admin_password\": \"x\"}}}")
        .path("services").path("postgresql");
    assertThat(postgresql.toString()).isEqualTo(
        "{\"host\":\"10.0.9.9\",\"admin_password\":\"x\"}");
  }

  /** The cluster config in memory. */
  private static final class MapStore implements ClusterStore {
    private final Map<String, ObjectNode> configs = new LinkedHashMap<>();

    @Override
    public Optional<ObjectNode> config(String component) {
      return Optional.ofNullable(configs.get(component)).map(ObjectNode::deepCopy);
    }

    @Override
    public void putConfig(String component, ObjectNode document) {
      configs.put(component, document.deepCopy());
    }

    @Override
    public void deleteConfig(String component) {
      configs.remove(component);
    }

    @Override
    public Map<String, ObjectNode> configs() {
      return Map.copyOf(configs);
    }

    @Override
    public Map<String, ObjectNode> nodes() {
      return Map.of();
    }

    @Override
    public void putNode(String id, ObjectNode n) {
    }

    @Override
    public void removeNode(String id) {
    }

    @Override
    public int members() {
      return 1;
    }

    @Override
    public void close() {
    }
  }
}
