package io.updraft.common.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class FileTokenTest {

  private static final String SECRET = "0123456789abcdef-secret";
  private static final long NOW = 1_700_000_000L;
  private final FileToken tokens = new FileToken(SECRET, 3600);

  @Test
  void aMintedTokenVerifies() throws Exception {
    FileToken.Claims c = tokens.verify(tokens.mint("abc", "/logs", NOW + 60), NOW);
    assertThat(c).isEqualTo(new FileToken.Claims("abc", "/logs", NOW + 60));
    assertThat(c.covers("/logs/stdout.log")).isTrue();
    assertThat(c.covers("/logs")).isTrue();
    assertThat(c.covers("/logsx/a")).isFalse();
    assertThat(c.covers("/app/x")).isFalse();
    assertThat(new FileToken.Claims("abc", "/", 0).covers("/app/x")).isTrue();
  }

  /** The documented format, built by hand as the controller will. */
  @Test
  void theDocumentedFormatIsWhatVerifies() throws Exception {
    String json = "{\"instance\":\"abc\",\"path\":\"/\",\"exp\":" + (NOW + 10) + "}";
    String payload = Base64.getUrlEncoder().withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String sig = Base64.getUrlEncoder().withoutPadding()
        .encodeToString(mac.doFinal(payload.getBytes(StandardCharsets.US_ASCII)));
    assertThat(tokens.verify(payload + "." + sig, NOW).instance()).isEqualTo("abc");
  }

  @Test
  void refusesExpiredTamperedForeignAndLongLivedTokens() {
    String good = tokens.mint("abc", "/logs", NOW + 60);
    assertThatThrownBy(() -> tokens.verify(good, NOW + 60))
        .hasMessage("expired");
    String otherPayload = tokens.mint("xyz", "/", NOW + 60).split("\\.")[0];
    assertThatThrownBy(() -> tokens.verify(otherPayload + "." + good.split("\\.")[1], NOW))
        .hasMessage("bad signature");
    assertThatThrownBy(() -> tokens.verify(new FileToken("another-secret-123456", 3600)
        .mint("abc", "/", NOW + 60), NOW)).hasMessage("bad signature");
    assertThatThrownBy(() -> tokens.verify(tokens.mint("abc", "/", NOW + 7200), NOW))
        .hasMessage("lifetime longer than 3600 s");
    assertThatThrownBy(() -> tokens.verify("garbage", NOW)).hasMessage("malformed token");
    assertThatThrownBy(() -> tokens.verify("a.b.c", NOW)).hasMessage("malformed token");
    assertThatThrownBy(() -> tokens.verify(null, NOW)).hasMessage("no token");
  }
}
