package io.updraft.router.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.Iterator;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Which headers cross the proxy and which it adds (RFC 9110 7.6.1, PROTOCOL.md 6.3). Works on
 * the decoded message's own headers, in place: a request's headers become the backend's
 * request, a response's the client's response, with nothing copied.
 */
final class ForwardHeaders {

  static final String REQUEST_ID = "X-Vcap-Request-Id";
  static final String STICKY_COOKIE = "__VCAP_ID__";
  private static final String SESSION_COOKIE = "JSESSIONID";
  private static final CharSequence X_FORWARDED_FOR = HttpHeaders.newEntity("X-Forwarded-For");
  private static final CharSequence X_FORWARDED_PROTO =
      HttpHeaders.newEntity("X-Forwarded-Proto");
  private static final CharSequence X_REQUEST_START = HttpHeaders.newEntity("X-Request-Start");
  private static final CharSequence X_REQUEST_ID = HttpHeaders.newEntity(REQUEST_ID);
  private static final CharSequence PROXY_CONNECTION = HttpHeaders.newEntity("Proxy-Connection");
  /** Meaningful for one connection only (RFC 9110 7.6.1): each side gets its own framing. */
  private static final CharSequence[] HOP_BY_HOP = {HttpHeaderNames.CONNECTION,
      HttpHeaderNames.KEEP_ALIVE, PROXY_CONNECTION, HttpHeaderNames.TE, HttpHeaderNames.TRAILER,
      HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE,
      HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.PROXY_AUTHORIZATION};

  private ForwardHeaders() {
  }

