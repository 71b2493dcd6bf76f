package io.updraft.dea.droplet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.MultiMap;
import io.vertx.core.http.RequestOptions;
import org.junit.jupiter.api.Test;

class DropletCacheTest {

  @Test
  void userInfoBecomesBasicAuthAndLeavesTheUrl() throws Exception {
    RequestOptions o = DropletCache.requestOptions(
        "http://stager:p%40ss@10.0.0.2:9022/staged_droplets/42/abc?x=1");
    assertThat(o.getHost()).isEqualTo("10.0.0.2");
    assertThat(o.getPort()).isEqualTo(9022);
    assertThat(o.getURI()).isEqualTo("/staged_droplets/42/abc?x=1");
    MultiMap headers = o.getHeaders();
    assertThat(headers.get("Authorization")).isEqualTo("Basic "
        + java.util.Base64.getEncoder().encodeToString("stager:p@ss".getBytes()));
  }

  @Test
  void prunesTheLeastRecentlyUsedButSparesRecentOnes(@org.junit.jupiter.api.io.TempDir
      java.nio.file.Path dir) throws Exception {
    java.time.Instant now = java.time.Instant.now();
    java.nio.file.Path oldest = cached(dir, "a", 100, now.minusSeconds(3600));
    java.nio.file.Path older = cached(dir, "b", 100, now.minusSeconds(1800));
    java.nio.file.Path recent = cached(dir, "c", 100, now);
    java.nio.file.Path partial = dir.resolve("d.tgz.x.part");
    java.nio.file.Files.write(partial, new byte[500]);

    DropletCache.prune(dir, 150, now.minusSeconds(600));

    assertThat(oldest).doesNotExist();
    assertThat(older).doesNotExist();
    assertThat(recent).exists(); // over the limit, but maybe being unpacked right now
    assertThat(partial).exists();
  }

  private static java.nio.file.Path cached(java.nio.file.Path dir, String name, int size,
      java.time.Instant used) throws Exception {
    java.nio.file.Path p = dir.resolve(name + ".tgz");
    java.nio.file.Files.write(p, new byte[size]);
    java.nio.file.Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.from(used));
    return p;
  }

  @Test
  void onlyHttpUrls() {
    assertThatThrownBy(() -> DropletCache.requestOptions("file:///etc/passwd"))
        .isInstanceOf(DropletException.class).hasMessageContaining("http(s)");
    assertThatThrownBy(() -> DropletCache.requestOptions("http://u:secret@"))
        .isInstanceOf(DropletException.class).message().doesNotContain("secret");
  }

  @Test
  void sha1sMustBeFortyLowercaseHex() {
    assertThat(Sha1.isValid("a".repeat(40))).isTrue();
    assertThat(Sha1.isValid("../../etc/passwd")).isFalse();
    assertThat(Sha1.isValid("A".repeat(40))).isFalse();
    assertThat(Sha1.of("abc".getBytes())).isEqualTo("a9993e364706816aba3e25717850c26c9cd0d89d");
  }
}
