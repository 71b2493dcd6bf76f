package io.updraft.stager.archive;

import static org.assertj.core.api.Assertions.assertThat;

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

class DropletArchiveTest {

  @TempDir
  Path tmp;

  @Test
  void packsRelativeNamesModesAndLinksInSortedOrder() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("droplet"));
    Files.writeString(dir.resolve("startup"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(dir.resolve("startup"),
        PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createDirectories(dir.resolve("app/sub"));
    Files.writeString(dir.resolve("app/sub/a.txt"), "a");
    Files.writeString(dir.resolve("app/.hidden"), "h");
    Files.createSymbolicLink(dir.resolve("app/link"), Path.of("sub/a.txt"));
    Files.createDirectories(dir.resolve("logs"));

    Path tgz = tmp.resolve("droplet.tgz");
    DropletArchive.pack(dir, tgz);

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
    assertThat(entries.get("app/link").isSymbolicLink()).isTrue();
    assertThat(entries.get("app/link").getLinkName()).isEqualTo("sub/a.txt");
    assertThat(entries.get("app/sub/").isDirectory()).isTrue();
  }
}
