package io.updraft.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.updraft.common.testing.NatsServer;
import io.updraft.common.testing.NatsServerExtension;
import io.updraft.router.testing.RouterHarness;
import io.updraft.router.testing.TestBackend;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** What the router does with client connections themselves: pipelining and idle ones. */
@ExtendWith(NatsServerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientConnectionsIT {

  private RouterHarness router;
  private TestBackend backend;

  @BeforeAll
  void start(NatsServer nats) throws Exception {
    router = RouterHarness.start(nats, Map.of("CLIENT_IDLE_TIMEOUT_SECONDS", "2"));
    backend = TestBackend.start(router.vertx(), req -> {
      if (req.path().equals("/stream")) {
        // a part every 400 ms for 4 s: twice the client idle timeout, though the client is silent
        req.response().setChunked(true);
        int[] sent = {0};
        router.vertx().setPeriodic(400, id -> {
          if (++sent[0] == 10) {
            router.vertx().cancelTimer(id);
            req.response().end("part " + sent[0] + " end");
          } else {
            req.response().write("part " + sent[0] + "\n");
          }
        });
      } else {
        req.response().end("path " + req.path());
      }
    });
    router.register("conn.vcap.me", backend);
  }

  @AfterAll
  void stop() throws Exception {
    backend.close();
    router.close();
  }

  /** Reads until {@code marker} has been seen {@code times} times, or the socket closes. */
  private static String readUntil(InputStream in, String marker, int times) throws Exception {
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    while (count(seen.toString(StandardCharsets.ISO_8859_1), marker) < times) {
      int n = in.read(buf);
      if (n < 0) {
        break;
      }
      seen.write(buf, 0, n);
    }
    return seen.toString(StandardCharsets.ISO_8859_1);
  }

  private static int count(String text, String marker) {
    int n = 0;
    for (int i = text.indexOf(marker); i >= 0; i = text.indexOf(marker, i + 1)) {
      n++;
    }
    return n;
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrderOnOneConnection() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", router.port())) {
      socket.setSoTimeout(10_000);
      StringBuilder requests = new StringBuilder();
      for (int i = 1; i <= 5; i++) {
        requests.append("GET /").append(i).append(" HTTP/1.1\r\nHost: conn.vcap.me\r\n\r\n");
      }
      // an unknown host in the middle is answered by the router itself, in its turn
      requests.insert(0, "GET /x HTTP/1.1\r\nHost: nowhere.vcap.me\r\n\r\n");
      socket.getOutputStream().write(requests.toString().getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();

      String answers = readUntil(socket.getInputStream(), "HTTP/1.1 ", 6);
      // the last answer's body may still be on its way: wait for it too
      if (!answers.endsWith("path /5")) {
        answers += readUntil(socket.getInputStream(), "path /5", 1);
      }

      assertThat(answers).startsWith("HTTP/1.1 404");
      assertThat(count(answers, "HTTP/1.1 200")).isEqualTo(5);
      int previous = -1;
      for (int i = 1; i <= 5; i++) {
        int at = answers.indexOf("path /" + i);
        assertThat(at).as("answer %d after answer %d", i, i - 1).isGreaterThan(previous);
        previous = at;
      }
    }
  }

  @Test
  void anIdleClientConnectionIsClosedAfterTheIdleTimeout() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", router.port())) {
      socket.setSoTimeout(15_000);
      long start = System.nanoTime();
      socket.getOutputStream().write(
          "GET /a HTTP/1.1\r\nHost: conn.vcap.me\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String answer = readUntil(socket.getInputStream(), "path /a", 1);
      assertThat(answer).startsWith("HTTP/1.1 200").endsWith("path /a");

      // then nothing: the router closes the connection (read sees the end, no timeout)
      int next = socket.getInputStream().read();

      long seconds = (System.nanoTime() - start) / 1_000_000_000L;
      assertThat(next).isEqualTo(-1);
      assertThat(seconds).isBetween(1L, 10L);
    }
  }

  @Test
  void anAnswerStillStreamingKeepsASilentClientConnectionOpen() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", router.port())) {
      socket.setSoTimeout(15_000);
      socket.getOutputStream().write(
          "GET /stream HTTP/1.1\r\nHost: conn.vcap.me\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String answer = readUntil(socket.getInputStream(), "part 10 end", 1);
      assertThat(answer).startsWith("HTTP/1.1 200").contains("part 1\n", "part 9\n", "part 10 end");
    }
  }
}
