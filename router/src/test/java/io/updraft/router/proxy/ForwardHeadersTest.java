package io.updraft.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ForwardHeadersTest {

  private static HttpHead response(String head) throws Exception {
    HttpHead h = new HttpHead(4096, 8192);
    assertThat(h.parseResponse(Unpooled.copiedBuffer(head, StandardCharsets.ISO_8859_1)))
        .isEqualTo(head.length());
    return h;
  }

  private static HttpHead request(String head) throws Exception {
    HttpHead h = new HttpHead(4096, 8192);
    assertThat(h.parseRequest(Unpooled.copiedBuffer(head, StandardCharsets.ISO_8859_1)))
        .isEqualTo(head.length());
    return h;
  }

  private static String text(ByteBuf b) {
    try {
      return b.toString(StandardCharsets.ISO_8859_1);
    } finally {
      b.release();
    }
  }

  @Test
  void responseDropsHopByHopAndHeadersNamedInConnection() throws Exception {
    HttpHead h = response("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
        + "Transfer-Encoding: chunked\r\nConnection: close, X-Private\r\nX-Private: 1\r\n"
        + "Set-Cookie: a=1\r\nSet-Cookie: b=2\r\nKeep-Alive: timeout=5\r\n\r\n");
    // a chunked body goes on chunked: its Transfer-Encoding stays
    assertThat(text(ForwardHeaders.response(ByteBufAllocator.DEFAULT, h, false, true, false,
        null))).isEqualTo("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
            + "Transfer-Encoding: chunked\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n");
    // an HTTP/1.0 client gets the data alone, ended by the close
    assertThat(text(ForwardHeaders.response(ByteBufAllocator.DEFAULT, h, true, false, true,
        "__VCAP_ID__=i; Path=/; HttpOnly"))).isEqualTo("HTTP/1.0 200 OK\r\n"
            + "Content-Type: text/plain\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n"
            + "Set-Cookie: __VCAP_ID__=i; Path=/; HttpOnly\r\nConnection: close\r\n\r\n");
  }

  @Test
  void requestKeepsHostAndAddsTheForwardingHeaders() throws Exception {
    HttpHead h = request("POST /a?b=1 HTTP/1.1\r\nHost: app.vcap.me\r\n"
        + "Connection: keep-alive\r\nExpect: 100-continue\r\nTE: trailers\r\n"
        + "X-Forwarded-For: 10.0.0.1\r\nX-Request-Start: 5\r\nX-Vcap-Request-Id: forged\r\n"
        + "Transfer-Encoding: chunked\r\nUpgrade: h2c\r\nproxy-connection: keep-alive\r\n"
        + "Proxy-Authorization: Basic eA==\r\nKeep-Alive: timeout=5\r\nTrailer: X-Sum\r\n\r\n");
    String out = text(ForwardHeaders.request(ByteBufAllocator.DEFAULT, h, "/a?b=1",
        "10.0.0.9".getBytes(StandardCharsets.US_ASCII), "rid", 1234L, false, null));
    assertThat(out).isEqualTo("POST /a?b=1 HTTP/1.1\r\nHost: app.vcap.me\r\n"
        + "X-Request-Start: 5\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n"
        + "X-Forwarded-For: 10.0.0.1, 10.0.0.9\r\nX-Forwarded-Proto: http\r\n"
        + "X-Vcap-Request-Id: rid\r\n\r\n");
  }

  @Test
  void anAbsoluteTargetBecomesOriginFormAndGivesTheHost() throws Exception {
    HttpHead h = request("GET http://app.vcap.me:81/x HTTP/1.0\r\n"
        + "Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
    String out = text(ForwardHeaders.request(ByteBufAllocator.DEFAULT, h, "/x", null, "r", 7L,
        true, "app.vcap.me:81"));
    assertThat(out).isEqualTo("GET /x HTTP/1.1\r\nUpgrade: websocket\r\n"
        + "Host: app.vcap.me:81\r\nX-Forwarded-Proto: http\r\nX-Request-Start: 7\r\n"
        + "X-Vcap-Request-Id: r\r\nConnection: Upgrade\r\n\r\n");
  }

  @Test
  void detectsJsessionIdCaseInsensitivelyAndOnlyByName() throws Exception {
    assertThat(response("HTTP/1.1 200 OK\r\nSet-Cookie: other=1\r\n"
        + "Set-Cookie: JSessionId=abc; Path=/\r\n\r\n").setsSessionCookie).isTrue();
    assertThat(response("HTTP/1.1 200 OK\r\nSet-Cookie: token=JSESSIONID\r\n\r\n")
        .setsSessionCookie).isFalse();
    assertThat(ForwardHeaders.stickyCookie("ab")).isEqualTo("__VCAP_ID__=ab; Path=/; HttpOnly");
  }

  @Test
  void findsTheStickyTokenAmongTheCookies() throws Exception {
    assertThat(ForwardHeaders.stickyToken(request("GET / HTTP/1.1\r\n"
        + "Cookie: a=1; __VCAP_ID__=inst-7; JSESSIONID=x\r\n\r\n"))).isEqualTo("inst-7");
    assertThat(ForwardHeaders.stickyToken(request("GET / HTTP/1.1\r\nCookie: a=1\r\n"
        + "Cookie: __VCAP_ID__=\"q\"\r\n\r\n"))).isEqualTo("q");
    assertThat(ForwardHeaders.stickyToken(request("GET / HTTP/1.1\r\n"
        + "Cookie: X__VCAP_ID__=no\r\n\r\n"))).isNull();
    assertThat(ForwardHeaders.stickyToken(request("GET / HTTP/1.1\r\n\r\n"))).isNull();
  }

  @Test
  void routesByTheHostWithoutPortCaseOrTrailingDot() {
    assertThat(ForwardHeaders.routingHost("App.VCAP.me:8080")).isEqualTo("app.vcap.me");
    assertThat(ForwardHeaders.routingHost("app.vcap.me.")).isEqualTo("app.vcap.me");
    assertThat(ForwardHeaders.routingHost("[::1]:80")).isEqualTo("[::1]");
    assertThat(ForwardHeaders.routingHost("")).isNull();
    assertThat(ForwardHeaders.routingHost(null)).isNull();
    assertThat(ForwardHeaders.absoluteAuthority("http://a.vcap.me:81/x?y")).isEqualTo("a.vcap.me:81");
    assertThat(ForwardHeaders.absoluteAuthority("/x")).isNull();
    assertThat(ForwardHeaders.path("/a/b?c=1#f")).isEqualTo("/a/b");
  }

  @Test
  void turnsAbsoluteRequestTargetsIntoOriginForm() {
    assertThat(ForwardHeaders.originForm("/a?b=1")).isEqualTo("/a?b=1");
    assertThat(ForwardHeaders.originForm("http://app.vcap.me/a?b")).isEqualTo("/a?b");
    assertThat(ForwardHeaders.originForm("http://app.vcap.me")).isEqualTo("/");
    assertThat(ForwardHeaders.originForm("*")).isEqualTo("/");
  }

  @Test
  void requestIdsAreVersion4UuidsAndDistinct() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String id = ForwardHeaders.newRequestId();
      assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
      ids.add(id);
    }
    assertThat(ids).hasSize(1000);
  }
}
