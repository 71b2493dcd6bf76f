package io.updraft.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.updraft.common.config.ConfigException;
import io.updraft.common.config.ConfigLoader;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterConfigTest {

  @Test
  void defaultsFollowTheCfV1Timings() {
    RouterConfig config = ConfigLoader.load(null, Map.of(), RouterConfig.class);
    assertThat(config.port()).isEqualTo(8080);
    assertThat(config.startInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.pruneStaleAfter()).isEqualTo(Duration.ofSeconds(120));
    assertThat(config.pruneInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.accessLog().enabled()).isTrue();
    assertThat(config.eventLoops()).isPositive();
  }

  @Test
  void environmentOverridesNestedKeys() {
    RouterConfig config = ConfigLoader.load(null, Map.of("UPDRAFT__PORT", "80",
        "UPDRAFT__ACCESS_LOG__ENABLED", "false"), RouterConfig.class);
    assertThat(config.port()).isEqualTo(80);
    assertThat(config.accessLog().enabled()).isFalse();
  }

  @Test
  void rejectsAStalenessThresholdShorterThanTheReRegisterInterval() {
    assertThatThrownBy(() -> ConfigLoader.load(null,
        Map.of("UPDRAFT__PRUNE_STALE_AFTER_SECONDS", "30"), RouterConfig.class))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("prune_stale_after_seconds");
  }

  @Test
  void rejectsBadValuesNamingTheKey() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("UPDRAFT__PORT", "70000"),
        RouterConfig.class)).hasMessageContaining("port");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("UPDRAFT__BACKEND_TIMEOUT_MS", "0"),
        RouterConfig.class)).hasMessageContaining("backend_timeout_ms");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("UPDRAFT__PROT", "1"),
        RouterConfig.class)).hasMessageContaining("prot: unknown key");
  }

  @Test
  void printedConfigHidesSecrets() {
    RouterConfig config = ConfigLoader.load(null, Map.of("UPDRAFT__NATS__USER", "u",
        "UPDRAFT__NATS__PASSWORD", "hunter2", "UPDRAFT__STATUS__USER", "ops",
        "UPDRAFT__STATUS__PASSWORD", "s3cret"), RouterConfig.class);
    assertThat(config.toString()).doesNotContain("hunter2", "s3cret").contains("***");
  }
}
