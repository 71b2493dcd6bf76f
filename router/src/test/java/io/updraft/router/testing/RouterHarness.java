package io.updraft.router.testing;

import static io.updraft.common.testing.Futures.result;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.updraft.common.bus.NatsBus;
import io.updraft.common.component.ComponentLauncher;
import io.updraft.common.config.ConfigLoader;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.router.RouteRegistration;
import io.updraft.common.testing.NatsServer;
import io.updraft.router.RouterConfig;
import io.updraft.router.RouterMain;
import io.updraft.router.RouterVerticle;
import io.updraft.router.registry.RouteKey;
import io.updraft.router.registry.RoutePool;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A router started in this JVM the way {@code RouterMain} starts it (real config loading, real
 * NATS), an observer bus to register routes as DEAs do, and a client that talks to the router
 * with any Host header.
 */
public final class RouterHarness implements AutoCloseable {

  /** A response as the client saw it. */
  public record Response(int status, MultiMap headers, String body) {
  }

  private final ComponentLauncher.Running<RouterConfig> running;
  private final RouterVerticle router;
  private final Vertx vertx;
  private final NatsBus observer;
  private final HttpClient client;
  private final Context context;
  private final Path accessLog;

  private RouterHarness(ComponentLauncher.Running<RouterConfig> running, RouterVerticle router,
      Vertx vertx, NatsBus observer, Path accessLog) {
    this.running = running;
    this.router = router;
    this.vertx = vertx;
    this.observer = observer;
    this.accessLog = accessLog;
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
    this.context = vertx.getOrCreateContext();
  }

  /**
   * Starts a router with {@code overrides} as {@code UPDRAFT__} environment keys (e.g.
   * {@code BACKEND_TIMEOUT_MS -> 500}); port, NATS and the access log file are set here.
   */
  public static RouterHarness start(NatsServer nats, Map<String, String> overrides)
      throws Exception {
    Path accessLog = Files.createTempFile("router-access", ".log");
    Map<String, String> env = new HashMap<>();
    env.put("UPDRAFT__NATS__SERVERS", "[" + nats.url() + "]");
    env.put("UPDRAFT__NATS__USER", NatsServer.USER);
    env.put("UPDRAFT__NATS__PASSWORD", NatsServer.PASSWORD);
    env.put("UPDRAFT__NATS__RECONNECT_MAX_WAIT_MS", "200");
    env.put("UPDRAFT__LOCAL_IP", "127.0.0.1");
    env.put("UPDRAFT__HOST", "127.0.0.1");
    env.put("UPDRAFT__PORT", String.valueOf(NatsServer.freePort()));
    env.put("UPDRAFT__EVENT_LOOPS", "2");
    env.put("UPDRAFT__ACCESS_LOG__FILE", accessLog.toString());
    overrides.forEach((k, v) -> env.put("UPDRAFT__" + k, v));
    RouterConfig config = ConfigLoader.load(null, env, RouterConfig.class);
    RouterVerticle[] router = new RouterVerticle[1];
    ComponentLauncher.Running<RouterConfig> running = result(ComponentLauncher.start(
        RouterMain.TYPE, config, rt -> router[0] = new RouterVerticle(rt)));
    Vertx vertx = Vertx.vertx();
    NatsBus observer = result(NatsBus.connect(vertx, nats.config(), "test-observer",
        new SimpleMeterRegistry()));
    return new RouterHarness(running, router[0], vertx, observer, accessLog);
  }

  public RouterVerticle router() {
    return router;
  }

  public int port() {
    return router.httpPort();
  }

  /** The test's own Vert.x (backends and the client run on it). */
  public Vertx vertx() {
    return vertx;
  }

  /** A bus connection of the test's own, like a DEA's. */
  public NatsBus observer() {
    return observer;
  }

  public Path accessLog() {
    return accessLog;
  }

  /** The status endpoint's port and credentials. */
  public ComponentLauncher.Running<RouterConfig> running() {
    return running;
  }

  public static RouteRegistration registration(String uri, int port, String privateId) {
    return new RouteRegistration("127.0.0.1", port, List.of(uri), Map.of(), "0-dea", "42",
        privateId);
  }

