package io.updraft.stager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.updraft.common.config.ConfigException;
import io.updraft.common.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StagerConfigTest {

  @TempDir
  Path tmp;

  @Test
  void defaults() {
    StagerConfig c = ConfigLoader.load(null, Map.of(), StagerConfig.class);
    assertThat(c.maxStagingSeconds()).isEqualTo(120);
    assertThat(c.maxPackageMb()).isEqualTo(512);
    assertThat(c.maxActiveTasks()).isEqualTo(2);
    assertThat(c.maxMemoryMb()).isEqualTo(1024);
    assertThat(c.offline()).isFalse();
    assertThat(c.workDir()).endsWith("updraft-stager");
    assertThat(c.pipIndexUrl()).isEqualTo("https://pypi.org/simple/");
  }

  @Test
  void yamlAndEnvironment() throws Exception {
    Path file = Files.writeString(tmp.resolve("stager.yml"), """
        work_dir: /var/stager
        max_staging_seconds: 300
        offline: true
        maven_local_repo: /srv/m2
        """);
    StagerConfig c = ConfigLoader.load(file, Map.of("UPDRAFT__MAX_ACTIVE_TASKS", "4"),
        StagerConfig.class);
    assertThat(c.workDir()).isEqualTo("/var/stager");
    assertThat(c.maxStagingSeconds()).isEqualTo(300);
    assertThat(c.offline()).isTrue();
    assertThat(c.mavenLocalRepo()).isEqualTo("/srv/m2");
    assertThat(c.maxActiveTasks()).isEqualTo(4);
  }

  @Test
  void badValuesNameTheKey() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("UPDRAFT__MAX_ACTIVE_TASKS", "0"),
        StagerConfig.class)).isInstanceOf(ConfigException.class)
        .hasMessage("config error: max_active_tasks: must be positive, got 0");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("UPDRAFT__PIP_INDEX_URL", "nope"),
        StagerConfig.class)).hasMessageContaining("pip_index_url");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("UPDRAFT__MAX_STAGING_SECS", "5"),
        StagerConfig.class)).hasMessage("config error: max_staging_secs: unknown key");
  }
}
