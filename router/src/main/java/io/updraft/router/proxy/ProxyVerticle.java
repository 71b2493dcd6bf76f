package io.updraft.router.proxy;

import io.updraft.router.RouterConfig;
import io.updraft.router.metrics.AccessLog;
import io.updraft.router.metrics.RouterMetrics;
import io.updraft.router.registry.RouteTable;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One proxy event loop: an HTTP server on the router port (Vert.x spreads connections over
 * the instances that listen on the same port) and the client it uses to reach backends, so a
 * request and its backend connection stay on the same loop.
 */
public final class ProxyVerticle extends VerticleBase {

  /**
   * How long an idle backend connection is kept: under the 5 s many app servers use (Node.js),
   * so the router does not reuse a connection the backend is closing.
   */
  private static final int BACKEND_KEEPALIVE_SECONDS = 4;

  private final RouterConfig config;
  private final RouteTable routes;
  private final RouterMetrics metrics;
  private final AccessLog accessLog;
  private final AtomicInteger boundPort;
  private HttpClientAgent client;
  private HttpServer server;
  private ProxyHandler handler;

  /**
   * @param boundPort receives the port the server listens on (useful when configured as 0)
   */
  public ProxyVerticle(RouterConfig config, RouteTable routes, RouterMetrics metrics,
      AccessLog accessLog, AtomicInteger boundPort) {
    this.config = config;
    this.routes = routes;
    this.metrics = metrics;
    this.accessLog = accessLog;
    this.boundPort = boundPort;
  }

  @Override
  public Future<?> start() {
    client = vertx.createHttpClient(new HttpClientOptions()
            .setConnectTimeout(config.connectTimeoutMs())
            .setKeepAlive(true)
            .setKeepAliveTimeout(BACKEND_KEEPALIVE_SECONDS)
            .setTcpNoDelay(true)
            .setDecompressionSupported(false)
            // connections are kept by BackendConnections, not by the client's pool
            .setMaxHeaderSize(config.maxHeaderSize()));
    BackendConnections connections = new BackendConnections(client, config.connectTimeoutMs(),
        config.maxConnectionsPerBackend(), BACKEND_KEEPALIVE_SECONDS * 1000L);
    handler = new ProxyHandler(vertx, routes, connections, metrics, accessLog,
        config.backendTimeoutMs());
    handler.start();
    server = vertx.createHttpServer(new HttpServerOptions()
            .setHost(config.host())
            .setPort(config.port())
            .setMaxHeaderSize(config.maxHeaderSize())
            .setHandle100ContinueAutomatically(true)
            .setCompressionSupported(false)
            .setDecompressionSupported(false)
            // upgrades are tunnelled as bytes: no WebSocket extension handling per request
            .setPerFrameWebSocketCompressionSupported(false)
            .setPerMessageWebSocketCompressionSupported(false)
            .setTcpNoDelay(true)
            // every write to a client happens on its connection's own event loop (the backend
            // client shares it), so Vert.x can skip its cross-thread outbound queue
            .setStrictThreadMode(true)
            .setIdleTimeout(config.clientIdleTimeoutSeconds()))
        .requestHandler(handler)
        .invalidRequestHandler(handler::invalid);
    return server.listen().map(s -> {
      boundPort.set(s.actualPort());
      return null;
    });
  }

  @Override
  public Future<?> stop() {
    handler.stop();
    return server.close().eventually(() -> client.close());
  }
}
