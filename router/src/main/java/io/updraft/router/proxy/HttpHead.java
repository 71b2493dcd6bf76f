package io.updraft.router.proxy;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.x message head (RFC 9112), request or response, parsed without header objects:
 * the head's bytes are copied once into this parser's array and each header line is a range
 * of it. The router reads only the few headers that decide routing and framing; every other
 * line is forwarded byte for byte. One parser per event loop for requests and one for
 * responses: a head is parsed and written on in one go, so nothing outlives the call.
 *
 * <p>Strict where a lenient reading could let two parties see different messages (request
 * smuggling): header names must be tokens, values may not hold control characters, folded
 * lines, conflicting {@code Content-Length}s and {@code Content-Length} beside
 * {@code Transfer-Encoding} are refused.
 */
final class HttpHead {

  /** A head that cannot be accepted; {@link #status} is the answer a client should get. */
  static final class Malformed extends Exception {
    final int status;

    Malformed(int status, String reason) {
      super(reason, null, false, false);
      this.status = status;
    }
  }

  // the headers the router acts on; every other name is OTHER
  static final byte OTHER = 0;
  static final byte HOST = 1;
  static final byte CONTENT_LENGTH = 2;
  static final byte TRANSFER_ENCODING = 3;
  static final byte CONNECTION = 4;
  static final byte KEEP_ALIVE = 5;
  static final byte PROXY_CONNECTION = 6;
  static final byte TE = 7;
  static final byte UPGRADE = 8;
  static final byte PROXY_AUTHENTICATE = 9;
  static final byte PROXY_AUTHORIZATION = 10;
  static final byte EXPECT = 11;
  static final byte COOKIE = 12;
  static final byte SET_COOKIE = 13;
  static final byte X_FORWARDED_FOR = 14;
  static final byte X_FORWARDED_PROTO = 15;
  static final byte X_REQUEST_START = 16;
  static final byte X_VCAP_REQUEST_ID = 17;

  private static final String[] METHODS = {"GET", "POST", "PUT", "HEAD", "DELETE", "PATCH",
      "OPTIONS", "CONNECT"};
  /** More header lines than this is an attack or a bug, not a message. */
  static final int MAX_HEADERS = 128;
  /** Bytes copied first: most heads are shorter, and a body that follows stays where it is. */
  private static final int FIRST_COPY = 1024;
  private static final byte[] TCHAR = new byte[256];

