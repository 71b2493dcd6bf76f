package io.updraft.servicesnode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.updraft.common.config.ConfigException;
import io.updraft.common.config.ConfigLoader;
import io.updraft.common.protocol.services.ServiceType;
import io.updraft.servicesnode.ServicesNodeConfig.ServiceConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServicesNodeConfigTest {

  @TempDir
  Path tmp;

  private static ServicesNodeConfig load(Map<String, String> env) {
    return ConfigLoader.load(null, env, ServicesNodeConfig.class);
  }

  @Test
  void withoutServicesItServesFilesystemOnly() {
    ServicesNodeConfig config = load(Map.of("UPDRAFT__DATA_DIR", "/srv/services"));
    assertThat(config.served()).containsOnlyKeys(ServiceType.FILESYSTEM);
    ServiceConfig fs = config.served().get(ServiceType.FILESYSTEM);
    assertThat(fs.dir()).isEqualTo("/srv/services/filesystem/instances");
    assertThat(fs.nodeId()).isEqualTo("filesystem_node_0");
    assertThat(fs.maxInstances()).isEqualTo(100);
    assertThat(fs.plan()).isEqualTo("free");
    assertThat(config.announceInterval().toMillis()).isEqualTo(10_000);
  }

  @Test
  void typesTakeTheirServersDefaultsAndEnvironmentOverrides() {
    ServicesNodeConfig config = load(Map.of(
        "UPDRAFT__SERVICES", "{postgresql: {}, mysql: {max_instances: 3}, redis: {}}",
        "UPDRAFT__SERVICES__POSTGRESQL__HOST", "10.0.5.6",
        "UPDRAFT__INDEX", "2", "UPDRAFT__LOCAL_IP", "10.0.5.9"));
    Map<ServiceType, ServiceConfig> served = config.served();
    assertThat(served).containsOnlyKeys(ServiceType.POSTGRESQL, ServiceType.MYSQL,
        ServiceType.REDIS);
    assertThat(served.get(ServiceType.POSTGRESQL).host()).isEqualTo("10.0.5.6");
    assertThat(served.get(ServiceType.POSTGRESQL).publicHost()).isEqualTo("10.0.5.6");
    assertThat(served.get(ServiceType.POSTGRESQL).port()).isEqualTo(5432);
    assertThat(served.get(ServiceType.POSTGRESQL).adminUser()).isEqualTo("postgres");
    assertThat(served.get(ServiceType.POSTGRESQL).nodeId()).isEqualTo("postgresql_node_2");
    assertThat(served.get(ServiceType.MYSQL).port()).isEqualTo(3306);
    assertThat(served.get(ServiceType.MYSQL).maxInstances()).isEqualTo(3);
    // a loopback server is handed to apps at the node's address
    assertThat(served.get(ServiceType.REDIS).publicHost()).isEqualTo("10.0.5.9");
  }

  @Test
  void aTypeTheAgentCannotRunCarriesTheReason() {
    ServicesNodeConfig config = load(Map.of("UPDRAFT__SERVICES",
        "{redis: {unavailable: 'Redis is not installed on this node'}, postgresql: {}}"));
    assertThat(config.served().get(ServiceType.REDIS).isUnavailable()).isTrue();
    assertThat(config.served().get(ServiceType.REDIS).unavailable())
        .isEqualTo("Redis is not installed on this node");
    assertThat(config.served().get(ServiceType.POSTGRESQL).isUnavailable()).isFalse();
  }

  @Test
  void unknownTypesKeysAndBadValuesNameTheKey() throws Exception {
    assertThatThrownBy(() -> load(Map.of("UPDRAFT__SERVICES", "{mongodb: {}}")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("services.mongodb");
    assertThatThrownBy(() -> load(Map.of("UPDRAFT__SERVICES__REDIS__PROT", "1")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("prot");
    assertThatThrownBy(() -> load(Map.of("UPDRAFT__SERVICES__REDIS__MAX_INSTANCES", "-1")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("services.redis.max_instances");
    Path file = tmp.resolve("node.yml");
    Files.writeString(file, "announce_interval_ms: 10\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), ServicesNodeConfig.class))
        .isInstanceOf(ConfigException.class).hasMessageContaining("announce_interval_ms");
  }

  @Test
  void theAdminPasswordStaysOutOfToString() {
    ServicesNodeConfig config = load(Map.of("UPDRAFT__SERVICES__MYSQL__ADMIN_PASSWORD",
        "s3cret-pw"));
    assertThat(config.toString()).doesNotContain("s3cret-pw");
  }
}
