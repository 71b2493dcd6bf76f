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
    assertThat(file.file()).isEqualTo(instance.resolve("logs/stdout.log").toRealPath());
    FileServer.Resolved top = FileServer.resolve(instance, List.of());
    assertThat(top.listing()).contains("app/").contains("logs/").doesNotContain("startup");
  }

  @Test
  void symlinksInsideAreFollowedButNotOut() throws Exception {
    assertThat(FileServer.resolve(instance, List.of("app", "log")).status()).isEqualTo(200);
    assertThat(FileServer.resolve(instance, List.of("app", "escape")).status()).isEqualTo(403);
    assertThat(FileServer.resolve(instance, List.of("app", "start")).status()).isEqualTo(403);
    assertThat(FileServer.resolve(instance, List.of("app", "missing")).status()).isEqualTo(404);
  }
}
