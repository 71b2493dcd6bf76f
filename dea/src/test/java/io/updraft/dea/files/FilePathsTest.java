package io.updraft.dea.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class FilePathsTest {

  @Test
  void splitsInstanceDirAndRelativePath() throws Exception {
    FilePaths.Target t = FilePaths.parse("/droplets/blog-0-abc/logs/stdout.log");
    assertThat(t.instanceDir()).isEqualTo("blog-0-abc");
    assertThat(t.relative()).isEqualTo("/logs/stdout.log");
    assertThat(t.segments()).isEqualTo(List.of("logs", "stdout.log"));
    assertThat(FilePaths.parse("/droplets/blog-0-abc/").relative()).isEqualTo("/");
  }

  @Test
  void decodesEachSegmentAsClientsEncodeSlashes() throws Exception {
    assertThat(FilePaths.parse("/droplets/blog-0-abc/%2Flogs%2Fstdout.log").segments())
        .containsExactly("logs", "stdout.log");
  }

  @Test
  void refusesDotDotInAnyEncoding() {
    for (String p : List.of("/droplets/blog-0-abc/../other-0-x/logs",
        "/droplets/blog-0-abc/logs/%2E%2E/%2E%2E/etc", "/droplets/blog-0-abc/%2e%2e%2fx",
        "/droplets/..", "/droplets/blog-0-abc/./startup", "/droplets/a/b%5Cc")) {
      assertThatThrownBy(() -> FilePaths.parse(p)).as(p).isInstanceOf(FilePaths.Refused.class)
          .extracting(e -> ((FilePaths.Refused) e).status()).isEqualTo(403);
    }
  }

  @Test
  void neverServesTheScripts() {
    assertThatThrownBy(() -> FilePaths.parse("/droplets/blog-0-abc/startup"))
        .extracting(e -> ((FilePaths.Refused) e).status()).isEqualTo(403);
    assertThatThrownBy(() -> FilePaths.parse("/droplets/blog-0-abc/stop"))
        .extracting(e -> ((FilePaths.Refused) e).status()).isEqualTo(403);
  }

  @Test
  void otherPathsAreNotFound() {
    assertThatThrownBy(() -> FilePaths.parse("/etc/passwd"))
        .extracting(e -> ((FilePaths.Refused) e).status()).isEqualTo(404);
  }
}