  static {
    for (char c = '0'; c <= '9'; c++) {
      TCHAR[c] = 1;
    }
    for (char c = 'a'; c <= 'z'; c++) {
      TCHAR[c] = 1;
      TCHAR[c - 32] = 1;
    }
    for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
      TCHAR[c] = 1;
    }
  }

  private final int maxLine;
  private final int maxHeaderBytes;
  /** The head's bytes, from the start of its first line to the end of its blank line. */
  final byte[] bytes;
  int length;
  int lineEnd;
  /** Whether the message is HTTP/1.1 (else 1.0). */
  boolean http11;

  // request line
  String method;
  int targetStart;
  int targetEnd;

  // status line
  int status;
  /** Where the status line continues after its version: {@code " 200 OK"}. */
  int statusRest;

  // header lines: name [nameStart, nameEnd), value [valueStart, valueEnd) without OWS
  int count;
  int[] nameStart = new int[32];
  int[] nameEnd = new int[32];
  int[] valueStart = new int[32];
  int[] valueEnd = new int[32];
  byte[] id = new byte[32];
  /** Named by {@code Connection}: meant for this hop only. */
  boolean[] connectionScoped = new boolean[32];

  // what the router needs to know
  int hostIndex;
  int hostCount;
  long contentLength;
  boolean transferEncoding;
  /** {@code chunked} is the final transfer coding. */
  boolean chunked;
  boolean connectionClose;
  boolean connectionKeepAlive;
  boolean connectionUpgrade;
  boolean expectContinue;
  boolean upgradeHeader;
  boolean cookies;
  boolean setsSessionCookie;
  boolean forwardedFor;
  boolean forwardedProto;
  boolean requestStart;

  /**
   * @param maxLine longest request or status line
   * @param maxHeaderBytes most bytes of header lines
   */
  HttpHead(int maxLine, int maxHeaderBytes) {
    this.maxLine = maxLine;
    this.maxHeaderBytes = maxHeaderBytes;
    this.bytes = new byte[maxLine + maxHeaderBytes + 8];
  }

  /**
   * Parses the request head at {@code in}'s reader index. Returns how many bytes it took
   * (blank lines before it included), or 0 when it is not complete yet.
   */
  int parseRequest(ByteBuf in) throws Malformed {
    int start = in.readerIndex();
    int end = in.writerIndex();
    // RFC 9112 2.2: blank lines before a request line are ignored
    int skipped = 0;
    while (start + skipped < end) {
      byte b = in.getByte(start + skipped);
      if (b != '\r' && b != '\n') {
        break;
      }
      skipped++;
      if (skipped > 64) {
        throw new Malformed(400, "the request is malformed");
      }
    }
    int length = load(in, start + skipped, end, true);
    return length == 0 ? 0 : skipped + length;
  }

  /** Parses the response head at {@code in}'s reader index, as {@link #parseRequest}. */
  int parseResponse(ByteBuf in) throws Malformed {
    return load(in, in.readerIndex(), in.writerIndex(), false);
  }

  /**
   * Copies the bytes from {@code from} into the array, a little first (a head is short, the
   * body after it need not be copied), and parses them; the head's length, or 0.
   */
  private int load(ByteBuf in, int from, int end, boolean request) throws Malformed {
    int available = Math.min(end - from, bytes.length);
    int copied = Math.min(available, FIRST_COPY);
    in.getBytes(from, bytes, 0, copied);
    while (true) {
      int length = parse(copied, request);
      if (length > 0 || copied == available) {
        return length;
      }
      in.getBytes(from + copied, bytes, copied, available - copied);
      copied = available;
    }
  }

  /** Parses the head in {@code bytes[0, limit)} in one pass; its length, or 0 if incomplete. */
  private int parse(int limit, boolean request) throws Malformed {
    reset();
    int cap = Math.min(limit, maxLine + 2);
    int lf = 0;
    while (lf < cap && bytes[lf] != '\n') {
      lf++;
    }
    if (lf == cap) {
      if (cap == maxLine + 2) {
        throw new Malformed(request ? 414 : 502, "the request line is too long");
      }
      return 0;
    }
    lineEnd = lf > 0 && bytes[lf - 1] == '\r' ? lf - 1 : lf;
    if (request) {
      requestLine();
    } else {
      statusLine();
    }
    return headers(lf + 1, limit, request);
  }

  private void reset() {
    count = 0;
    method = null;
    status = 0;
    hostIndex = -1;
    hostCount = 0;
    contentLength = -1;
    transferEncoding = false;
    chunked = false;
    connectionClose = false;
    connectionKeepAlive = false;
    connectionUpgrade = false;
    expectContinue = false;
    upgradeHeader = false;
    cookies = false;
    setsSessionCookie = false;
    forwardedFor = false;
    forwardedProto = false;
    requestStart = false;
  }

  private void requestLine() throws Malformed {
    int e = lineEnd;
    int sp1 = 0;
    while (sp1 < e && bytes[sp1] != ' ') {
      if (TCHAR[bytes[sp1] & 0xff] == 0) {
        throw new Malformed(400, "the request method is malformed");
      }
      sp1++;
    }
    int sp2 = e - 1;
    while (sp2 > sp1 && bytes[sp2] != ' ') {
      sp2--;
    }
    if (sp1 == 0 || sp1 >= e || sp2 <= sp1 + 1) {
      throw new Malformed(400, "the request line is malformed");
    }
    http11 = version(sp2 + 1, e, 400, "the request line is malformed");
    targetStart = sp1 + 1;
    targetEnd = sp2;
    for (int i = targetStart; i < targetEnd; i++) {
      int c = bytes[i] & 0xff;
      // RFC 9112 3.2; bytes above 0x7f pass, as nginx lets them
      if (c <= 0x20 || c == 0x7f) {
        throw new Malformed(400, "the request target has control characters");
      }
    }
    method = method(sp1);
  }

  /** Whether {@code [from, to)} says HTTP/1.1 (true) or HTTP/1.0 (false). */
  private boolean version(int from, int to, int bad, String malformed) throws Malformed {
    if (to - from != 8 || bytes[from] != 'H' || bytes[from + 1] != 'T' || bytes[from + 2] != 'T'
        || bytes[from + 3] != 'P' || bytes[from + 4] != '/' || bytes[from + 6] != '.') {
      throw new Malformed(bad, malformed);
    }
    byte major = bytes[from + 5];
    byte minor = bytes[from + 7];
    if (major != '1' || minor != '0' && minor != '1') {
      if (major >= '0' && major <= '9' && minor >= '0' && minor <= '9') {
        throw new Malformed(bad, "only HTTP/1.0 and HTTP/1.1 are spoken here");
      }
      throw new Malformed(bad, malformed);
    }
    return minor == '1';
  }

  /** The method, without a new string for the common ones. */
  private String method(int length) {
    for (String known : METHODS) {
      if (known.length() == length && is(0, known)) {
        return known;
      }
    }
    return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
  }

  private boolean is(int at, String ascii) {
    for (int i = 0; i < ascii.length(); i++) {
      if (bytes[at + i] != ascii.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private void statusLine() throws Malformed {
    int e = lineEnd;
    if (e < 12 || bytes[8] != ' ') {
      throw new Malformed(502, "the status line is malformed");
    }
    http11 = version(0, 8, 502, "the status line is malformed");
    int code = 0;
    for (int i = 9; i < 12; i++) {
      int d = bytes[i] - '0';
      if (d < 0 || d > 9) {
        throw new Malformed(502, "the status code is malformed");
      }
      code = code * 10 + d;
    }
    if (code < 100 || e > 12 && bytes[12] != ' ') {
      throw new Malformed(502, "the status line is malformed");
    }
    status = code;
    statusRest = 8;
  }

  /**
   * The header lines from {@code pos} to the blank line, each byte looked at once; the head's
   * length, or 0 if {@code limit} comes first.
   */
  private int headers(int headersStart, int limit, boolean request) throws Malformed {
    int bad = request ? 400 : 502;
    boolean namedByConnection = false;
    int pos = headersStart;
    while (true) {
      if (pos >= limit) {
        return incomplete(headersStart, limit, request);
      }
      byte first = bytes[pos];
      if (first == '\r' || first == '\n') {
        if (first == '\r') {
          if (pos + 1 >= limit) {
            return incomplete(headersStart, limit, request);
          }
          if (bytes[++pos] != '\n') {
            throw new Malformed(bad, "a header line is malformed");
          }
        }
        length = pos + 1;
        break;
      }
      if (first == ' ' || first == '\t') {
        // obs-fold (RFC 9112 5.2): refused rather than guessed at
        throw new Malformed(bad, "a header line is folded");
      }
      int ns = pos;
      byte c;
      while (pos < limit && (c = bytes[pos]) != ':') {
        if (TCHAR[c & 0xff] == 0) {
          throw new Malformed(bad, c == '\n' || c == '\r' ? "a header line is malformed"
              : "a header name is malformed");
        }
        pos++;
      }
      if (pos >= limit) {
        return incomplete(headersStart, limit, request);
      }
      int ne = pos++;
      while (pos < limit && (bytes[pos] == ' ' || bytes[pos] == '\t')) {
        pos++;
      }
      int vs = pos;
      int v;
      while (pos < limit && (v = bytes[pos] & 0xff) != '\n') {
        if (v < 0x20 && v != '\t' || v == 0x7f) {
          // a CR only ends the line
          if (v != '\r' || pos + 1 < limit && bytes[pos + 1] != '\n') {
            throw new Malformed(bad, "a header value has control characters");
          }
        }
        pos++;
      }
      if (pos >= limit) {
        return incomplete(headersStart, limit, request);
      }
      int ve = pos > vs && bytes[pos - 1] == '\r' ? pos - 1 : pos;
      while (ve > vs && (bytes[ve - 1] == ' ' || bytes[ve - 1] == '\t')) {
        ve--;
      }
      pos++;
      if (pos - headersStart > maxHeaderBytes + 2) {
        throw new Malformed(request ? 431 : 502, "the headers are too long");
      }
      if (ne == ns) {
        throw new Malformed(bad, "a header line is malformed");
      }
      if (count == MAX_HEADERS) {
        throw new Malformed(request ? 431 : 502, "there are too many headers");
      }
      int i = count++;
      if (i == id.length) {
        grow();
      }
      nameStart[i] = ns;
      nameEnd[i] = ne;
      valueStart[i] = vs;
      valueEnd[i] = ve;
      connectionScoped[i] = false;
      byte known = identify(ns, ne - ns);
      id[i] = known;
      if (known != OTHER) {
        namedByConnection |= note(i, known, bad);
      }
    }
    if (namedByConnection) {
      markConnectionScoped();
    }
    return length;
  }

  /** 0 while the headers may still end in bounds, else the refusal. */
  private int incomplete(int headersStart, int limit, boolean request) throws Malformed {
    if (limit - headersStart > maxHeaderBytes + 1) {
      throw new Malformed(request ? 431 : 502, "the headers are too long");
    }
    return 0;
  }

  /** Takes in what the router needs from a known header; true if Connection names others. */
  private boolean note(int i, byte known, int bad) throws Malformed {
    switch (known) {
      case HOST -> {
        hostIndex = i;
        hostCount++;
      }
      case CONTENT_LENGTH -> contentLength(i, bad);
      case TRANSFER_ENCODING -> {
        transferEncoding = true;
        // the last coding of the last Transfer-Encoding line is what frames the body
        chunked = lastTokenIs(i, "chunked");
      }
      case CONNECTION -> {
        return connectionTokens(i);
      }
      case EXPECT -> expectContinue |= valueIs(i, "100-continue");
      case UPGRADE -> upgradeHeader = true;
      case COOKIE -> cookies = true;
      case SET_COOKIE -> setsSessionCookie |= cookieNameIs(i, "jsessionid");
      case X_FORWARDED_FOR -> forwardedFor = true;
      case X_FORWARDED_PROTO -> forwardedProto = true;
      case X_REQUEST_START -> requestStart = true;
      default -> {
      }
    }
    return false;
  }

  /** A Content-Length (a list of equal values is one value, RFC 9110 8.6). */
  private void contentLength(int i, int bad) throws Malformed {
    long value = -1;
    int p = valueStart[i];
    int end = valueEnd[i];
    while (true) {
      while (p < end && (bytes[p] == ' ' || bytes[p] == '\t')) {
        p++;
      }
      int digits = p;
      long v = 0;
      while (p < end && bytes[p] >= '0' && bytes[p] <= '9') {
        if (v > 99_999_999_999_999L) {
          throw new Malformed(bad, "the Content-Length is too large");
        }
        v = v * 10 + (bytes[p++] - '0');
      }
      while (p < end && (bytes[p] == ' ' || bytes[p] == '\t')) {
        p++;
      }
      if (p == digits || value >= 0 && value != v) {
        throw new Malformed(bad, "the Content-Length is malformed");
      }
      value = v;
      if (p == end) {
        break;
      }
      if (bytes[p++] != ',') {
        throw new Malformed(bad, "the Content-Length is malformed");
      }
    }
    if (contentLength >= 0 && contentLength != value) {
      throw new Malformed(bad, "the Content-Lengths differ");
    }
    contentLength = value;
  }

  /** What a comma-separated token of a header value is for. */
  private interface TokenVisitor {
    void token(int start, int length);
  }

  /** Each token of header {@code i}'s comma-separated value. */
  private void tokens(int i, TokenVisitor visitor) {
    int p = valueStart[i];
    int end = valueEnd[i];
    while (p < end) {
      while (p < end && (bytes[p] == ',' || bytes[p] == ' ' || bytes[p] == '\t')) {
        p++;
      }
      int s = p;
      while (p < end && bytes[p] != ',' && bytes[p] != ' ' && bytes[p] != '\t') {
        p++;
      }
      if (p > s) {
        visitor.token(s, p - s);
      }
    }
  }

  /** Takes in a Connection header; true if it names headers besides its own options. */
  private boolean connectionTokens(int i) {
    boolean[] others = {false};
    tokens(i, (s, n) -> {
      if (n == 5 && equalsIgnoreCase(s, n, "close")) {
        connectionClose = true;
      } else if (n == 10 && equalsIgnoreCase(s, n, "keep-alive")) {
        connectionKeepAlive = true;
      } else if (n == 7 && equalsIgnoreCase(s, n, "upgrade")) {
        connectionUpgrade = true;
      } else {
        others[0] = true;
      }
    });
    return others[0];
  }

  /** Marks the header lines a Connection header names (RFC 9110 7.6.1). */
  private void markConnectionScoped() {
    for (int c = 0; c < count; c++) {
      if (id[c] == CONNECTION) {
        tokens(c, (s, n) -> {
          for (int h = 0; h < count; h++) {
            if (nameEnd[h] - nameStart[h] == n && regionEqualsIgnoreCase(nameStart[h], s, n)
                && id[h] != HOST && id[h] != CONTENT_LENGTH && id[h] != TRANSFER_ENCODING) {
              connectionScoped[h] = true;
            }
          }
        });
      }
    }
  }

  private void grow() {
    int n = id.length * 2;
    nameStart = java.util.Arrays.copyOf(nameStart, n);
    nameEnd = java.util.Arrays.copyOf(nameEnd, n);
    valueStart = java.util.Arrays.copyOf(valueStart, n);
    valueEnd = java.util.Arrays.copyOf(valueEnd, n);
    id = java.util.Arrays.copyOf(id, n);
    connectionScoped = java.util.Arrays.copyOf(connectionScoped, n);
  }

  /** Which known header {@code [at, at + n)} names, by length first. */
  private byte identify(int at, int n) {
    switch (n) {
      case 2:
        return equalsIgnoreCase(at, n, "te") ? TE : OTHER;
      case 4:
        return equalsIgnoreCase(at, n, "host") ? HOST : OTHER;
      case 6:
        return equalsIgnoreCase(at, n, "cookie") ? COOKIE
            : equalsIgnoreCase(at, n, "expect") ? EXPECT : OTHER;
      case 7:
        return equalsIgnoreCase(at, n, "upgrade") ? UPGRADE : OTHER;
      case 10:
        return equalsIgnoreCase(at, n, "connection") ? CONNECTION
            : equalsIgnoreCase(at, n, "keep-alive") ? KEEP_ALIVE
            : equalsIgnoreCase(at, n, "set-cookie") ? SET_COOKIE : OTHER;
      case 14:
        return equalsIgnoreCase(at, n, "content-length") ? CONTENT_LENGTH : OTHER;
      case 15:
        return equalsIgnoreCase(at, n, "x-forwarded-for") ? X_FORWARDED_FOR
            : equalsIgnoreCase(at, n, "x-request-start") ? X_REQUEST_START : OTHER;
      case 16:
        return equalsIgnoreCase(at, n, "proxy-connection") ? PROXY_CONNECTION : OTHER;
      case 17:
        return equalsIgnoreCase(at, n, "transfer-encoding") ? TRANSFER_ENCODING
            : equalsIgnoreCase(at, n, "x-forwarded-proto") ? X_FORWARDED_PROTO
            : equalsIgnoreCase(at, n, "x-vcap-request-id") ? X_VCAP_REQUEST_ID : OTHER;
      case 18:
        return equalsIgnoreCase(at, n, "proxy-authenticate") ? PROXY_AUTHENTICATE : OTHER;
      case 19:
        return equalsIgnoreCase(at, n, "proxy-authorization") ? PROXY_AUTHORIZATION : OTHER;
      default:
        return OTHER;
    }
  }

  /** Compares with a lower-case ASCII name of letters, digits and dashes. */
  private boolean equalsIgnoreCase(int at, int n, String lower) {
    for (int i = 0; i < n; i++) {
      // setting bit 0x20 lower-cases a letter and leaves '-' and digits as they are; of the
      // bytes that pass validation, no other turns into a lower-case letter, digit or '-'
      if ((bytes[at + i] | 0x20) != lower.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private boolean regionEqualsIgnoreCase(int a, int b, int n) {
    for (int i = 0; i < n; i++) {
      int x = bytes[a + i];
      int y = bytes[b + i];
      if (x != y && ((x | 0x20) != (y | 0x20) || (x | 0x20) < 'a' || (x | 0x20) > 'z')) {
        return false;
      }
    }
    return true;
  }

  private boolean valueIs(int i, String lower) {
    return valueEnd[i] - valueStart[i] == lower.length()
        && equalsIgnoreCase(valueStart[i], lower.length(), lower);
  }

  /** Whether the last comma-separated token of header {@code i} is {@code lower}. */
  private boolean lastTokenIs(int i, String lower) {
    int e = valueEnd[i];
    int s = e;
    while (s > valueStart[i] && bytes[s - 1] != ',' && bytes[s - 1] != ' '
        && bytes[s - 1] != '\t') {
      s--;
    }
    return e - s == lower.length() && equalsIgnoreCase(s, e - s, lower);
  }

  /** Whether a Set-Cookie header sets the cookie {@code lower} (name in any case). */
  private boolean cookieNameIs(int i, String lower) {
    int s = valueStart[i];
    int eq = s;
    while (eq < valueEnd[i] && bytes[eq] != '=') {
      eq++;
    }
    int e = eq;
    while (e > s && (bytes[e - 1] == ' ' || bytes[e - 1] == '\t')) {
      e--;
    }
    return eq < valueEnd[i] && e - s == lower.length() && regionIsIgnoreCase(s, lower);
  }

  private boolean regionIsIgnoreCase(int at, String lower) {
    for (int i = 0; i < lower.length(); i++) {
      if (Character.toLowerCase((char) (bytes[at + i] & 0xff)) != lower.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** Header {@code i}'s value as a string (ISO-8859-1, as the bytes came). */
  String value(int i) {
    return new String(bytes, valueStart[i], valueEnd[i] - valueStart[i],
        StandardCharsets.ISO_8859_1);
  }

  /** The request target as it came. */
  String target() {
    return new String(bytes, targetStart, targetEnd - targetStart, StandardCharsets.ISO_8859_1);
  }

  /** Whether the request target is in origin form ({@code /path?query}). */
  boolean originFormTarget() {
    return bytes[targetStart] == '/';
  }
}
