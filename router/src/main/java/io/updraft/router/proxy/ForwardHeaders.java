package io.updraft.router.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Which headers cross the proxy and which it adds (RFC 9110 7.6.1, PROTOCOL.md 6.3), written
 * straight from a parsed {@link HttpHead} into the head the other side gets: the lines that
 * pass are copied as they came, hop-by-hop lines are left out, the router's own are appended.
 * Bodies keep their framing (a chunked body stays chunked), so {@code Transfer-Encoding}
 * passes, except where a chunked answer goes to an HTTP/1.0 client as plain data.
 */
final class ForwardHeaders {

  static final String REQUEST_ID = "X-Vcap-Request-Id";
  static final String STICKY_COOKIE = "__VCAP_ID__";
  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] HTTP_11 = ascii(" HTTP/1.1\r\n");
  private static final byte[] VERSION_11 = ascii("HTTP/1.1");
  private static final byte[] VERSION_10 = ascii("HTTP/1.0");
  private static final byte[] X_FORWARDED_FOR = ascii("X-Forwarded-For: ");
  private static final byte[] X_FORWARDED_PROTO_HTTP = ascii("X-Forwarded-Proto: http\r\n");
  private static final byte[] X_REQUEST_START = ascii("X-Request-Start: ");
  private static final byte[] X_REQUEST_ID = ascii(REQUEST_ID + ": ");
  private static final byte[] CONNECTION_UPGRADE = ascii("Connection: Upgrade\r\n");
  private static final byte[] CONNECTION_CLOSE = ascii("Connection: close\r\n");
  private static final byte[] CONNECTION_KEEP_ALIVE = ascii("Connection: keep-alive\r\n");
  private static final byte[] HOST = ascii("Host: ");
  private static final byte[] SET_COOKIE = ascii("Set-Cookie: ");
  private static final byte[] COMMA = ascii(", ");
  private ForwardHeaders() {
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** Whether a request line of this id is not forwarded as it came. */
  private static boolean requestDrops(HttpHead h, int i, boolean upgrade) {
    if (h.connectionScoped[i]) {
      return true;
    }
    return switch (h.id[i]) {
      case HttpHead.CONNECTION, HttpHead.KEEP_ALIVE, HttpHead.PROXY_CONNECTION, HttpHead.TE,
          HttpHead.PROXY_AUTHENTICATE, HttpHead.PROXY_AUTHORIZATION, HttpHead.EXPECT,
          HttpHead.X_FORWARDED_FOR, HttpHead.X_VCAP_REQUEST_ID -> true;
      case HttpHead.UPGRADE -> !upgrade;
      default -> false;
    };
  }

  /**
   * The backend's request head: the client's method, {@code target} (origin form), HTTP/1.1,
   * the client's header lines but hop-by-hop ones and {@code Expect} (the router answers it),
   * {@code Host} as it came (or the absolute target's authority when there was none), and the
   * forwarding headers.
   *
   * @param client the client's address as ASCII bytes, or null when unknown
   * @param authority the absolute-form target's authority, or null
   */
  static ByteBuf request(ByteBufAllocator alloc, HttpHead h, String target, byte[] client,
      String requestId, long startMillis, boolean upgrade, String authority) {
    ByteBuf out = alloc.directBuffer(h.length + 192 + target.length());
    byte[] b = h.bytes;
    out.writeBytes(b, 0, h.targetStart);
    if (h.originFormTarget()) {
      out.writeBytes(b, h.targetStart, h.targetEnd - h.targetStart);
    } else {
      ByteBufUtil.writeAscii(out, target);
    }
    out.writeBytes(HTTP_11);
    for (int i = 0; i < h.count; i++) {
      if (!requestDrops(h, i, upgrade)) {
        out.writeBytes(b, h.nameStart[i], h.valueEnd[i] - h.nameStart[i]).writeBytes(CRLF);
      }
    }
    boolean firstForwarded = true;
    for (int i = 0; h.forwardedFor && i < h.count; i++) {
      if (h.id[i] == HttpHead.X_FORWARDED_FOR && h.valueEnd[i] > h.valueStart[i]) {
        // earlier proxies' addresses, in order, then the client's
        out.writeBytes(firstForwarded ? X_FORWARDED_FOR : COMMA);
        out.writeBytes(b, h.valueStart[i], h.valueEnd[i] - h.valueStart[i]);
        firstForwarded = false;
      }
    }
    if (client != null) {
      out.writeBytes(firstForwarded ? X_FORWARDED_FOR : COMMA).writeBytes(client);
      firstForwarded = false;
    }
    if (!firstForwarded) {
      out.writeBytes(CRLF);
    }
    if (h.hostCount == 0 && authority != null) {
      out.writeBytes(HOST);
      ByteBufUtil.writeAscii(out, authority);
      out.writeBytes(CRLF);
    }
    // a TLS-terminating balancer in front of the router knows the original scheme
    if (!h.forwardedProto) {
      out.writeBytes(X_FORWARDED_PROTO_HTTP);
    }
    if (!h.requestStart) {
      out.writeBytes(X_REQUEST_START);
      ByteBufUtil.writeAscii(out, Long.toString(startMillis));
      out.writeBytes(CRLF);
    }
    out.writeBytes(X_REQUEST_ID);
    ByteBufUtil.writeAscii(out, requestId);
    out.writeBytes(CRLF);
    if (upgrade) {
      out.writeBytes(CONNECTION_UPGRADE);
    }
    return out.writeBytes(CRLF);
  }

  /**
   * The client's response head: the backend's status line in the client's version, its
   * header lines but hop-by-hop ones ({@code Transfer-Encoding} stays when the body goes on
   * chunked), the sticky-session cookie when one is due, and the client connection's fate.
   *
   * @param dechunk the body goes to the client as plain data (HTTP/1.0): no
   *     {@code Transfer-Encoding}
   * @param stickyCookie the {@code Set-Cookie} value to add, or null
   */
  static ByteBuf response(ByteBufAllocator alloc, HttpHead h, boolean http10Client,
      boolean keepAlive, boolean dechunk, String stickyCookie) {
    ByteBuf out = alloc.directBuffer(h.length + 64
        + (stickyCookie == null ? 0 : stickyCookie.length() + 16));
    byte[] b = h.bytes;
    out.writeBytes(http10Client ? VERSION_10 : VERSION_11);
    out.writeBytes(b, h.statusRest, h.lineEnd - h.statusRest).writeBytes(CRLF);
    for (int i = 0; i < h.count; i++) {
      if (!responseDrops(h, i, dechunk)) {
        out.writeBytes(b, h.nameStart[i], h.valueEnd[i] - h.nameStart[i]).writeBytes(CRLF);
      }
    }
    if (stickyCookie != null) {
      out.writeBytes(SET_COOKIE);
      ByteBufUtil.writeAscii(out, stickyCookie);
      out.writeBytes(CRLF);
    }
    if (!keepAlive) {
      out.writeBytes(CONNECTION_CLOSE);
    } else if (http10Client) {
      out.writeBytes(CONNECTION_KEEP_ALIVE);
    }
    return out.writeBytes(CRLF);
  }

  private static boolean responseDrops(HttpHead h, int i, boolean dechunk) {
    if (h.connectionScoped[i]) {
      return true;
    }
    return switch (h.id[i]) {
      case HttpHead.CONNECTION, HttpHead.KEEP_ALIVE, HttpHead.PROXY_CONNECTION, HttpHead.TE,
          HttpHead.UPGRADE, HttpHead.PROXY_AUTHENTICATE, HttpHead.PROXY_AUTHORIZATION -> true;
      case HttpHead.TRANSFER_ENCODING -> dechunk;
      // beside Transfer-Encoding it is wrong (RFC 9112 6.3): the client must not see both
      case HttpHead.CONTENT_LENGTH -> h.transferEncoding;
      default -> false;
    };
  }

  /** The value of the {@code __VCAP_ID__} cookie among the request's cookies, or null. */
  static String stickyToken(HttpHead h) {
    if (!h.cookies) {
      return null;
    }
    for (int i = 0; i < h.count; i++) {
      if (h.id[i] == HttpHead.COOKIE) {
        String token = stickyToken(h.value(i));
        if (token != null) {
          return token;
        }
      }
    }
    return null;
  }

  /** The value of the {@code __VCAP_ID__} cookie in one {@code Cookie} header, or null. */
  static String stickyToken(String header) {
    if (!header.contains(STICKY_COOKIE)) {
      return null;
    }
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
    return null;
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
