package io.updraft.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @TempDir
  Path dir;

  private Path yaml(String text) throws IOException {
    Path file = dir.resolve("config.yml");
    Files.writeString(file, text);
    return file;
  }

  @Test
  void defaultsApplyWithoutFileOrEnvironment() {
    SampleConfig config = ConfigLoader.load(null, Map.of(), SampleConfig.class);
    assertThat(config.nats().servers()).containsExactly("nats://127.0.0.1:4222");
    assertThat(config.status().port()).isZero();
    assertThat(config.maxMemoryMb()).isEqualTo(4096);
  }

  @Test
  void fileOverridesDefaultsAndEnvironmentOverridesFile() throws IOException {
    Path file = yaml("""
        nats:
          servers: [nats://10.0.5.6:4222]
          user: updraft
          password: from-file
        max_memory_mb: 2048
        index: 3
        """);
    SampleConfig config = ConfigLoader.load(file, Map.of(
        "UPDRAFT__NATS__PASSWORD", "from-env",
        "UPDRAFT__STATUS__PORT", "9100",
        "UPDRAFT_HOME", "/not/a/config/key",
        "PATH", "/usr/bin"), SampleConfig.class);
    assertThat(config.nats().servers()).containsExactly("nats://10.0.5.6:4222");
    assertThat(config.nats().password()).isEqualTo("from-env");
    assertThat(config.status().port()).isEqualTo(9100);
    assertThat(config.maxMemoryMb()).isEqualTo(2048);
    assertThat(config.index()).isEqualTo(3);
  }

  @Test
  void environmentValuesAreYaml() {
    SampleConfig config = ConfigLoader.load(null,
        Map.of("UPDRAFT__NATS__SERVERS", "[nats://a:4222, nats://b:4222]"), SampleConfig.class);
    assertThat(config.nats().servers()).isEqualTo(List.of("nats://a:4222", "nats://b:4222"));
  }

  @Test
  void unknownKeyIsNamed() throws IOException {
    Path file = yaml("nats:\n  servrs: [nats://x:4222]\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), SampleConfig.class))
        .isInstanceOf(ConfigException.class)
        .hasMessage("config error: nats.servrs: unknown key");
  }

  @Test
  void wrongTypeIsNamed() throws IOException {
    Path file = yaml("max_memory_mb: lots\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), SampleConfig.class))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("config error: max_memory_mb: ");
  }

  @Test
  void invalidValueIsNamedByValidation() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("UPDRAFT__MAX_MEMORY_MB", "-1"),
        SampleConfig.class))
        .hasMessage("config error: max_memory_mb: must be positive");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("UPDRAFT__STATUS__PORT", "70000"),
        SampleConfig.class))
        .hasMessage("config error: status.port: must be between 0 and 65535, got 70000");
    assertThatThrownBy(() -> ConfigLoader.load(null,
        Map.of("UPDRAFT__NATS__SERVERS", "[http://x:4222]"), SampleConfig.class))
        .hasMessageStartingWith("config error: nats.servers: expected nats://host:port");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("UPDRAFT__NATS__USER", "only-user"),
        SampleConfig.class))
        .hasMessage("config error: nats.password: user and password go together");
  }

  @Test
  void missingFileAndBrokenYamlAreOneLine() throws IOException {
    assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("absent.yml"), Map.of(),
        SampleConfig.class))
        .hasMessageStartingWith("config error: --config: no such file");
    Path broken = yaml("nats:\n  servers: [unclosed\n");
    assertThatThrownBy(() -> ConfigLoader.load(broken, Map.of(), SampleConfig.class))
        .hasMessageStartingWith("config error: --config: not valid YAML at line")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void credentialsInServerUrlsAreNotShownInErrorsOrToString() {
    assertThatThrownBy(() -> ConfigLoader.load(null,
        Map.of("UPDRAFT__NATS__SERVERS", "[http://u:hunter2@x:4222]"), SampleConfig.class))
        .hasMessageNotContaining("hunter2");
    SampleConfig config = ConfigLoader.load(null, Map.of(
        "UPDRAFT__NATS__SERVERS", "[nats://u:hunter2@x:4222]",
        "UPDRAFT__STATUS__USER", "ops", "UPDRAFT__STATUS__PASSWORD", "hunter3"),
        SampleConfig.class);
    assertThat(config.toString()).doesNotContain("hunter2").doesNotContain("hunter3");
  }
}
