package io.updraft.client.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientConfigTest {

  @Test
  void theLoginLivesUnderXdgConfigHomeElseHome() {
    assertThat(ClientConfig.file(Map.of("XDG_CONFIG_HOME", "/x/config", "HOME", "/h")))
        .isEqualTo(Path.of("/x/config/updraft/client.json"));
    // HOME as the shell has it: a script that points HOME elsewhere gets a login of its own
    assertThat(ClientConfig.file(Map.of("HOME", "/h"))).isEqualTo(Path.of("/h/.updraft/client.json"));
    assertThat(ClientConfig.file(Map.of())).isEqualTo(
        Path.of(System.getProperty("user.home"), ".updraft", "client.json"));
  }
}
