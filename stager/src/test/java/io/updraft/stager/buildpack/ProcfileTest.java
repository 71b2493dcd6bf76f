package io.updraft.stager.buildpack;

import static org.assertj.core.api.Assertions.assertThat;

import io.updraft.common.protocol.staging.StagingProperties;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcfileTest {

  @TempDir
  Path app;

  static StagingProperties props(Map<String, Object> meta) {
    return new StagingProperties(null, null, null, null, null, null, null, meta);
  }

  @Test
  void readsTheWebLineIgnoringCommentsBlanksAndOtherProcesses() {
    assertThat(Procfile.web(List.of("# comment", "", "worker: run-worker",
        "web:   python3 server.py --port $PORT  ", "release: migrate"))).contains(
        "python3 server.py --port $PORT");
  }

  @Test
  void lastWebWinsAndEmptyCommandsAreIgnored() {
    assertThat(Procfile.web(List.of("web: one", "web: two"))).contains("two");
    assertThat(Procfile.web(List.of("web:", "nonsense line", ": x"))).isEmpty();
  }

  @Test
  void manifestCommandWinsOverTheProcfile() throws Exception {
    Files.writeString(app.resolve("Procfile"), "web: from-procfile\n");
    assertThat(Procfile.command(app, props(Map.of("command", "from-manifest"))))
        .contains(new Procfile.Command("from-manifest", "manifest command"));
    assertThat(Procfile.command(app, props(Map.of())))
        .contains(new Procfile.Command("from-procfile", "Procfile"));
  }

  @Test
  void noProcfileAndNoCommandIsEmpty() {
    assertThat(Procfile.command(app, props(Map.of("command", "  ")))).isEmpty();
  }
}
