package io.updraft.stager.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class BitsTransferTest {

  @Test
  void userInfoBecomesABasicAuthHeaderAndLeavesTheUrl() throws Exception {
    BitsTransfer.Target t = BitsTransfer.target(
        "http://stg:s%40cret@10.0.0.2:9022/staging/app/42?x=%2F", "Failed");
    assertThat(t.uri().toString()).isEqualTo("http://10.0.0.2:9022/staging/app/42?x=%2F");
    assertThat(t.authorization()).isEqualTo("Basic " + Base64.getEncoder().encodeToString(
        "stg:s@cret".getBytes(StandardCharsets.UTF_8)));
    assertThat(t.redacted()).isEqualTo("http://***@10.0.0.2:9022/staging/app/42?x=%2F");
  }

  @Test
  void aUrlWithoutCredentialsIsUsedAsIs() throws Exception {
    BitsTransfer.Target t = BitsTransfer.target("http://cc/staging/app/1", "Failed");
    assertThat(t.authorization()).isNull();
    assertThat(t.uri().toString()).isEqualTo("http://cc/staging/app/1");
  }

  @Test
  void badUrlsFailWithoutShowingCredentials() {
    assertThatThrownBy(() -> BitsTransfer.target("ftp://u:pw@host/x", "Failed downloading app"))
        .hasMessage("Failed downloading app: not an http(s) URL (ftp://***@host/x)");
  }
}
