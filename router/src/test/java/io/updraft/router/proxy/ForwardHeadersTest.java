package io.updraft.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ForwardHeadersTest {

  @Test
  void recognisesHopByHopHeadersInAnyCase() {
    for (String name : new String[] {"Connection", "keep-alive", "TE", "Trailer",
        "Transfer-Encoding", "Upgrade", "Proxy-Connection", "Proxy-Authorization",
        "proxy-authenticate"}) {
      assertThat(ForwardHeaders.isHopByHop(name)).as(name).isTrue();
    }
    for (String name : new String[] {"Content-Length", "Cookie", "Host", "Accept", "Tee",
        "X-Forwarded-For", "Content-Type", "Authorization"}) {
      assertThat(ForwardHeaders.isHopByHop(name)).as(name).isFalse();
    }
  }

  @Test
  void responseDropsHopByHopAndHeadersNamedInConnection() {
    HttpHeaders h = new DefaultHttpHeaders()
        .add("Content-Type", "text/plain").add("Transfer-Encoding", "chunked")
        .add("Connection", "close, X-Private").add("X-Private", "1")
        .add("Set-Cookie", "a=1").add("Set-Cookie", "b=2");
    ForwardHeaders.response(h);
    assertThat(h.names()).containsExactlyInAnyOrder("Content-Type", "Set-Cookie");
    assertThat(h.getAll("Set-Cookie")).containsExactly("a=1", "b=2");
  }

  @Test
  void requestKeepsHostAndAddsTheForwardingHeaders() {
    HttpHeaders h = new DefaultHttpHeaders().add("Host", "app.vcap.me")
        .add("Connection", "keep-alive").add("Expect", "100-continue").add("TE", "trailers")
        .add("X-Forwarded-For", "10.0.0.1").add("X-Request-Start", "5");
    ForwardHeaders.request(h, "10.0.0.9", false, "rid", 1234L);
    assertThat(h.get("Host")).isEqualTo("app.vcap.me");
    assertThat(h.contains("Connection")).isFalse();
    assertThat(h.contains("Expect")).isFalse();
    assertThat(h.contains("TE")).isFalse();
    assertThat(h.get("X-Forwarded-For")).isEqualTo("10.0.0.1, 10.0.0.9");
    assertThat(h.get("X-Forwarded-Proto")).isEqualTo("http");
    assertThat(h.get("X-Request-Start")).isEqualTo("5");
    assertThat(h.get("X-Vcap-Request-Id")).isEqualTo("rid");
  }

  @Test
  void detectsJsessionIdCaseInsensitivelyAndOnlyByName() {
    assertThat(ForwardHeaders.setsSessionCookie(new DefaultHttpHeaders()
        .add("Set-Cookie", "other=1").add("Set-Cookie", "JSessionId=abc; Path=/"))).isTrue();
    assertThat(ForwardHeaders.setsSessionCookie(new DefaultHttpHeaders()
        .add("Set-Cookie", "token=JSESSIONID"))).isFalse();
    assertThat(ForwardHeaders.stickyCookie("ab")).isEqualTo("__VCAP_ID__=ab; Path=/; HttpOnly");
  }

  @Test
  void findsTheStickyTokenAmongTheCookies() {
    assertThat(ForwardHeaders.stickyToken(new DefaultHttpHeaders()
        .add("Cookie", "a=1; __VCAP_ID__=inst-7; JSESSIONID=x"))).isEqualTo("inst-7");
    assertThat(ForwardHeaders.stickyToken(new DefaultHttpHeaders()
        .add("Cookie", "a=1").add("Cookie", "__VCAP_ID__=\"q\""))).isEqualTo("q");
    assertThat(ForwardHeaders.stickyToken(new DefaultHttpHeaders()
        .add("Cookie", "X__VCAP_ID__=no"))).isNull();
    assertThat(ForwardHeaders.stickyToken(new DefaultHttpHeaders())).isNull();
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
