package io.updraft.router.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.UUID;

/** Which headers cross the proxy and which it adds (RFC 9110 7.6.1, PROTOCOL.md 6.3). */
final class ForwardHeaders {

  static final String REQUEST_ID = "X-Vcap-Request-Id";
  static final String STICKY_COOKIE = "__VCAP_ID__";
  private static final String SESSION_COOKIE = "JSESSIONID";

  private ForwardHeaders() {
  }

  /**
   * Headers meaningful for one connection only (RFC 9110 7.6.1); the proxy makes its own
   * framing on each side. A switch on length: this runs for every header of every request.
   */
  static boolean isHopByHop(String name) {
    return switch (name.length()) {
      case 2 -> name.equalsIgnoreCase("te");
      case 7 -> name.equalsIgnoreCase("upgrade") || name.equalsIgnoreCase("trailer");
      case 10 -> name.equalsIgnoreCase("connection") || name.equalsIgnoreCase("keep-alive");
      case 16 -> name.equalsIgnoreCase("proxy-connection");
      case 17 -> name.equalsIgnoreCase("transfer-encoding");
      case 18 -> name.equalsIgnoreCase("proxy-authenticate");
      case 19 -> name.equalsIgnoreCase("proxy-authorization");
      default -> false;
    };
  }

  /** Host travels as the request authority; Expect is answered by the router itself. */
  private static boolean notForwarded(String name) {
    return name.length() == 4 && name.equalsIgnoreCase("host")
        || name.length() == 6 && name.equalsIgnoreCase("expect");
  }


  /** Copies the client's headers to the backend request and adds the forwarding headers. */
  static void request(HttpServerRequest req, MultiMap out, String requestId, long startMillis,
      boolean upgrade) {
    MultiMap in = req.headers();
    Set<String> listed = connectionListed(in);
    for (Map.Entry<String, String> h : in) {
      String name = h.getKey();
      if (!isHopByHop(name) && !notForwarded(name)
          && (listed == null || !listed.contains(name))) {
        out.add(name, h.getValue());
      }
    }
    if (upgrade) {
      out.set("Upgrade", in.get("Upgrade"));
      out.set("Connection", "Upgrade");
    }
    SocketAddress remote = req.remoteAddress();
    String client = remote == null ? null : remote.hostAddress();
    if (client != null) {
      String prior = in.get("X-Forwarded-For");
      out.set("X-Forwarded-For", prior == null ? client : prior + ", " + client);
    }
    // a TLS-terminating balancer in front of the router knows the original scheme
    if (!in.contains("X-Forwarded-Proto")) {
      out.set("X-Forwarded-Proto", req.isSSL() ? "https" : "http");
    }
    if (!in.contains("X-Request-Start")) {
      out.set("X-Request-Start", Long.toString(startMillis));
    }
    out.set(REQUEST_ID, requestId);
  }

  /** Copies the backend's response headers to the client (for a 101, all of them). */
  static void response(MultiMap in, MultiMap out, boolean switchingProtocols) {
    if (switchingProtocols) {
      out.addAll(in);
      return;
    }
    Set<String> listed = connectionListed(in);
    for (Map.Entry<String, String> h : in) {
      String name = h.getKey();
      if (!isHopByHop(name) && (listed == null || !listed.contains(name))) {
        out.add(name, h.getValue());
      }
    }
  }

  /** Header names a {@code Connection} header declares hop-by-hop, or null (the usual case). */
  private static Set<String> connectionListed(MultiMap headers) {
    String connection = headers.get("Connection");
    if (connection == null || connection.indexOf(',') < 0 && isPlainToken(connection)) {
      return null;
    }
    Set<String> names = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    for (String token : connection.split(",")) {
      names.add(token.trim());
    }
    return names;
  }

  private static boolean isPlainToken(String connection) {
    String c = connection.trim();
    return c.equalsIgnoreCase("keep-alive") || c.equalsIgnoreCase("close")
        || c.equalsIgnoreCase("upgrade");
  }

  /** Whether the request asks for a WebSocket (or other) protocol upgrade. */
  static boolean isUpgrade(HttpServerRequest req) {
    String upgrade = req.getHeader("Upgrade");
    String connection = req.getHeader("Connection");
    return upgrade != null && connection != null
        && connection.toLowerCase(java.util.Locale.ROOT).contains("upgrade");
  }

  /** Whether the backend's response sets a {@code JSESSIONID} cookie (name case-insensitive). */
  static boolean setsSessionCookie(MultiMap headers) {
    for (String cookie : headers.getAll("Set-Cookie")) {
      int eq = cookie.indexOf('=');
      if (eq > 0 && cookie.substring(0, eq).trim().equalsIgnoreCase(SESSION_COOKIE)) {
        return true;
      }
    }
    return false;
  }

  /** The {@code Set-Cookie} value naming the instance that answered. */
  static String stickyCookie(String privateInstanceId) {
    return STICKY_COOKIE + "=" + privateInstanceId + "; Path=/; HttpOnly";
  }

  /**
   * A request id in UUID form. Not a secret, so a thread-local generator is enough (it does
   * not contend between event loops as {@code UUID.randomUUID()} does).
   */
  static String newRequestId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L;
    long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(high, low).toString();
  }

  /** The request target in origin form ({@code /path?query}) even if sent absolute. */
  static String originForm(String uri) {
    if (uri.startsWith("/")) {
      return uri;
    }
    int scheme = uri.indexOf("://");
    if (scheme < 0) {
      return "/";
    }
    int slash = uri.indexOf('/', scheme + 3);
    return slash < 0 ? "/" : uri.substring(slash);
  }
}