  /** Publishes {@code router.register} and waits until the router has the backend. */
  public void register(String uri, int port, String privateId) {
    observer.publish(Subjects.ROUTER_REGISTER, registration(uri, port, privateId));
    awaitBackends(uri, n -> n.contains("127.0.0.1:" + port));
  }

  public void register(String uri, TestBackend backend) {
    register(uri, backend.port(), null);
  }

  /** Publishes {@code router.unregister} and waits until the router dropped the backend. */
  public void unregister(String uri, int port) {
    observer.publish(Subjects.ROUTER_UNREGISTER, registration(uri, port, null));
    awaitBackends(uri, n -> !n.contains("127.0.0.1:" + port));
  }

  private void awaitBackends(String uri, java.util.function.Predicate<List<String>> condition) {
    await().atMost(Duration.ofSeconds(10)).until(() -> condition.test(backends(uri)));
  }

  /** Addresses the router has for exactly the route {@code uri}. */
  public List<String> backends(String uri) {
    RouteKey key = RouteKey.parse(uri);
    RoutePool pool = router.table().lookup(key.host(), key.path().isEmpty() ? "/" : key.path());
    return pool == null || !pool.key().equals(key) ? List.of()
        : pool.backends().stream().map(b -> b.address()).toList();
  }

  public Response get(String host, String path) throws Exception {
    return request(HttpMethod.GET, host, path, MultiMap.caseInsensitiveMultiMap());
  }

  /** One request through the router, with {@code host} as the Host header. */
  public Response request(HttpMethod method, String host, String path, MultiMap headers)
      throws Exception {
    return result(onContext(() -> client.request(options(method, host, path, headers))
        .compose(req -> req.send())
        .compose(RouterHarness::read)));
  }

  /** A GET sent without waiting for it, for concurrent requests. */
  public Future<Response> requestAsync(String host, String path) {
    return onContext(() -> client.request(options(HttpMethod.GET, host, path,
            MultiMap.caseInsensitiveMultiMap()))
        .compose(req -> req.send())
        .compose(RouterHarness::read));
  }

  /** A request with a body of known length. */
  public Response request(HttpMethod method, String host, String path, String body)
      throws Exception {
    return result(onContext(() -> client.request(options(method, host, path,
            MultiMap.caseInsensitiveMultiMap()))
        .compose(req -> req.send(body))
        .compose(RouterHarness::read)));
  }

  /** A request whose body is sent in chunks ({@code Transfer-Encoding: chunked}). */
  public Response requestChunked(String host, String path, List<String> chunks)
      throws Exception {
    return result(onContext(() -> client.request(options(HttpMethod.POST, host, path,
            MultiMap.caseInsensitiveMultiMap()))
        .compose(req -> {
          req.setChunked(true);
          chunks.forEach(req::write);
          req.end();
          return req.response();
        })
        .compose(RouterHarness::read)));
  }

  /**
   * Runs a client exchange on the harness's one context. Called from the test thread, a
   * response that arrives before {@code body()} is asked for would lose its body (Vert.x
   * delivers it once, to whoever listens then): on the context, the whole chain runs on the
   * event loop that reads the response, so {@code body()} is always in time.
   */
  public <T> Future<T> onContext(Supplier<Future<T>> exchange) {
    Promise<T> done = Promise.promise();
    context.runOnContext(v -> exchange.get().onComplete(done));
    return done.future();
  }

  private RequestOptions options(HttpMethod method, String host, String path,
      MultiMap headers) {
    return new RequestOptions()
        .setServer(SocketAddress.inetSocketAddress(port(), "127.0.0.1"))
        .setHost(host).setPort(80)
        .setMethod(method).setURI(path).setHeaders(headers);
  }

  private static io.vertx.core.Future<Response> read(HttpClientResponse resp) {
    return resp.body().map(body -> new Response(resp.statusCode(), resp.headers(),
        body.toString()));
  }

  @Override
  public void close() throws Exception {
    running.stop();
    result(observer.close());
    result(client.close());
    result(vertx.close());
    Files.deleteIfExists(accessLog);
  }
}
