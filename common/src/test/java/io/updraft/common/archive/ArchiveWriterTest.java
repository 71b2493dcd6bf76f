package io.updraft.common.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveWriterTest {

  @TempDir
  Path tmp;

  private static final SafeExtractor.Limits LIMITS = SafeExtractor.Limits.of(1_000_000);

  @Test
  void writerIsReproducibleAndRoundTrips() throws IOException {
    Path dir = tmp.resolve("dir");
    Files.createDirectories(dir.resolve("app/sub"));
    Files.writeString(dir.resolve("app/sub/f.txt"), "hello");
    Files.writeString(dir.resolve("startup"), "#!/bin/sh\n");
    dir.resolve("startup").toFile().setExecutable(true);
    Files.createSymbolicLink(dir.resolve("app/l"), Path.of("sub/f.txt"));
    Files.writeString(dir.resolve(".hidden"), "kept");

    Path z1 = tmp.resolve("1.zip");
    Path z2 = tmp.resolve("2.zip");
    ArchiveWriter.zip(dir, z1);
    ArchiveWriter.zip(dir, z2);
    assertThat(Files.readAllBytes(z1)).isEqualTo(Files.readAllBytes(z2));
    Path back = tmp.resolve("back");
    SafeExtractor.unzip(z1, back, LIMITS);
    assertThat(Files.readString(back.resolve("app/l"))).isEqualTo("hello");
    assertThat(Files.readString(back.resolve(".hidden"))).isEqualTo("kept");
    assertThat(Files.isExecutable(back.resolve("startup"))).isTrue();

    Path t = tmp.resolve("d.tgz");
    ArchiveWriter.tarGz(dir, t);
    Path back2 = tmp.resolve("back2");
    SafeExtractor.untarGz(t, back2, LIMITS);
    assertThat(Files.readString(back2.resolve("app/sub/f.txt"))).isEqualTo("hello");
    assertThat(Files.isSymbolicLink(back2.resolve("app/l"))).isTrue();
  }

  /** The droplet contract with the DEA: relative sorted names, permission bits, links. */
  @Test
  void tarGzPacksADropletWithRelativeNamesModesAndLinksInSortedOrder() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("droplet"));
    Files.writeString(dir.resolve("startup"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(dir.resolve("startup"),
        PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createDirectories(dir.resolve("app/sub"));
    Files.writeString(dir.resolve("app/sub/a.txt"), "a");
    Files.writeString(dir.resolve("app/.hidden"), "h");
    Files.setPosixFilePermissions(dir.resolve("app/.hidden"),
        PosixFilePermissions.fromString("rw-------"));
    Files.createSymbolicLink(dir.resolve("app/link"), Path.of("sub/a.txt"));
    Files.createDirectories(dir.resolve("logs"));
    Files.setPosixFilePermissions(dir.resolve("logs"),
        PosixFilePermissions.fromString("rwx------"));
    try {
      // a fifo a build left behind: skipped, as reading it would block
      new ProcessBuilder("mkfifo", dir.resolve("app/fifo").toString()).start().waitFor();
    } catch (IOException noMkfifo) {
      // the rest of the contract still holds
    }

    Path tgz = tmp.resolve("droplet.tgz");
    ArchiveWriter.tarGz(dir, tgz);

    Map<String, TarArchiveEntry> entries = new LinkedHashMap<>();
    try (InputStream in = Files.newInputStream(tgz);
        TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        entries.put(e.getName(), e);
      }
    }
    assertThat(entries.keySet()).containsExactly("app/", "app/.hidden", "app/link", "app/sub/",
        "app/sub/a.txt", "logs/", "startup");
    assertThat(entries.get("startup").getMode() & 0777).isEqualTo(0755);
    assertThat(entries.get("app/.hidden").getMode() & 0777).isEqualTo(0600);
    assertThat(entries.get("logs/").getMode() & 0777).isEqualTo(0700);
    assertThat(entries.get("app/link").isSymbolicLink()).isTrue();
    assertThat(entries.get("app/link").getLinkName()).isEqualTo("sub/a.txt");
    assertThat(entries.get("app/sub/").isDirectory()).isTrue();
  }
}
