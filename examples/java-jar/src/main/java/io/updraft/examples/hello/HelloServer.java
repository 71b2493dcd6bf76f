package io.updraft.examples.hello;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Updraft example: a JDK-only HTTP server answering every request with the app's name, the
 * instance index and the port, taken from the environment the DEA gives each instance.
 */
public final class HelloServer {

  private HelloServer() {
  }

  public static void main(String[] args) throws IOException {
    String portText = firstNonBlank(System.getenv("PORT"), System.getenv("VCAP_APP_PORT"),
        System.getProperty("server.port"), "8080");
    int port = Integer.parseInt(portText);
    String vcap = firstNonBlank(System.getenv("VCAP_APPLICATION"), "{}");
    String body = "Hello from java-jar: app=" + field(vcap, "name") + " instance="
        + field(vcap, "instance_index") + " port=" + port + "\n";
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    HttpServer server = HttpServer.create(new InetSocketAddress("0.0.0.0", port), 0);
    server.createContext("/", exchange -> {
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      exchange.sendResponseHeaders(200, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    });
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
    System.out.println("listening on port " + port);
  }

  /** A top-level string or number field of a flat JSON object; "?" when absent (no JSON lib). */
  static String field(String json, String name) {
    Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*(\"([^\"]*)\"|(-?\\d+))")
        .matcher(json);
    if (!m.find()) {
      return "?";
    }
    return m.group(2) != null ? m.group(2) : m.group(3);
  }

  private static String firstNonBlank(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    return null;
  }
}
