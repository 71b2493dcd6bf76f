package io.updraft.kato.dataservers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataServerSettingsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  @Test
  void defaultsSitBesideTheMachinesOwnServersOnEveryAddress() {
    assertThat(DataServerSettings.from(DataServer.POSTGRESQL, null))
        .isEqualTo(new DataServerSettings(5532, "0.0.0.0", null));
    assertThat(DataServerSettings.from(DataServer.MYSQL, null).port()).isEqualTo(3406);
    assertThat(DataServerSettings.from(DataServer.REDIS, null).port()).isEqualTo(6479);
    assertThat(DataServerSettings.from(DataServer.REDIS, null).adminHost())
        .isEqualTo("127.0.0.1");
  }

  @Test
  void theOperatorsDocumentSetsPortBindAndProgramDirectory() throws Exception {
    DataServerSettings s = DataServerSettings.from(DataServer.MYSQL, json(
        "{\"port\": \"3407\", \"bind\": \"10.0.5.9\", \"bin_dir\": \"/opt/mariadb/bin\","
            + " \"log_level\": \"DEBUG\"}"));
    assertThat(s).isEqualTo(new DataServerSettings(3407, "10.0.5.9", "/opt/mariadb/bin"));
    assertThat(s.adminHost()).isEqualTo("10.0.5.9");
    assertThat(DataServers.publicHost(s, "127.0.0.1")).isEqualTo("10.0.5.9");
  }

  @Test
  void badAndUnknownKeysAreNamed() {
    assertThatThrownBy(() -> DataServerSettings.from(DataServer.POSTGRESQL,
        json("{\"port\": 70000}"))).hasMessage(
            "config error: postgresql.port: a port from 1 to 65535");
    assertThatThrownBy(() -> DataServerSettings.from(DataServer.POSTGRESQL,
        json("{\"port\": \"x\"}"))).hasMessageContaining("postgresql.port");
    assertThatThrownBy(() -> DataServerSettings.from(DataServer.REDIS,
        json("{\"bind\": \"example.com\"}"))).hasMessageContaining("redis.bind");
    assertThatThrownBy(() -> DataServerSettings.from(DataServer.REDIS,
        json("{\"bin_dir\": \"bin\"}"))).hasMessageContaining("redis.bin_dir");
    assertThatThrownBy(() -> DataServerSettings.from(DataServer.MYSQL,
        json("{\"password\": \"mine\"}"))).hasMessageStartingWith(
            "config error: mysql.password: unknown key");
  }

  @Test
  void appsAreGivenAnAddressOtherHostsAndContainersReach() {
    DataServerSettings any = DataServerSettings.from(DataServer.POSTGRESQL, null);
    assertThat(DataServers.publicHost(any, "10.0.5.9")).isEqualTo("10.0.5.9");
    // a micro cloud's node address is loopback: the machine's address instead
    String micro = DataServers.publicHost(any, "127.0.0.1");
    DataServers.defaultRouteAddress().ifPresent(a -> assertThat(micro).isEqualTo(a));
  }

  @Test
  void programsAreFoundInTheDirectoryTheOperatorNamesOrSaidMissing() throws Exception {
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    for (String name : new String[] {"postgres", "initdb", "redis-server"}) {
      Files.writeString(bin.resolve(name), "#!/bin/sh\n");
      Files.setPosixFilePermissions(bin.resolve(name),
          PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    assertThat(DataServer.POSTGRESQL.programs(bin.toString())).hasValueSatisfying(p -> {
      assertThat(p.server()).isEqualTo(bin.resolve("postgres"));
      assertThat(p.init()).isEqualTo(bin.resolve("initdb"));
    });
    assertThat(DataServer.REDIS.programs(bin.toString())).isPresent();
    assertThat(DataServer.MYSQL.programs(bin.toString())).isEmpty();
    assertThat(new DataServers(tmp.resolve("home"))
        .unavailable(DataServer.MYSQL, new DataServerSettings(3406, "0.0.0.0", bin.toString())))
        .hasValue("MariaDB is not installed on this node: no mariadbd and mariadb-install-db in "
            + bin + " (install the mariadb-server package)");
  }

  @Test
  void newestPostgresqlVersionFirst() throws Exception {
    for (String v : new String[] {"13", "15", "9.6", "notes"}) {
      Files.createDirectories(tmp.resolve("pg").resolve(v).resolve("bin"));
    }
    assertThat(DataServer.postgresVersionDirs(tmp.resolve("pg")))
        .containsExactly(tmp.resolve("pg/15/bin"), tmp.resolve("pg/13/bin"),
            tmp.resolve("pg/9.6/bin"));
  }

  @Test
  void mysqlNativeHashIsMysqlsPasswordFunction() {
    // SELECT PASSWORD('secretpw') on MariaDB
    assertThat(DataServers.mysqlNativeHash("secretpw"))
        .isEqualTo("*7648E52EC79D4BB879B7B913F0B8BBF8DC4AB6CC");
  }
}
