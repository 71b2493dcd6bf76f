package io.updraft.dea.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Confinement by real path: what the lexical checks cannot see. */
class FileServerResolveTest {

  @TempDir
  Path tmp;
  private Path instance;

  @BeforeEach
  void layout() throws Exception {
    instance = Files.createDirectories(tmp.resolve("apps/blog-0-abc"));
    Files.createDirectories(instance.resolve("logs"));
    Files.createDirectories(instance.resolve("app"));
    Files.writeString(instance.resolve("logs/stdout.log"), "hello\n");
    Files.writeString(instance.resolve("startup"), "#!/bin/sh\n");
    Files.writeString(tmp.resolve("secret.txt"), "secret");
    Files.createSymbolicLink(instance.resolve("app/escape"), Path.of("../../../secret.txt"));
    Files.createSymbolicLink(instance.resolve("app/start"), Path.of("../startup"));
    Files.createSymbolicLink(instance.resolve("app/log"), Path.of("../logs/stdout.log"));
  }

  @Test
  void servesFilesAndListings() throws Exception {
    FileServer.Resolved file = FileServer.resolve(instance, List.of("logs", "stdout.log"));
    assertThat(file.status()).isEqualTo(200);
    try (var channel = file.file()) {
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(64);
      int n = channel.read(buf);
      assertThat(new String(buf.array(), 0, n, java.nio.charset.StandardCharsets.UTF_8))
          .isEqualTo("hello\n");
    }
    assertThat(file.size()).isEqualTo(6);
    FileServer.Resolved top = FileServer.resolve(instance, List.of());
    assertThat(top.listing()).contains("app/").contains("logs/").doesNotContain("startup");
  }

  @Test
  void noSymlinkIsFollowedInsideOrOut() throws Exception {
    // the app owns its directory and can swap anything for a link at any moment: the DEA
    // reads as root, so it never follows one (CVE-2018-15664's race has nothing to win)
    assertThat(FileServer.resolve(instance, List.of("app", "log")).status()).isEqualTo(403);
    assertThat(FileServer.resolve(instance, List.of("app", "escape")).status()).isEqualTo(403);
    assertThat(FileServer.resolve(instance, List.of("app", "start")).status()).isEqualTo(403);
    assertThat(FileServer.resolve(instance, List.of("app", "missing")).status()).isEqualTo(404);
    Files.createSymbolicLink(instance.resolve("outside"), tmp);
    assertThat(FileServer.resolve(instance, List.of("outside", "secret.txt")).status())
        .isEqualTo(403);
    assertThat(FileServer.resolve(instance, List.of("startup")).status()).isEqualTo(403);
  }

  @Test
  void aListingShowsLinksWithoutFollowingThem() throws Exception {
    FileServer.Resolved app = FileServer.resolve(instance, List.of("app"));
    assertThat(app.listing()).contains("escape").contains("log").doesNotContain("secret");
  }

  @Test
  void aFifoIsNeverOpened() throws Exception {
    Process p = new ProcessBuilder("mkfifo", instance.resolve("logs/pipe").toString()).start();
    assertThat(p.waitFor()).isZero();
    assertThat(FileServer.resolve(instance, List.of("logs", "pipe")).status()).isEqualTo(403);
  }
}
