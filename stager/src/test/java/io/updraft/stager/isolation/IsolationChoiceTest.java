package io.updraft.stager.isolation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.updraft.common.bus.NatsConfig;
import io.updraft.stager.StagerConfig;
import io.updraft.stager.StagerConfig.Isolation;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IsolationChoiceTest {

  @TempDir
  Path tmp;

  private StagerConfig config(Isolation.Mode mode) throws Exception {
    // no stack there: containers cannot run, whoever runs the test
    return StagerConfig.defaults(NatsConfig.of("nats://127.0.0.1:4222", null, null))
        .withWorkDir(Files.createDirectories(tmp.resolve("work")))
        .withIsolation(new Isolation(mode, null, tmp.resolve("no-stack").toString(), null,
            null, null, null, null, null));
  }

  @Test
  void processModeKeepsBuildStepsAsProcesses() throws Exception {
    IsolationChoice.Choice c = IsolationChoice.choose(config(Isolation.Mode.PROCESS));
    assertThat(c.isolation().name()).isEqualTo("process");
    assertThat(c.reason()).isEqualTo("isolation.mode is process");
  }

  @Test
  void autoFallsBackToProcessesSayingWhy() throws Exception {
    IsolationChoice.Choice c = IsolationChoice.choose(config(Isolation.Mode.AUTO));
    assertThat(c.isolation()).isInstanceOf(ProcessIsolation.class);
    assertThat(c.reason()).startsWith("container unavailable: ")
        .containsAnyOf("not running as root", "no stack at")
        .endsWith("; build steps run as processes of this host, with the stager's rights");
  }

  @Test
  void containerModeRefusesToStartWithTheReason() {
    assertThatThrownBy(() -> IsolationChoice.choose(config(Isolation.Mode.CONTAINER)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("isolation: container unavailable: ");
  }
}
