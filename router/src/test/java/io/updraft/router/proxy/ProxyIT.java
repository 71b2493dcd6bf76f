package io.updraft.router.proxy;

import static io.updraft.common.testing.Futures.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.updraft.common.testing.NatsServer;
import io.updraft.common.testing.NatsServerExtension;
import io.updraft.router.testing.RouterHarness;
import io.updraft.router.testing.RouterHarness.Response;
import io.updraft.router.testing.TestBackend;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** HTTP proxying through a real router, with real backends and a real nats-server. */
@ExtendWith(NatsServerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyIT {

  private static final long BACKEND_TIMEOUT_MS = 1_000;

  private RouterHarness router;
  private final List<TestBackend> backends = new ArrayList<>();

  @BeforeAll
  void startRouter(NatsServer nats) throws Exception {
    router = RouterHarness.start(nats,
        Map.of("BACKEND_TIMEOUT_MS", String.valueOf(BACKEND_TIMEOUT_MS)));
  }

  @AfterAll
  void stopRouter() throws Exception {
    router.close();
  }

  @AfterEach
  void stopBackends() throws Exception {
    for (TestBackend b : backends) {
      b.close();
    }
    backends.clear();
  }

  private TestBackend named(String name) throws Exception {
    TestBackend b = TestBackend.named(router.vertx(), name);
    backends.add(b);
    return b;
  }

  private TestBackend backend(io.vertx.core.Handler<io.vertx.core.http.HttpServerRequest> h)
      throws Exception {
    TestBackend b = TestBackend.start(router.vertx(), h);
    backends.add(b);
    return b;
  }

  @Test
  void routesARegisteredHostAndForgetsItOnUnregister() throws Exception {
    TestBackend a = named("A");
    router.register("reg.vcap.me", a);
    assertThat(router.get("reg.vcap.me", "/").body()).isEqualTo("A");
    // Host is matched case-insensitively and without its port
    assertThat(router.get("REG.Vcap.me:8080", "/").body()).isEqualTo("A");
    assertThat(router.get("reg.vcap.me.", "/").body()).isEqualTo("A");

    router.unregister("reg.vcap.me", a.port());
    Response gone = router.get("reg.vcap.me", "/");
    assertThat(gone.status()).isEqualTo(404);
    assertThat(gone.body()).contains("reg.vcap.me").contains("VCAP ROUTER: 404");
  }

  @Test
  void unknownHostIs404NamingTheHost() throws Exception {
    Response r = router.get("nobody.vcap.me", "/x");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.body()).contains("no app is mapped to nobody.vcap.me");
    assertThat(r.headers().get("Content-Type")).startsWith("text/plain");
  }

  @Test
  void roundRobinSpreadsRequestsEvenlyOverThreeBackends() throws Exception {
    for (String name : List.of("A", "B", "C")) {
      router.register("rr.vcap.me", named(name));
    }
    List<String> bodies = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      bodies.add(router.get("rr.vcap.me", "/").body());
    }
    Map<String, Long> counts = bodies.stream()
        .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    assertThat(counts).containsOnlyKeys("A", "B", "C").containsValues(10L);
  }

  @Test
  void retriesOnAnotherBackendWhenConnectingFailsThenAvoidsTheDeadOne() throws Exception {
    int dead = NatsServer.freePort();
    router.register("retry.vcap.me", dead, null);
    router.register("retry.vcap.me", named("alive"));
    long retriesBefore = (long) router.router().metrics().varz().get("backend_retries");
    for (int i = 0; i < 6; i++) {
      Response r = router.get("retry.vcap.me", "/");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("alive");
    }
    // one failed connect, one retry; then the dead backend is passed over for a while
    assertThat((long) router.router().metrics().varz().get("backend_retries"))
        .isEqualTo(retriesBefore + 1);
  }

  @Test
  void aGetWhoseConnectionClosesBeforeAnyAnswerGoesOnceMoreToAnotherBackend() throws Exception {
    // an instance going away: it accepts the request and closes without answering
    TestBackend closing = backend(req -> req.connection().close());
    router.register("closing.vcap.me", closing);
    router.register("closing.vcap.me", named("alive"));
    long retriesBefore = (long) router.router().metrics().varz().get("backend_retries");
    for (int i = 0; i < 4; i++) {
      Response r = router.get("closing.vcap.me", "/");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("alive");
    }
    assertThat((long) router.router().metrics().varz().get("backend_retries"))
        .isGreaterThan(retriesBefore);
  }

  @Test
  void aPostWhoseConnectionClosesBeforeAnyAnswerIsNotSentTwice() throws Exception {
    java.util.concurrent.atomic.AtomicInteger posts = new java.util.concurrent.atomic.AtomicInteger();
    TestBackend closing = backend(req -> {
      posts.incrementAndGet();
      req.connection().close();
    });
    router.register("post-closing.vcap.me", closing);
    Response r = router.request(HttpMethod.POST, "post-closing.vcap.me", "/", "payload");
    assertThat(r.status()).isEqualTo(502);
    assertThat(posts.get()).isEqualTo(1);
  }

  @Test
  void noLiveBackendIs502() throws Exception {
    router.register("dead.vcap.me", NatsServer.freePort(), null);
    router.register("dead.vcap.me", NatsServer.freePort(), null);
    Response r = router.get("dead.vcap.me", "/");
    assertThat(r.status()).isEqualTo(502);
    assertThat(r.body()).contains("no live instance of dead.vcap.me");
  }

  @Test
  void slowBackendIs504AfterTheTimeout() throws Exception {
    TestBackend silent = backend(req -> { });
    router.register("slow.vcap.me", silent);
    long start = System.nanoTime();
    Response r = router.get("slow.vcap.me", "/");
    long tookMs = (System.nanoTime() - start) / 1_000_000;
    assertThat(r.status()).isEqualTo(504);
    assertThat(r.body()).contains("slow.vcap.me did not answer within " + BACKEND_TIMEOUT_MS);
    assertThat(tookMs).isBetween(BACKEND_TIMEOUT_MS - 50, BACKEND_TIMEOUT_MS + 5_000);
  }

  @Test
  void stickySessionFollowsVcapIdWhileTheInstanceLives() throws Exception {
    TestBackend one = backend(req -> req.response()
        .putHeader("Set-Cookie", "JSESSIONID=s1; Path=/").end("one"));
    TestBackend two = backend(req -> req.response()
        .putHeader("Set-Cookie", "jsessionid=s2; Path=/").end("two"));
    String id1 = "1".repeat(64);
    String id2 = "2".repeat(64);
    router.register("sticky.vcap.me", one.port(), id1);
    router.register("sticky.vcap.me", two.port(), id2);

    Response first = router.get("sticky.vcap.me", "/");
    String expectedId = first.body().equals("one") ? id1 : id2;
    assertThat(first.headers().getAll("Set-Cookie"))
        .contains("__VCAP_ID__=" + expectedId + "; Path=/; HttpOnly");

    MultiMap cookie = MultiMap.caseInsensitiveMultiMap()
        .add("Cookie", "JSESSIONID=x; __VCAP_ID__=" + expectedId);
    for (int i = 0; i < 6; i++) {
      assertThat(router.request(HttpMethod.GET, "sticky.vcap.me", "/", cookie).body())
          .isEqualTo(first.body());
    }

    // the instance went away: its cookie no longer pins, the other instance answers
    TestBackend gone = first.body().equals("one") ? one : two;
    router.unregister("sticky.vcap.me", gone.port());
    Response after = router.request(HttpMethod.GET, "sticky.vcap.me", "/", cookie);
    assertThat(after.status()).isEqualTo(200);
    assertThat(after.body()).isNotEqualTo(first.body());
  }

  @Test
  void noStickyCookieWhenTheAppSetsNoSession() throws Exception {
    router.register("plain.vcap.me", named("plain").port(), "3".repeat(64));
    assertThat(router.get("plain.vcap.me", "/").headers().getAll("Set-Cookie")).isEmpty();
  }

  @Test
  void setsForwardingHeadersAndPassesHostAndUriUnchanged() throws Exception {
    router.register("fwd.vcap.me", named("fwd"));
    long before = System.currentTimeMillis();
    Response r = router.request(HttpMethod.GET, "fwd.vcap.me", "/a/b?q=1&r=%20",
        MultiMap.caseInsensitiveMultiMap().add("X-Forwarded-For", "203.0.113.9"));
    assertThat(r.headers().get("X-Seen-Host")).startsWith("fwd.vcap.me");
    assertThat(r.headers().get("X-Seen-Uri")).isEqualTo("/a/b?q=1&r=%20");
    assertThat(r.headers().get("X-Seen-Forwarded-For")).isEqualTo("203.0.113.9, 127.0.0.1");
    assertThat(r.headers().get("X-Seen-Forwarded-Proto")).isEqualTo("http");
    assertThat(Long.parseLong(r.headers().get("X-Seen-Request-Start")))
        .isBetween(before, System.currentTimeMillis());
    assertThat(r.headers().get("X-Seen-Request-Id"))
        .matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  }

  @Test
  void pathPrefixRoutesAndWildcardDomains() throws Exception {
    router.register("pp.vcap.me", named("root"));
    router.register("pp.vcap.me/api", named("api"));
    router.register("*.wild.vcap.me", named("wild"));
    assertThat(router.get("pp.vcap.me", "/api/users").body()).isEqualTo("api");
    assertThat(router.get("pp.vcap.me", "/api").body()).isEqualTo("api");
    assertThat(router.get("pp.vcap.me", "/apiary").body()).isEqualTo("root");
    assertThat(router.get("anything.wild.vcap.me", "/").body()).isEqualTo("wild");
    assertThat(router.get("wild.vcap.me", "/").status()).isEqualTo(404);
  }

  @Test
  void malformedRequestsGet400AndTheRouterKeepsServing() throws Exception {
    router.register("after.vcap.me", named("after"));
    assertThat(raw("GET / HTTP/1.0\r\n\r\n")).startsWith("HTTP/1.0 400");
    assertThat(raw("BLAH\r\n\r\n")).matches("HTTP/1\\.[01] 400[\\s\\S]*");
    assertThat(raw("GET / HTTP/1.1\r\nHost: after.vcap.me\r\nX-Big: " + "x".repeat(20_000)
        + "\r\n\r\n")).matches("HTTP/1.1 (400|431)[\\s\\S]*");
    assertThat(raw("\u0000\u0001\u0002garbage\r\n\r\n")).matches("HTTP/1\\.[01] 400[\\s\\S]*");
    assertThat(router.get("after.vcap.me", "/").body()).isEqualTo("after");
    assertThat((long) router.router().metrics().varz().get("bad_requests")).isPositive();
  }

  /** Sends raw bytes, returns what the router answered before closing. */
  private String raw(String request) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", router.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] buf = new byte[4096];
      int n = in.read(buf);
      return n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.ISO_8859_1);
    }
  }

  @Test
  void writesOneAccessLogLinePerRequest() throws Exception {
    TestBackend b = named("logged");
    router.register("log.vcap.me", b);
    Response r = router.get("log.vcap.me", "/logged/path?token=secret");
    assertThat(r.status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(router.accessLog())
        .contains("path=\"/logged/path\""));
    String line = Files.readAllLines(router.accessLog()).stream()
        .filter(l -> l.contains("/logged/path")).findFirst().orElseThrow();
    assertThat(line).contains("host=log.vcap.me", "method=GET", "status=200", "bytes=6",
        "backend=127.0.0.1:" + b.port(), "request_id=", "duration_ms=", "app=42")
        .doesNotContain("secret");
  }

  @Test
  void varzShowsRouterFigures() throws Exception {
    router.register("varz.vcap.me", named("v"));
    router.get("varz.vcap.me", "/");
    var component = router.running().runtime().component();
    List<String> creds = component.statusCredentials();
    Response varz = result(router.onContext(() -> router.vertx().createHttpClient()
        .request(new io.vertx.core.http.RequestOptions().setHost("127.0.0.1")
            .setPort(component.statusPort()).setURI("/varz")
            .putHeader("Authorization", "Basic " + java.util.Base64.getEncoder()
                .encodeToString((creds.get(0) + ":" + creds.get(1))
                    .getBytes(StandardCharsets.UTF_8))))
        .compose(req -> req.send())
        .compose(resp -> resp.body().map(b -> new Response(resp.statusCode(), resp.headers(),
            b.toString())))));
    assertThat(varz.status()).isEqualTo(200);
    io.vertx.core.json.JsonObject doc = new io.vertx.core.json.JsonObject(varz.body());
    assertThat(doc.getInteger("routes")).isPositive();
    assertThat(doc.getLong("requests")).isPositive();
    assertThat(doc.getInteger("http_port")).isEqualTo(router.port());
    assertThat(doc.getJsonObject("route_stats").getJsonObject("varz.vcap.me")
        .getLong("2xx")).isEqualTo(1);
  }

  /** Many kinds of broken input in a row: each is answered or dropped, none takes it down. */
  @Test
  void survivesAStreamOfGarbage() throws Exception {
    router.register("fuzz.vcap.me", named("fuzz"));
    java.util.Random random = new java.util.Random(42);
    List<String> shapes = List.of("GET /%s HTTP/1.1\r\nHost: fuzz.vcap.me\r\nContent-Length: -1\r\n\r\n",
        "GET /%s HTTP/9.9\r\nHost: fuzz.vcap.me\r\n\r\n",
        "POST /%s HTTP/1.1\r\nHost: fuzz.vcap.me\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "GET %s\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: fuzz.vcap.me\r\nBad Header Line %s\r\n\r\n");
    for (int i = 0; i < 100; i++) {
      byte[] noise = new byte[random.nextInt(64)];
      random.nextBytes(noise);
      String junk = new String(noise, StandardCharsets.ISO_8859_1).replaceAll("[\\r\\n]", "");
      String request = i % 10 == 0 ? junk + "\r\n\r\n"
          : String.format(shapes.get(i % shapes.size()), junk.replace("%", ""));
      String answer = raw(request);
      // an answer, if any, is a well-formed status line (Vert.x echoes a bad version back)
      if (!answer.isEmpty()) {
        assertThat(answer).matches("HTTP/\\d\\.\\d [2-5]\\d\\d[\\s\\S]*");
      }
    }
    assertThat(router.get("fuzz.vcap.me", "/").body()).isEqualTo("fuzz");
  }

  @Test
  void carriesBodiesOfEveryFramingAndBodilessAnswers() throws Exception {
    TestBackend echo = backend(req -> {
      if (req.method() == HttpMethod.HEAD) {
        req.response().putHeader("Content-Length", "42").end();
      } else if (req.path().equals("/empty")) {
        req.response().setStatusCode(204).end();
      } else {
        req.body().onSuccess(body -> req.response()
            .putHeader("X-Seen-Transfer-Encoding",
                String.valueOf(req.getHeader("Transfer-Encoding")))
            .end("got:" + body));
      }
    });
    router.register("echo.vcap.me", echo);

    Response sized = router.request(HttpMethod.POST, "echo.vcap.me", "/", "hello");
    assertThat(sized.body()).isEqualTo("got:hello");
    Response chunked = router.requestChunked("echo.vcap.me", "/", List.of("chunk1,", "chunk2"));
    assertThat(chunked.body()).isEqualTo("got:chunk1,chunk2");
    assertThat(chunked.headers().get("X-Seen-Transfer-Encoding")).isEqualTo("chunked");
    Response head = router.request(HttpMethod.HEAD, "echo.vcap.me", "/",
        MultiMap.caseInsensitiveMultiMap());
    assertThat(head.status()).isEqualTo(200);
    assertThat(head.headers().get("Content-Length")).isEqualTo("42");
    assertThat(head.body()).isEmpty();
    Response empty = router.get("echo.vcap.me", "/empty");
    assertThat(empty.status()).isEqualTo(204);
    assertThat(empty.body()).isEmpty();
  }

  /** A backend that closes every connection: the router must never reuse one of them. */
  @Test
  void backendsThatCloseEachConnectionServeConcurrentRequests() throws Exception {
    TestBackend closing = backend(req -> req.response().putHeader("Connection", "close")
        .end("closing"));
    router.register("close.vcap.me", closing);
    List<io.vertx.core.Future<Response>> inFlight = new ArrayList<>();
    for (int round = 0; round < 5; round++) {
      for (int i = 0; i < 20; i++) {
        inFlight.add(router.requestAsync("close.vcap.me", "/"));
      }
      for (io.vertx.core.Future<Response> f : inFlight) {
        Response r = result(f);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("closing");
      }
      inFlight.clear();
    }
    assertThat(closing.hits()).isEqualTo(100);
  }
}