  /** Whether {@code name} is a hop-by-hop header (any case). */
  static boolean isHopByHop(String name) {
    for (CharSequence h : HOP_BY_HOP) {
      if (h.toString().equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Turns a client's request headers into the backend's: drops hop-by-hop headers (and those
   * its {@code Connection} names) and {@code Expect} (the router answers it), keeps
   * {@code Host}, and adds the forwarding headers.
   *
   * @param client the client's address, or null when unknown
   */
  static void request(HttpHeaders h, String client, boolean tls, String requestId,
      long startMillis) {
    stripHopByHop(h);
    h.remove(HttpHeaderNames.EXPECT);
    if (client != null) {
      String prior = h.get(X_FORWARDED_FOR);
      h.set(X_FORWARDED_FOR, prior == null ? client : prior + ", " + client);
    }
    // a TLS-terminating balancer in front of the router knows the original scheme
    if (!h.contains(X_FORWARDED_PROTO)) {
      h.set(X_FORWARDED_PROTO, tls ? "https" : "http");
    }
    if (!h.contains(X_REQUEST_START)) {
      h.set(X_REQUEST_START, Long.toString(startMillis));
    }
    h.set(X_REQUEST_ID, requestId);
  }

  /** Turns a backend's response headers into the client's (a 101 keeps all of them). */
  static void response(HttpHeaders h) {
    stripHopByHop(h);
  }

  /**
   * One pass over the headers finds the hop-by-hop ones (usually none, or just
   * {@code Connection}), so only those are removed: cheaper than removing every name by hash.
   */
  private static void stripHopByHop(HttpHeaders h) {
    int found = 0;
    for (Iterator<Map.Entry<CharSequence, CharSequence>> it = h.iteratorCharSequence();
        it.hasNext(); ) {
      found |= hopByHopBit(it.next().getKey());
    }
    if (found == 0) {
      return;
    }
    if ((found & 1) != 0) {
      String connection = h.get(HttpHeaderNames.CONNECTION);
      if (connection != null && (connection.indexOf(',') >= 0 || !isPlainToken(connection))) {
        for (String token : connection.split(",")) {
          String name = token.trim();
          if (!name.isEmpty()) {
            h.remove(name);
          }
        }
      }
    }
    for (int i = 0; i < HOP_BY_HOP.length; i++) {
      if ((found & (1 << i)) != 0) {
        h.remove(HOP_BY_HOP[i]);
      }
    }
  }

  /** The bit of {@code name} in {@link #HOP_BY_HOP} (1 for Connection), or 0. */
  private static int hopByHopBit(CharSequence name) {
    return switch (name.length()) {
      case 2 -> bitIf(name, 3);
      case 7 -> bitIf(name, 4) | bitIf(name, 6);
      case 10 -> bitIf(name, 0) | bitIf(name, 1);
      case 16 -> bitIf(name, 2);
      case 17 -> bitIf(name, 5);
      case 18 -> bitIf(name, 7);
      case 19 -> bitIf(name, 8);
      default -> 0;
    };
  }

  private static int bitIf(CharSequence name, int index) {
    return AsciiString.contentEqualsIgnoreCase(name, HOP_BY_HOP[index]) ? 1 << index : 0;
  }

  private static boolean isPlainToken(String connection) {
    String c = connection.trim();
    return c.equalsIgnoreCase("keep-alive") || c.equalsIgnoreCase("close")
        || c.equalsIgnoreCase("upgrade");
  }

  /** Whether the request asks for a WebSocket (or other) protocol upgrade. */
  static boolean isUpgrade(HttpHeaders h) {
    return h.contains(HttpHeaderNames.UPGRADE)
        && h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderNames.UPGRADE, true);
  }

  /** Whether the request declares a body (most requests do not: GET, HEAD, DELETE). */
  static boolean hasBody(HttpHeaders h) {
    String length = h.get(HttpHeaderNames.CONTENT_LENGTH);
    return length == null ? h.contains(HttpHeaderNames.TRANSFER_ENCODING) : !"0".equals(length);
  }

  /** Whether the response sets a {@code JSESSIONID} cookie (name case-insensitive). */
  static boolean setsSessionCookie(HttpHeaders h) {
    if (!h.contains(HttpHeaderNames.SET_COOKIE)) {
      return false;
    }
    for (String cookie : h.getAll(HttpHeaderNames.SET_COOKIE)) {
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

  /** The value of the {@code __VCAP_ID__} cookie among the request's cookies, or null. */
  static String stickyToken(HttpHeaders h) {
    if (!h.contains(HttpHeaderNames.COOKIE)) {
      return null;
    }
    for (String header : h.getAll(HttpHeaderNames.COOKIE)) {
      for (String pair : header.split(";")) {
        int eq = pair.indexOf('=');
        if (eq > 0 && pair.substring(0, eq).trim().equals(STICKY_COOKIE)) {
          String value = pair.substring(eq + 1).trim();
          if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
          }
          return value;
        }
      }
    }
    return null;
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

  /** The authority of an absolute-form target ({@code http://host:port/x}), or null. */
  static String absoluteAuthority(String uri) {
    if (uri.startsWith("/")) {
      return null;
    }
    int scheme = uri.indexOf("://");
    if (scheme < 0) {
      return null;
    }
    int end = scheme + 3;
    while (end < uri.length() && "/?#".indexOf(uri.charAt(end)) < 0) {
      end++;
    }
    return uri.substring(scheme + 3, end);
  }

  /**
   * The host of a {@code Host} value or authority, lower-cased, without port, user info or a
   * trailing dot (a fully qualified name names the same host); null when there is none.
   */
  static String routingHost(String authority) {
    if (authority == null) {
      return null;
    }
    String a = authority.trim();
    int at = a.lastIndexOf('@');
    if (at >= 0) {
      a = a.substring(at + 1);
    }
    String host;
    if (a.startsWith("[")) {
      int close = a.indexOf(']');
      host = close < 0 ? a : a.substring(0, close + 1);
    } else {
      int colon = a.indexOf(':');
      host = colon < 0 ? a : a.substring(0, colon);
    }
    if (host.endsWith(".")) {
      host = host.substring(0, host.length() - 1);
    }
    return host.isEmpty() ? null : host.toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * Whether a request target has only visible characters (RFC 9112 3.2; bytes above 0x7f pass,
   * as nginx lets them): control characters would reach the app's parser, the log and headers.
   */
  static boolean isVisible(String target) {
    for (int i = 0; i < target.length(); i++) {
      char c = target.charAt(i);
      if (c <= 0x20 || c == 0x7f) {
        return false;
      }
    }
    return !target.isEmpty();
  }

  /** The path of an origin-form target, without query or fragment. */
  static String path(String originForm) {
    int end = originForm.length();
    for (int i = 0; i < originForm.length(); i++) {
      char c = originForm.charAt(i);
      if (c == '?' || c == '#') {
        end = i;
        break;
      }
    }
    return end == originForm.length() ? originForm : originForm.substring(0, end);
  }
}
