package io.updraft.controller.scaling;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A local HTTP server on a free port standing in for a cloud API: answers each {@code
 * "METHOD /path"} (query left out) from a route and records every request it got, in order.
 * Unrouted requests get a 599 so a test sees them. {@link #hang} makes a route never answer
 * until the server closes (for timeouts, without sleeping in the test).
 */
final class StubHttpServer implements AutoCloseable {

  /** One request as the stub saw it. */
  record Request(String method, String path, String query, Map<String, List<String>> headers,
      String body) {

    String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue().get(0);
        }
      }
      return null;
    }

    String line() {
      return method + " " + path;
    }
  }

  /** An answer. */
  record Response(int status, Map<String, String> headers, String body) {

    static Response json(int status, String body) {
      return new Response(status, Map.of("Content-Type", "application/json"), body);
    }

    static Response xml(int status, String body) {
      return new Response(status, Map.of("Content-Type", "text/xml;charset=UTF-8"), body);
    }

    static Response empty(int status) {
      return new Response(status, Map.of(), "");
    }
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final Map<String, Function<Request, Response>> routes = new ConcurrentHashMap<>();
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final CountDownLatch closing = new CountDownLatch(1);

  StubHttpServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  String url() {
    return "http://127.0.0.1:" + port();
  }

  StubHttpServer route(String methodAndPath, Function<Request, Response> answer) {
    routes.put(methodAndPath, answer);
    return this;
  }

  StubHttpServer route(String methodAndPath, Response answer) {
    return route(methodAndPath, r -> answer);
  }

  /** The route never answers (until the stub closes). */
  StubHttpServer hang(String methodAndPath) {
    return route(methodAndPath, r -> {
      try {
        closing.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return Response.empty(599);
    });
  }

  List<Request> requests() {
    return List.copyOf(requests);
  }

  List<Request> requests(String methodAndPath) {
    return requests.stream().filter(r -> r.line().equals(methodAndPath)).toList();
  }

  private void handle(HttpExchange exchange) throws IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI()
        .getRawPath(), exchange.getRequestURI().getRawQuery(),
        Map.copyOf(exchange.getRequestHeaders()), body);
    requests.add(request);
    Function<Request, Response> route = routes.get(request.line());
    Response response = route == null
        ? Response.json(599, "{\"message\":\"no stub route for " + request.line() + "\"}")
        : route.apply(request);
    response.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
    byte[] bytes = response.body().getBytes(StandardCharsets.UTF_8);
    boolean noBody = bytes.length == 0 || response.status() == 204 || response.status() == 304;
    exchange.sendResponseHeaders(response.status(), noBody ? -1 : bytes.length);
    if (!noBody) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
    exchange.close();
  }

  @Override
  public void close() {
    closing.countDown();
    server.stop(0);
    executor.shutdownNow();
  }
}
