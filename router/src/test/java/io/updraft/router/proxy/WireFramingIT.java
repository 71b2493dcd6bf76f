package io.updraft.router.proxy;

import static io.updraft.common.testing.Futures.result;
import static org.assertj.core.api.Assertions.assertThat;

import io.updraft.common.testing.NatsServer;
import io.updraft.common.testing.NatsServerExtension;
import io.updraft.router.testing.RouterHarness;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * HTTP/1.x on the wire through the router, byte for byte, against backends that answer with
 * scripted bytes: heads and bodies split across many reads, chunked bodies with trailers,
 * bodies ended by the close, and requests whose framing could be read two ways (smuggling).
 */
@ExtendWith(NatsServerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WireFramingIT {

  private RouterHarness router;
  private final List<NetServer> servers = new CopyOnWriteArrayList<>();

  @BeforeAll
  void start(NatsServer nats) throws Exception {
    router = RouterHarness.start(nats, Map.of());
  }

  @AfterAll
  void stop() throws Exception {
    router.close();
  }

  @AfterEach
  void stopBackends() throws Exception {
    for (NetServer server : servers) {
      result(server.close());
    }
    servers.clear();
  }

  /**
   * A backend that reads each request head (and a body of its Content-Length, or a chunked body
   * to its end), records the raw request, and answers with {@code answer}'s pieces, each written
   * on its own a few milliseconds apart so the router reads them separately; a null piece
   * closes the connection.
   */
  private List<String> backend(String host, Function<String, List<String>> answer)
      throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    NetServer server = result(router.vertx().createNetServer().connectHandler(socket -> {
      Buffer[] got = {Buffer.buffer()};
      socket.handler(data -> {
        got[0].appendBuffer(data);
        String text = got[0].toString(StandardCharsets.ISO_8859_1);
        int headEnd = text.indexOf("\r\n\r\n");
        if (headEnd < 0) {
          return;
        }
        String head = text.substring(0, headEnd + 4);
        int end = head.length();
        String lower = head.toLowerCase();
        if (lower.contains("transfer-encoding: chunked")) {
          int last = text.indexOf("\r\n0\r\n", headEnd);
          int trailersEnd = last < 0 ? -1 : text.indexOf("\r\n\r\n", last + 3);
          if (trailersEnd < 0) {
            return;
          }
          end = trailersEnd + 4;
        } else if (lower.contains("content-length: ")) {
          int at = lower.indexOf("content-length: ") + 16;
          end += Integer.parseInt(lower.substring(at, lower.indexOf("\r\n", at)).trim());
          if (text.length() < end) {
            return;
          }
        }
        String request = text.substring(0, end);
        seen.add(request);
        got[0] = got[0].getBuffer(end, got[0].length());
        write(socket, answer.apply(request), 0);
      });
    }).listen(0, "127.0.0.1"));
    servers.add(server);
    router.register(host, server.actualPort(), null);
    return seen;
  }

  private void write(NetSocket socket, List<String> pieces, int i) {
    if (i == pieces.size()) {
      return;
    }
    String piece = pieces.get(i);
    if (piece == null) {
      socket.close();
      return;
    }
    socket.write(Buffer.buffer(piece.getBytes(StandardCharsets.ISO_8859_1)));
    router.vertx().setTimer(5, t -> write(socket, pieces, i + 1));
  }

  /** Sends {@code request} on {@code socket} and reads until {@code end} has arrived. */
  private static String exchange(Socket socket, String request, String end) throws Exception {
    socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().flush();
    return readUntil(socket.getInputStream(), end);
  }

  private static String readUntil(InputStream in, String end) throws Exception {
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    while (end == null || !seen.toString(StandardCharsets.ISO_8859_1).endsWith(end)) {
      int n = in.read(buf);
      if (n < 0) {
        break;
      }
      seen.write(buf, 0, n);
    }
    return seen.toString(StandardCharsets.ISO_8859_1);
  }

  private Socket client() throws Exception {
    Socket socket = new Socket("127.0.0.1", router.port());
    socket.setSoTimeout(10_000);
    return socket;
  }

  @Test
  void aChunkedAnswerSplitAcrossReadsArrivesAsItCameAndTheConnectionGoesOn() throws Exception {
    backend("split.vcap.me", request -> List.of("HTT", "P/1.1 200 OK\r\nContent-", "Type: text/"
        + "plain\r\nTransfer-Encoding: chunked\r\n", "\r\n5\r\nhel", "lo\r\n", "6;x=y\r\n wor",
        "ld\r\n0\r\nX-Checksum: 1", "\r\n\r\n"));
    try (Socket socket = client()) {
      String first = exchange(socket, "GET /1 HTTP/1.1\r\nHost: split.vcap.me\r\n\r\n",
          "\r\n0\r\nX-Checksum: 1\r\n\r\n");
      assertThat(first).startsWith("HTTP/1.1 200 OK\r\n").contains("Transfer-Encoding: chunked")
          .endsWith("\r\n\r\n5\r\nhello\r\n6;x=y\r\n world\r\n0\r\nX-Checksum: 1\r\n\r\n")
          .doesNotContainIgnoringCase("connection: close");
      String second = exchange(socket, "GET /2 HTTP/1.1\r\nHost: split.vcap.me\r\n\r\n",
          "\r\n0\r\nX-Checksum: 1\r\n\r\n");
      assertThat(second).startsWith("HTTP/1.1 200 OK\r\n").contains("hello");
    }
  }

  @Test
  void anAnswerWithBothLengthAndChunksGoesOnChunkedWithoutTheLength() throws Exception {
    backend("both.vcap.me", request -> List.of("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n"
        + "Transfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"));
    try (Socket socket = client()) {
      String answer = exchange(socket, "GET / HTTP/1.1\r\nHost: both.vcap.me\r\n\r\n",
          "0\r\n\r\n");
      assertThat(answer).startsWith("HTTP/1.1 200 OK\r\n").contains("Transfer-Encoding: chunked")
          .doesNotContainIgnoringCase("content-length").endsWith("\r\n\r\n2\r\nok\r\n0\r\n\r\n");
    }
  }

  @Test
  void aBodyEndedByTheBackendsCloseEndsTheClientConnectionToo() throws Exception {
    backend("eof.vcap.me", request -> java.util.Arrays.asList(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nno length", " at all", null));
    try (Socket socket = client()) {
      String answer = exchange(socket, "GET / HTTP/1.1\r\nHost: eof.vcap.me\r\n\r\n", null);
      assertThat(answer).startsWith("HTTP/1.1 200 OK\r\n").contains("Connection: close\r\n")
          .endsWith("\r\n\r\nno length at all");
    }
  }

  @Test
  void requestsWhoseFramingCouldBeReadTwoWaysAreRefusedAndNeverForwarded() throws Exception {
    List<String> seen = backend("smuggle.vcap.me", request -> List.of(
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
    String[] attempts = {
        "POST / HTTP/1.1\r\nHost: smuggle.vcap.me\r\nContent-Length: 4\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: smuggle.vcap.me\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: smuggle.vcap.me\r\nContent-Length: 4\r\n"
            + "Content-Length: 40\r\n\r\nabcd",
        "POST / HTTP/1.0\r\nHost: smuggle.vcap.me\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: smuggle.vcap.me\r\nTransfer-Encoding : chunked\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: smuggle.vcap.me\r\nHost: other.vcap.me\r\n\r\n"};
    for (String attempt : attempts) {
      try (Socket socket = client()) {
        String answer = exchange(socket, attempt, null);
        assertThat(answer).as(attempt).matches("HTTP/1\\.[01] 400 Bad Request\r\n[\\s\\S]*")
            .contains("Connection: close");
      }
    }
    assertThat(seen).isEmpty();
  }

  @Test
  void aChunkedRequestReachesTheBackendWithItsTrailersAndTheForwardingHeaders()
      throws Exception {
    List<String> seen = backend("upload.vcap.me", request -> List.of(
        "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"));
    try (Socket socket = client()) {
      String answer = exchange(socket, "POST /up HTTP/1.1\r\nHost: upload.vcap.me\r\n"
          + "Transfer-Encoding: chunked\r\nExpect: 100-continue\r\nTE: trailers\r\n"
          + "X-Forwarded-For: 192.0.2.1\r\n\r\n4\r\nwiki\r\n0\r\nX-Sum: 9\r\n\r\n",
          "Content-Length: 0\r\n\r\n");
      assertThat(answer).startsWith("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\n");
    }
    assertThat(seen).hasSize(1);
    String request = seen.get(0);
    assertThat(request).startsWith("POST /up HTTP/1.1\r\nHost: upload.vcap.me\r\n"
            + "Transfer-Encoding: chunked\r\nX-Forwarded-For: 192.0.2.1, 127.0.0.1\r\n")
        .contains("X-Forwarded-Proto: http\r\n", "X-Request-Start: ", "X-Vcap-Request-Id: ")
        .doesNotContainIgnoringCase("expect:").doesNotContain("TE: trailers")
        .endsWith("\r\n\r\n4\r\nwiki\r\n0\r\nX-Sum: 9\r\n\r\n");
  }

  @Test
  void anHttp10ClientKeepsItsConnectionWhenTheAnswerHasALength() throws Exception {
    backend("old.vcap.me", request -> List.of("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n",
        "abc"));
    try (Socket socket = client()) {
      for (int i = 0; i < 2; i++) {
        String answer = exchange(socket, "GET / HTTP/1.0\r\nHost: old.vcap.me\r\n"
            + "Connection: keep-alive\r\n\r\n", "abc");
        assertThat(answer).startsWith("HTTP/1.0 200 OK\r\n")
            .contains("Connection: keep-alive\r\n").endsWith("\r\n\r\nabc");
      }
    }
  }

  @Test
  void aHeadAnswerHasNoBodyWhateverItsLengthSays() throws Exception {
    backend("head.vcap.me", request -> request.startsWith("HEAD")
        ? List.of("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
        : List.of("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n", "body"));
    try (Socket socket = client()) {
      String head = exchange(socket, "HEAD / HTTP/1.1\r\nHost: head.vcap.me\r\n\r\n",
          "\r\n\r\n");
      assertThat(head).startsWith("HTTP/1.1 200 OK\r\n").endsWith("Content-Length: 1000\r\n\r\n");
      String get = exchange(socket, "GET / HTTP/1.1\r\nHost: head.vcap.me\r\n\r\n", "body");
      assertThat(get).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nbody");
    }
  }

  @Test
  void aMalformedAnswerIs502AndTheRouterGoesOn() throws Exception {
    backend("broken.vcap.me", request -> request.contains("/good")
        ? List.of("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        : List.of("HTTP/1.1 2OO OK\r\nContent-Length: 2\r\n\r\nok"));
    try (Socket socket = client()) {
      String answer = exchange(socket, "GET /bad HTTP/1.1\r\nHost: broken.vcap.me\r\n\r\n",
          "malformed)\n");
      assertThat(answer).startsWith("HTTP/1.1 502 Bad Gateway\r\n").contains("malformed answer");
    }
    assertThat(router.get("broken.vcap.me", "/good").body()).isEqualTo("ok");
  }
}
