package io.updraft.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
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
  void responseCopyDropsHopByHopAndHeadersNamedInConnection() {
    MultiMap in = MultiMap.caseInsensitiveMultiMap()
        .add("Content-Type", "text/plain").add("Transfer-Encoding", "chunked")
        .add("Connection", "close, X-Private").add("X-Private", "1")
        .add("Set-Cookie", "a=1").add("Set-Cookie", "b=2");
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    ForwardHeaders.response(in, out, false);
    assertThat(out.names()).containsExactlyInAnyOrder("Content-Type", "Set-Cookie");
    assertThat(out.getAll("Set-Cookie")).containsExactly("a=1", "b=2");
  }

  @Test
  void detectsJsessionIdCaseInsensitivelyAndOnlyByName() {
    assertThat(ForwardHeaders.setsSessionCookie(MultiMap.caseInsensitiveMultiMap()
        .add("Set-Cookie", "other=1").add("Set-Cookie", "JSessionId=abc; Path=/"))).isTrue();
    assertThat(ForwardHeaders.setsSessionCookie(MultiMap.caseInsensitiveMultiMap()
        .add("Set-Cookie", "token=JSESSIONID"))).isFalse();
    assertThat(ForwardHeaders.stickyCookie("ab")).isEqualTo("__VCAP_ID__=ab; Path=/; HttpOnly");
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
