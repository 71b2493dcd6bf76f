package io.updraft.common.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeExtractorTest {

  @TempDir
  Path tmp;

  private static final SafeExtractor.Limits LIMITS = SafeExtractor.Limits.of(1_000_000);

  /** Writes a zip whose entries are name/content pairs; content "->x" makes a symlink to x. */
  private Path zip(String... namesAndContents) throws IOException {
    Path zip = tmp.resolve("test-" + System.nanoTime() + ".zip");
    try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(Files.newOutputStream(zip))) {
      for (int i = 0; i < namesAndContents.length; i += 2) {
        ZipArchiveEntry entry = new ZipArchiveEntry(namesAndContents[i]);
        String content = namesAndContents[i + 1];
        boolean link = content.startsWith("->");
        entry.setUnixMode(link ? 0120777 : 0100755);
        out.putArchiveEntry(entry);
        out.write((link ? content.substring(2) : content).getBytes(StandardCharsets.UTF_8));
        out.closeArchiveEntry();
      }
    }
    return zip;
  }

  private Path tarGz(String... namesAndContents) throws IOException {
    Path tgz = tmp.resolve("test-" + System.nanoTime() + ".tgz");
    try (OutputStream file = Files.newOutputStream(tgz);
        TarArchiveOutputStream out = new TarArchiveOutputStream(
            new GzipCompressorOutputStream(file))) {
      for (int i = 0; i < namesAndContents.length; i += 2) {
        String content = namesAndContents[i + 1];
        TarArchiveEntry entry;
        if (content.startsWith("->")) {
          entry = new TarArchiveEntry(namesAndContents[i], TarArchiveEntry.LF_SYMLINK);
          entry.setLinkName(content.substring(2));
        } else if (content.startsWith("=>")) {
          entry = new TarArchiveEntry(namesAndContents[i], TarArchiveEntry.LF_LINK);
          entry.setLinkName(content.substring(2));
        } else {
          entry = new TarArchiveEntry(namesAndContents[i]);
          entry.setSize(content.length());
          entry.setMode(0100755);
        }
        out.putArchiveEntry(entry);
        if (!entry.isSymbolicLink() && !entry.isLink()) {
          out.write(content.getBytes(StandardCharsets.UTF_8));
        }
        out.closeArchiveEntry();
      }
    }
    return tgz;
  }

  @Test
  void goodArchivesUnpackWithExecutableBitsAndInsideLinks() throws IOException {
    Path out = tmp.resolve("out");
    SafeExtractor.Result result = SafeExtractor.unzip(
        zip("app/run.sh", "echo hi", "app/lib/x.txt", "x", "app/link", "->lib/x.txt"), out,
        LIMITS);
    assertThat(result.files()).isEqualTo(2);
    assertThat(Files.readString(out.resolve("app/link"))).isEqualTo("x");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
        out.resolve("app/run.sh")))).startsWith("rwx");

    Path out2 = tmp.resolve("out2");
    SafeExtractor.untarGz(tarGz("startup", "#!/bin/sh", "app/a", "a", "app/b", "=>app/a"), out2,
        LIMITS);
    assertThat(Files.readString(out2.resolve("app/b"))).isEqualTo("a");
    assertThat(Files.isExecutable(out2.resolve("startup"))).isTrue();
  }

  @Test
  void entriesEscapingTheTargetAreRefused() throws IOException {
    Path out = tmp.resolve("out");
    assertThatThrownBy(() -> SafeExtractor.unzip(zip("../evil", "x"), out, LIMITS))
        .isInstanceOf(UnsafeArchiveException.class)
        .hasMessage("entry '../evil' would land outside the target directory");
    assertThatThrownBy(() -> SafeExtractor.unzip(zip("a/../../evil", "x"), out, LIMITS))
        .hasMessageContaining("would land outside");
    assertThatThrownBy(() -> SafeExtractor.unzip(zip("/etc/passwd", "x"), out, LIMITS))
        .hasMessage("entry '/etc/passwd' has an absolute path");
    assertThatThrownBy(() -> SafeExtractor.untarGz(tarGz("../../evil", "x"), out, LIMITS))
        .hasMessageContaining("would land outside");
    assertThat(tmp.resolve("evil")).doesNotExist();
  }

  @Test
  void symlinksPointingOutsideAreRefusedEvenThroughChains() throws IOException {
    assertThatThrownBy(() -> SafeExtractor.unzip(zip("link", "->/etc"), tmp.resolve("a"),
        LIMITS)).hasMessage("symlink 'link' points outside the target directory");
    assertThatThrownBy(() -> SafeExtractor.untarGz(tarGz("up", "->../.."), tmp.resolve("b"),
        LIMITS)).hasMessage("symlink 'up' points outside the target directory");
    // d -> . is harmless alone, but d/d/d/../.. really climbs two levels above the target
    assertThatThrownBy(() -> SafeExtractor.untarGz(tarGz("d", "->.", "e", "->d/d/d/../.."),
        tmp.resolve("c"), LIMITS)).hasMessage("symlink 'e' points outside the target directory");
    // a hard link to something not in the archive
    assertThatThrownBy(() -> SafeExtractor.untarGz(tarGz("h", "=>../../etc/passwd"),
        tmp.resolve("d"), LIMITS)).hasMessageContaining("would land outside");
  }

  @Test
  void sizeAndEntryLimitsCountRealBytes() throws IOException {
    String big = "x".repeat(2_000);
    assertThatThrownBy(() -> SafeExtractor.unzip(zip("a", big), tmp.resolve("a"),
        SafeExtractor.Limits.of(1_000)))
        .hasMessage("unpacked size exceeds 1000 bytes (at entry 'a')");
    assertThatThrownBy(() -> SafeExtractor.unzip(zip("a", "1", "b", "2", "c", "3"),
        tmp.resolve("b"), new SafeExtractor.Limits(1_000, 2)))
        .hasMessage("more than 2 entries");
  }

  @Test
  void garbageIsAClearError() throws IOException {
    Path junk = tmp.resolve("junk.zip");
    Files.writeString(junk, "this is not a zip");
    assertThatThrownBy(() -> SafeExtractor.unzip(junk, tmp.resolve("a"), LIMITS))
        .isInstanceOf(UnsafeArchiveException.class).hasMessageStartingWith("not a readable zip");
    assertThatThrownBy(() -> SafeExtractor.untarGz(junk, tmp.resolve("b"), LIMITS))
        .hasMessageStartingWith("not a readable tar.gz");
  }

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
}
