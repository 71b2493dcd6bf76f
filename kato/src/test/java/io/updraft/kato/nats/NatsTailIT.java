package io.updraft.kato.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.updraft.common.testing.NatsServer;
import io.updraft.common.testing.NatsServerExtension;
import io.updraft.kato.KatoMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

/** {@code kato nats tail} against a real server. */
@ExtendWith(NatsServerExtension.class)
class NatsTailIT {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private CompletableFuture<Integer> runAsync(String... args) {
    CommandLine cli = KatoMain.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return CompletableFuture.supplyAsync(() -> cli.execute(args));
  }

  private static Connection publisher(NatsServer nats) throws Exception {
    return Nats.connect(new Options.Builder().server(nats.url())
        .userInfo(NatsServer.USER.toCharArray(), NatsServer.PASSWORD.toCharArray()).build());
  }

  @Test
  void printsDecodedMessagesAndStopsAfterCount(NatsServer nats) throws Exception {
    CompletableFuture<Integer> tail = runAsync("nats", "tail", "--nats", nats.url(),
        "--nats-user", NatsServer.USER, "--nats-password", NatsServer.PASSWORD,
        "--count", "2", "--no-color", "dea.*", "router.register");
    try (Connection connection = publisher(nats)) {
      await().atMost(Duration.ofSeconds(10)).until(() -> err.toString().contains("watching"));
      connection.publish("dea.advertise", "{\"id\":\"0-abc\",\"available_memory\":512}"
          .getBytes(StandardCharsets.UTF_8));
      connection.publish("other.subject", "{}".getBytes(StandardCharsets.UTF_8));
      connection.publish("router.register", ("{\"host\":\"10.0.0.7\",\"port\":61023,"
          + "\"uris\":[\"blog.vcap.me\"]}").getBytes(StandardCharsets.UTF_8));
      connection.flush(Duration.ofSeconds(5));
      assertThat(tail.get(10, java.util.concurrent.TimeUnit.SECONDS)).isZero();
    }
    String[] lines = out.toString().strip().split("\n");
    assertThat(lines).hasSize(2);
    assertThat(lines[0]).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} dea\\.advertise DeaAdvertise "
        + "\\{\"id\":\"0-abc\",\"available_memory\":512}");
    assertThat(lines[1]).contains("router.register RouteRegistration {\"host\":\"10.0.0.7\"");
  }

  @Test
  void unreachableServerIsAClearFailure() throws Exception {
    int port = NatsServer.freePort();
    int status = runAsync("nats", "tail", "--nats", "nats://127.0.0.1:" + port).get();
    assertThat(status).isEqualTo(1);
    assertThat(err.toString()).contains("kato nats tail: cannot reach NATS at [nats://127.0.0.1:"
        + port + "]");
  }

  @Test
  void wrongPasswordIsAClearFailureWithoutThePassword(NatsServer nats) throws Exception {
    int status = runAsync("nats", "tail", "--nats", nats.url(), "--nats-user",
        NatsServer.USER, "--nats-password", "guessed-wrong").get();
    assertThat(status).isEqualTo(1);
    assertThat(err.toString()).contains("cannot reach NATS").containsIgnoringCase("authorization")
        .doesNotContain("guessed-wrong");
  }
}
