package io.updraft.router.proxy;

import static io.updraft.common.testing.Futures.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.updraft.common.testing.NatsServer;
import io.updraft.common.testing.NatsServerExtension;
import io.updraft.router.testing.RouterHarness;
import io.updraft.router.testing.TestBackend;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** Bodies and tunnels that must flow through the router as streams, never buffered whole. */
@ExtendWith(NatsServerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamingIT {

  private static final long UPLOAD_BYTES = 100L * 1024 * 1024;
  private static final int CHUNK = 64 * 1024;

  private RouterHarness router;

  @BeforeAll
  void startRouter(NatsServer nats) throws Exception {
    router = RouterHarness.start(nats, Map.of());
  }

  @AfterAll
  void stopRouter() throws Exception {
    router.close();
  }

  private HttpClient client() {
    return router.vertx().createHttpClient();
  }

  private RequestOptions to(String host, String uri) {
    return new RequestOptions()
        .setServer(SocketAddress.inetSocketAddress(router.port(), "127.0.0.1"))
        .setHost(host).setPort(80).setURI(uri);
  }

  /**
   * The backend holds its request paused; with back-pressure the client can only get a bounded
   * amount into the pipes (socket buffers and write queues), far below the 100 MB body. Then
   * the backend reads everything and checks it arrived intact.
   */
  @Test
  void streams100MbUploadWithBackPressure() throws Exception {
    AtomicReference<HttpServerRequest> held = new AtomicReference<>();
    AtomicLong received = new AtomicLong();
    TestBackend sink = TestBackend.start(router.vertx(), req -> {
      req.pause();
      CRC32 crc = new CRC32();
      req.handler(buf -> {
        crc.update(buf.getBytes());
        received.addAndGet(buf.length());
      });
      req.endHandler(v -> req.response().end(received.get() + " " + crc.getValue()));
      held.set(req);
    });
    router.register("upload.vcap.me", sink);

    byte[] bytes = new byte[CHUNK];
    new Random(7).nextBytes(bytes);
    Buffer chunk = Buffer.buffer(bytes);
    CRC32 expected = new CRC32();
    for (long i = 0; i < UPLOAD_BYTES / CHUNK; i++) {
      expected.update(bytes);
    }
    AtomicLong sent = new AtomicLong();
    Promise<String> answer = Promise.promise();
    HttpClient client = client();
    router.onContext(() -> client.request(to("upload.vcap.me", "/upload")
        .setMethod(HttpMethod.PUT).putHeader("Content-Length", String.valueOf(UPLOAD_BYTES)))
        .onSuccess(req -> {
          req.response().compose(resp -> resp.body()).map(Buffer::toString)
              .onComplete(answer);
          pump(req, chunk, sent);
        })
        .onFailure(answer::fail));

    // wait until the client is stalled by back-pressure (no progress between two polls)
    long[] last = {-1};
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> {
      long now = sent.get();
      boolean stalled = now == last[0] && held.get() != null;
      last[0] = now;
      return stalled;
    });
    assertThat(sent.get()).isLessThan(UPLOAD_BYTES / 4);
    assertThat(received.get()).isZero();

    held.get().resume();
    String body = answer.future().toCompletionStage().toCompletableFuture()
        .get(60, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(body).isEqualTo(UPLOAD_BYTES + " " + expected.getValue());
    result(client.close());
  }

  /** Writes while the request can take more, then waits for drain. */
  private static void pump(HttpClientRequest req, Buffer chunk, AtomicLong sent) {
    while (!req.writeQueueFull() && sent.get() < UPLOAD_BYTES) {
      req.write(chunk);
      sent.addAndGet(chunk.length());
    }
    if (sent.get() >= UPLOAD_BYTES) {
      req.end();
    } else {
      req.drainHandler(v -> pump(req, chunk, sent));
    }
  }

  /** Server-sent-events style: the first part reaches the client before the backend ends. */
  @Test
  void streamsAChunkedResponseAsItIsWritten() throws Exception {
    AtomicBoolean clientGotFirst = new AtomicBoolean();
    TestBackend events = TestBackend.start(router.vertx(), req -> {
      req.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
      req.response().write("data: one\n\n");
      Vertx vertx = router.vertx();
      vertx.setPeriodic(20, id -> {
        if (clientGotFirst.get()) {
          vertx.cancelTimer(id);
          req.response().end("data: two\n\n");
        }
      });
    });
    router.register("sse.vcap.me", events);

    List<String> parts = new CopyOnWriteArrayList<>();
    HttpClient client = client();
    Promise<Void> ended = Promise.promise();
    router.onContext(() -> client.request(to("sse.vcap.me", "/events"))
        .compose(HttpClientRequest::send)
        .onSuccess(resp -> {
          resp.handler(buf -> {
            parts.add(buf.toString());
            if (buf.toString().contains("one")) {
              clientGotFirst.set(true);
            }
          });
          resp.endHandler(v -> ended.complete());
        })
        .onFailure(ended::fail));
    result(ended.future());
    assertThat(String.join("", parts)).isEqualTo("data: one\n\ndata: two\n\n");
    assertThat(parts.get(0)).isEqualTo("data: one\n\n");
    result(client.close());
  }

  @Test
  void proxiesAWebSocketUpgradeAndEchoes() throws Exception {
    HttpServer echo = result(router.vertx().createHttpServer()
        .webSocketHandler(ws -> ws.textMessageHandler(ws::writeTextMessage))
        .requestHandler(req -> req.response().end("plain"))
        .listen(0, "127.0.0.1"));
    // the WebSocket client sends Host: 127.0.0.1:<port>; the router strips the port
    router.register("127.0.0.1", echo.actualPort(), null);

    WebSocketClient wsClient = router.vertx().createWebSocketClient();
    WebSocket ws = result(wsClient.connect(new WebSocketConnectOptions()
        .setHost("127.0.0.1").setPort(router.port()).setURI("/echo")));
    List<String> replies = new CopyOnWriteArrayList<>();
    ws.textMessageHandler(replies::add);
    result(ws.writeTextMessage("hello"));
    result(ws.writeTextMessage("router"));
    await().atMost(Duration.ofSeconds(10)).until(() -> replies.size() == 2);
    assertThat(replies).containsExactly("hello", "router");
    // plain requests to the same backend meanwhile never land in the tunnel
    for (int i = 0; i < 3; i++) {
      HttpClient client = client();
      String body = result(router.onContext(() -> client.request(to("127.0.0.1", "/plain"))
          .compose(HttpClientRequest::send).compose(r -> r.body()).map(Buffer::toString)));
      assertThat(body).isEqualTo("plain");
      result(client.close());
    }
    result(ws.writeTextMessage("still open"));
    await().atMost(Duration.ofSeconds(10)).until(() -> replies.size() == 3);
    result(ws.close());
    result(wsClient.close());
    result(echo.close());
    assertThat((long) router.router().metrics().varz().get("websocket_upgrades")).isEqualTo(1);
  }

  /** An HTTP/1.0 client cannot take chunks: it gets the body delimited by the close. */
  @Test
  void http10ClientGetsAStreamedBodyEndedByTheClose() throws Exception {
    TestBackend chunked = TestBackend.start(router.vertx(), req -> {
      req.response().setChunked(true).write("first,");
      req.response().end("second");
    });
    router.register("old.vcap.me", chunked);
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", router.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write("GET / HTTP/1.0\r\nHost: old.vcap.me\r\n\r\n"
          .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      String answer = new String(socket.getInputStream().readAllBytes(),
          java.nio.charset.StandardCharsets.ISO_8859_1);
      assertThat(answer).startsWith("HTTP/1.0 200").endsWith("\r\n\r\nfirst,second")
          .doesNotContainIgnoringCase("transfer-encoding");
    }
  }
}
