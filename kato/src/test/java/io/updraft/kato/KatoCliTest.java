package io.updraft.kato;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Bad input to kato gets one clear line and a non-zero status. */
class KatoCliTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = KatoMain.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void unknownCommandIsRejected() {
    assertThat(run("frobnicate")).isEqualTo(2);
    assertThat(err.toString()).contains("Unmatched argument at index 0: 'frobnicate'");
  }

  @Test
  void versionPrints() {
    assertThat(run("version")).isZero();
    assertThat(out.toString()).startsWith("kato (Updraft) ");
  }

  @Test
  void badCountIsRejected() {
    assertThat(run("nats", "tail", "--count", "0", "--nats", "nats://127.0.0.1:1")).isEqualTo(2);
    assertThat(err.toString()).contains("--count must be at least 1");
    assertThat(run("nats", "tail", "--count", "many")).isEqualTo(2);
    assertThat(err.toString()).contains("Invalid value for option '--count'");
  }

  @Test
  void badNatsUrlIsRejected() {
    assertThat(run("nats", "tail", "--nats", "http://example:4222")).isEqualTo(1);
    assertThat(err.toString()).contains("kato: config error: --nats servers: expected "
        + "nats://host:port");
  }

  @Test
  void nodeThatIsNotSetUpSaysSo(@TempDir Path dir) {
    assertThat(run("nats", "tail", "--node-file", dir.resolve("node.yml").toString()))
        .isEqualTo(1);
    assertThat(err.toString()).contains("this node is not part of a cluster yet");
  }
}
