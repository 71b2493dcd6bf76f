package io.updraft.dea;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.updraft.common.config.ConfigException;
import io.updraft.common.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeaConfigTest {

  @TempDir
  Path dir;

  @Test
  void defaultsFollowV1() {
    DeaConfig c = ConfigLoader.load(null, Map.of(), DeaConfig.class);
    assertThat(c.intervals().heartbeatMs()).isEqualTo(2_000L);
    assertThat(c.intervals().advertiseMs()).isEqualTo(5_000L);
    assertThat(c.startTimeoutMs()).isEqualTo(60_000L);
    assertThat(c.crashRetentionMs()).isEqualTo(3_600_000L);
    assertThat(c.evacuationDelayMs()).isEqualTo(30_000L);
    assertThat(c.shutdownAction()).isEqualTo(DeaConfig.ShutdownAction.EVACUATE);
    assertThat(c.files().secret()).isNull();
  }

  @Test
  void readsYamlAndEnvironment() throws Exception {
    Path file = dir.resolve("dea.yml");
    Files.writeString(file, """
        base_dir: /srv/dea
        max_memory_mb: 8192
        runtimes: [java17, node]
        intervals: {heartbeat_ms: 3000}
        shutdown_action: leave_running
        files: {port: 12345, secret: a-long-enough-secret}
        """);
    DeaConfig c = ConfigLoader.load(file, Map.of("UPDRAFT__MAX_INSTANCES", "7"),
        DeaConfig.class);
    assertThat(c.basePath()).isEqualTo(Path.of("/srv/dea"));
    assertThat(c.maxMemoryMb()).isEqualTo(8192L);
    assertThat(c.maxInstances()).isEqualTo(7);
    assertThat(c.runtimes()).containsExactly("java17", "node");
    assertThat(c.intervals().heartbeatMs()).isEqualTo(3000L);
    assertThat(c.intervals().advertiseMs()).isEqualTo(5000L);
    assertThat(c.shutdownAction()).isEqualTo(DeaConfig.ShutdownAction.LEAVE_RUNNING);
    assertThat(c.files().port()).isEqualTo(12345);
    assertThat(c.files().toString()).doesNotContain("a-long-enough-secret");
  }

  @Test
  void badValuesNameTheirKey() throws Exception {
    Path file = dir.resolve("bad.yml");
    Files.writeString(file, "intervals: {heartbeat_ms: 0}\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), DeaConfig.class))
        .isInstanceOf(ConfigException.class).hasMessageContaining("intervals.heartbeat_ms");
    Files.writeString(file, "files: {secret: short}\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), DeaConfig.class))
        .isInstanceOf(ConfigException.class).hasMessageContaining("files.secret");
    Files.writeString(file, "max_memroy_mb: 1\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), DeaConfig.class))
        .isInstanceOf(ConfigException.class).hasMessageContaining("max_memroy_mb");
  }
}
