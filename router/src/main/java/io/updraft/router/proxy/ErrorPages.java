package io.updraft.router.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * The router's own answers, short and plain text (so a host name from a request can never
 * become markup). The 404 keeps the CF v1 phrase that operators grep for.
 */
final class ErrorPages {

  private ErrorPages() {
  }

  static String notFound(String host) {
    return "404 Not Found: no app is mapped to " + host
        + "\nVCAP ROUTER: 404 - DESTINATION NOT FOUND\n";
  }

  static String noBackend(String host) {
    return "502 Bad Gateway: no live instance of " + host + " could be reached\n";
  }

  static String backendFailed(String host) {
    return "502 Bad Gateway: the instance of " + host
        + " closed the connection before answering\n";
  }

  static String badAnswer(String host, String reason) {
    return "502 Bad Gateway: the instance of " + host + " sent a malformed answer (" + reason
        + ")\n";
  }

  static String timeout(String host, long timeoutMs) {
    return "504 Gateway Timeout: " + host + " did not answer within " + timeoutMs + " ms\n";
  }

  static String badRequest(String reason) {
    return "400 Bad Request: " + reason + "\n";
  }

  /** The whole response carrying {@code text}, in the client's HTTP version. */
  static ByteBuf response(ByteBufAllocator alloc, boolean http10, int code, String text,
      String requestId, boolean keepAlive) {
    int length = bodyLength(text);
    ByteBuf out = alloc.directBuffer(256 + length);
    ByteBufUtil.writeAscii(out, http10 ? "HTTP/1.0 " : "HTTP/1.1 ");
    ByteBufUtil.writeAscii(out, Integer.toString(code));
    out.writeByte(' ');
    ByteBufUtil.writeAscii(out, HttpResponseStatus.valueOf(code).reasonPhrase());
    ByteBufUtil.writeAscii(out, "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ");
    ByteBufUtil.writeAscii(out, Integer.toString(length));
    ByteBufUtil.writeAscii(out, "\r\nX-Content-Type-Options: nosniff\r\n");
    ByteBufUtil.writeAscii(out, ForwardHeaders.REQUEST_ID + ": " + requestId + "\r\n");
    if (!keepAlive) {
      ByteBufUtil.writeAscii(out, "Connection: close\r\n");
    } else if (http10) {
      ByteBufUtil.writeAscii(out, "Connection: keep-alive\r\n");
    }
    ByteBufUtil.writeAscii(out, "\r\n");
    ByteBufUtil.writeUtf8(out, text);
    return out;
  }

  /** The bytes {@code text} takes in UTF-8. */
  static int bodyLength(String text) {
    return ByteBufUtil.utf8Bytes(text);
  }
}
