package io.updraft.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HttpHeadTest {

  private final HttpHead head = new HttpHead(4096, 8192);

  private static ByteBuf bytes(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
  }

  private int request(String s) throws HttpHead.Malformed {
    return head.parseRequest(bytes(s));
  }

  private void refused(String request, int status, String reason) {
    assertThatThrownBy(() -> request(request)).isInstanceOf(HttpHead.Malformed.class)
        .hasMessageContaining(reason)
        .satisfies(e -> assertThat(((HttpHead.Malformed) e).status).isEqualTo(status));
  }

  @Test
  void readsTheRequestLineAndTheHeadersTheRouterNeeds() throws Exception {
    String text = "\r\nPOST /a/b?c=1 HTTP/1.1\r\nhost:  App.vcap.me \r\nContent-Length: 5\r\n"
        + "Cookie: a=1\r\nExpect: 100-Continue\r\nConnection: keep-alive, Upgrade\r\n"
        + "Upgrade: websocket\r\n\r\nhello";
    assertThat(request(text)).isEqualTo(text.length() - 5);
    assertThat(head.method).isEqualTo("POST");
    assertThat(head.target()).isEqualTo("/a/b?c=1");
    assertThat(head.http11).isTrue();
    assertThat(head.value(head.hostIndex)).isEqualTo("App.vcap.me");
    assertThat(head.contentLength).isEqualTo(5);
    assertThat(head.cookies).isTrue();
    assertThat(head.expectContinue).isTrue();
    assertThat(head.connectionKeepAlive).isTrue();
    assertThat(head.connectionUpgrade && head.upgradeHeader).isTrue();
    assertThat(head.connectionClose).isFalse();
    assertThat(head.count).isEqualTo(6);
  }

  @Test
  void anIncompleteHeadWaitsForMoreBytes() throws Exception {
    assertThat(request("GET / HTTP/1.1\r\nHost: a\r\n")).isZero();
    assertThat(request("GET / HTT")).isZero();
    // a bare LF ends lines too
    assertThat(request("GET / HTTP/1.0\nHost: a\n\n")).isEqualTo(24);
    assertThat(head.http11).isFalse();
  }

  @Test
  void framingHeadersThatCouldBeReadTwoWaysAreRefused() {
    refused("GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400, "differ");
    refused("GET / HTTP/1.1\r\nContent-Length: 1, 2\r\n\r\n", 400, "malformed");
    refused("GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400, "malformed");
    refused("GET / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n", 400, "malformed");
    refused("GET / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n", 400, "too large");
    refused("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 400, "folded");
    refused("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400, "header name");
    refused("GET / HTTP/1.1\r\nHost: a\u0000b\r\n\r\n", 400, "control characters");
    refused("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", 400, "control characters");
    refused("GET / HTTP/1.1\r\nno colon\r\n\r\n", 400, "header");
  }

  @Test
  void equalContentLengthsAreOneAndTheLastTransferCodingCounts() throws Exception {
    request("PUT / HTTP/1.1\r\nContent-Length: 7, 7\r\ncontent-length: 7\r\n\r\n");
    assertThat(head.contentLength).isEqualTo(7);
    request("PUT / HTTP/1.1\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n");
    assertThat(head.transferEncoding && head.chunked).isTrue();
    request("PUT / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n");
    assertThat(head.transferEncoding).isTrue();
    assertThat(head.chunked).isFalse();
  }

  @Test
  void badRequestLinesAndVersionsAreRefused() {
    refused("GET /\r\n\r\n", 400, "request line");
    refused("GET / HTTP/2.0\r\n\r\n", 400, "only HTTP/1.0 and HTTP/1.1");
    refused("GET / HTTP/9.9\r\n\r\n", 400, "only HTTP/1.0 and HTTP/1.1");
    refused("GET / FTP/1.1\r\n\r\n", 400, "request line");
    refused("G(T / HTTP/1.1\r\n\r\n", 400, "method");
    refused("GET /a\u0001b HTTP/1.1\r\n\r\n", 400, "control characters");
    refused("GET /a b HTTP/1.1\r\n\r\n", 400, "control characters");
    refused(" GET / HTTP/1.1\r\n\r\n", 400, "request line");
  }

  @Test
  void tooLongLinesAndHeadsAreRefusedBeforeTheirEnd() {
    refused("GET /" + "a".repeat(5000), 414, "too long");
    refused("GET / HTTP/1.1\r\nX: " + "a".repeat(9000), 431, "too long");
    StringBuilder many = new StringBuilder("GET / HTTP/1.1\r\n");
    for (int i = 0; i < 200; i++) {
      many.append("X-").append(i).append(": 1\r\n");
    }
    refused(many.append("\r\n").toString(), 431, "too many headers");
  }

  @Test
  void headersNamedByConnectionAreMarkedButFramingIsNot() throws Exception {
    request("GET / HTTP/1.1\r\nConnection: X-Private, content-length\r\nX-Private: 1\r\n"
        + "Content-Length: 0\r\nX-Other: 2\r\n\r\n");
    assertThat(head.connectionScoped[1]).isTrue();
    assertThat(head.connectionScoped[2]).isFalse();
    assertThat(head.connectionScoped[3]).isFalse();
  }

  @Test
  void readsStatusLines() throws Exception {
    String text = "HTTP/1.0 204 No Content\r\nConnection: keep-alive\r\n\r\n";
    assertThat(head.parseResponse(bytes(text))).isEqualTo(text.length());
    assertThat(head.status).isEqualTo(204);
    assertThat(head.http11).isFalse();
    assertThat(head.connectionKeepAlive).isTrue();
    text = "HTTP/1.1 200\r\nTransfer-Encoding: chunked\r\n\r\n";
    assertThat(head.parseResponse(bytes(text))).isEqualTo(text.length());
    assertThat(head.status).isEqualTo(200);
    assertThat(head.chunked).isTrue();
    for (String bad : new String[] {"HTTP/1.1 20x OK\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n",
        "HTTX/1.1 200 OK\r\n\r\n", "HTTP/1.1 099 Low\r\n\r\n"}) {
      assertThatThrownBy(() -> head.parseResponse(bytes(bad))).as(bad)
          .isInstanceOf(HttpHead.Malformed.class)
          .satisfies(e -> assertThat(((HttpHead.Malformed) e).status).isEqualTo(502));
    }
  }

  /** Random bytes and mangled requests: a head, "not yet", or a refusal; nothing else. */
  @Test
  void anyInputIsAHeadOrIncompleteOrRefusedNeverAnError() {
    java.util.Random random = new java.util.Random(11);
    String valid = "POST /a?b=1 HTTP/1.1\r\nHost: a.vcap.me\r\nContent-Length: 3\r\n"
        + "Transfer-Encoding: chunked\r\nConnection: close, X-A\r\nX-A: 1\r\n\r\nabc";
    byte[] alphabet = "GETPOST /:,;\r\n\t HTTP/1.10-9aZ\u0000\u007f\u00ff".getBytes(
        StandardCharsets.ISO_8859_1);
    for (int round = 0; round < 20_000; round++) {
      byte[] input;
      if (round % 2 == 0) {
        input = valid.getBytes(StandardCharsets.ISO_8859_1);
        for (int k = random.nextInt(4); k >= 0; k--) {
          input[random.nextInt(input.length)] = alphabet[random.nextInt(alphabet.length)];
        }
        input = java.util.Arrays.copyOf(input, random.nextInt(input.length + 1));
      } else {
        input = new byte[random.nextInt(200)];
        for (int k = 0; k < input.length; k++) {
          input[k] = alphabet[random.nextInt(alphabet.length)];
        }
      }
      byte[] in = input;
      for (boolean request : new boolean[] {true, false}) {
        try {
          int n = request ? head.parseRequest(Unpooled.wrappedBuffer(in))
              : head.parseResponse(Unpooled.wrappedBuffer(in));
          assertThat(n).isBetween(0, in.length);
        } catch (HttpHead.Malformed e) {
          assertThat(e.status).isIn(400, 414, 431, 502);
        }
      }
    }
  }
}
