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

  @Test
  void isolationDefaultsToAutoOnASubnetAndUidsOfItsOwn() throws Exception {
    StagerConfig c = ConfigLoader.load(null, Map.of(), StagerConfig.class);
    assertThat(c.isolation().mode()).isEqualTo(StagerConfig.Isolation.Mode.AUTO);
    assertThat(c.isolation().runtime()).isEqualTo("auto");
    assertThat(c.isolation().stack()).isEqualTo("/var/lib/updraft/stacks/bookworm");
    assertThat(c.isolation().network()).isEqualTo("10.253.0.0/16");
    assertThat(c.isolation().uidBase()).isEqualTo(30_000);
    assertThat(c.isolation().allowedHostPorts()).isEmpty();

    Path file = Files.writeString(tmp.resolve("iso.yml"), """
        isolation:
          mode: container
          runtime: runc
          network: 10.200.0.0/16
          allowed_host_ports: [3141]
          pids: 256
          tmp_mb: 32
          uid_base: 40000
          uid_count: 8
        """);
    StagerConfig.Isolation i = ConfigLoader.load(file,
        Map.of("UPDRAFT__ISOLATION__MODE", "process"), StagerConfig.class).isolation();
    assertThat(i).isEqualTo(new StagerConfig.Isolation(StagerConfig.Isolation.Mode.PROCESS,
        "runc", "/var/lib/updraft/stacks/bookworm", "10.200.0.0/16", java.util.List.of(3141),
        256, 32, 40_000, 8));
  }

  @Test
  void badIsolationValuesNameTheKey() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("UPDRAFT__ISOLATION__MODE",
        "chroot"), StagerConfig.class)).hasMessageContaining("isolation.mode");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("UPDRAFT__ISOLATION__RUNTIME",
        "docker"), StagerConfig.class))
        .hasMessage("config error: isolation.runtime: must be auto, crun or runc, got docker");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("UPDRAFT__ISOLATION__NETWORK",
        "10.253.0.0/30"), StagerConfig.class)).hasMessageContaining("isolation.network");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("UPDRAFT__ISOLATION__UID_BASE",
        "0"), StagerConfig.class)).hasMessageContaining("isolation.uid_base");
    assertThatThrownBy(() -> ConfigLoader.load(null,
        Map.of("UPDRAFT__ISOLATION__ALLOWED_HOST_PORTS", "[70000]"), StagerConfig.class))
        .hasMessageContaining("isolation.allowed_host_ports");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("UPDRAFT__ISOLATION__USERS",
        "on"), StagerConfig.class)).hasMessage("config error: isolation.users: unknown key");
  }
}
