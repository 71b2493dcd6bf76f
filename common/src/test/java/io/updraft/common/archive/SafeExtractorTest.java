package io.updraft.common.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.LinkOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Consumer;
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

  /** A tar.gz written entry by entry, for modes the name/content helper cannot say. */
  private Path tarGz(Consumer<TarArchiveOutputStream> entries) throws IOException {
    Path tgz = tmp.resolve("test-" + System.nanoTime() + ".tgz");
    try (OutputStream file = Files.newOutputStream(tgz);
        TarArchiveOutputStream out = new TarArchiveOutputStream(
            new GzipCompressorOutputStream(file))) {
      entries.accept(out);
    }
    return tgz;
  }

  private static void put(TarArchiveOutputStream out, String name, int mode, String content) {
    try {
      TarArchiveEntry entry = new TarArchiveEntry(name);
      entry.setMode(mode);
      entry.setSize(name.endsWith("/") ? 0 : content.length());
      out.putArchiveEntry(entry);
      out.write(content.getBytes(StandardCharsets.UTF_8));
      out.closeArchiveEntry();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String mode(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path,
        LinkOption.NOFOLLOW_LINKS));
  }

  /**
   * Writes a zip whose entries are name/content pairs; content "->x" makes a symlink to x, a
   * name ending in "/" a directory.
   */
  private Path zip(String... namesAndContents) throws IOException {
    Path zip = tmp.resolve("test-" + System.nanoTime() + ".zip");
    try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(Files.newOutputStream(zip))) {
      for (int i = 0; i < namesAndContents.length; i += 2) {
        ZipArchiveEntry entry = new ZipArchiveEntry(namesAndContents[i]);
        String content = namesAndContents[i + 1];
        boolean link = content.startsWith("->");
        entry.setUnixMode(link ? 0120777 : entry.isDirectory() ? 040755
            : content.startsWith("#!") ? 0100755 : 0100644);
        out.putArchiveEntry(entry);
        out.write((link ? content.substring(2) : content).getBytes(StandardCharsets.UTF_8));
        out.closeArchiveEntry();
      }
    }
    return zip;
  }

  /**
   * Writes a tar.gz of name/content pairs: "->x" a symlink to x, "=>x" a hard link to x, "|" a
   * fifo; a name ending in "/" is a directory. Files are 0755.
   */
  private Path tarGz(String... namesAndContents) throws IOException {
    Path tgz = tmp.resolve("test-" + System.nanoTime() + ".tgz");
    try (OutputStream file = Files.newOutputStream(tgz);
        TarArchiveOutputStream out = new TarArchiveOutputStream(
            new GzipCompressorOutputStream(file))) {
      for (int i = 0; i < namesAndContents.length; i += 2) {
        String content = namesAndContents[i + 1];
        TarArchiveEntry entry;
        // true: keep names as given, absolute ones included (the default strips a leading /)
        if (content.startsWith("->")) {
          entry = new TarArchiveEntry(namesAndContents[i], TarArchiveEntry.LF_SYMLINK, true);
          entry.setLinkName(content.substring(2));
        } else if (content.startsWith("=>")) {
          entry = new TarArchiveEntry(namesAndContents[i], TarArchiveEntry.LF_LINK, true);
          entry.setLinkName(content.substring(2));
        } else if (content.startsWith("|")) {
          entry = new TarArchiveEntry(namesAndContents[i], TarArchiveEntry.LF_FIFO, true);
        } else if (namesAndContents[i].endsWith("/")) {
          entry = new TarArchiveEntry(namesAndContents[i], true);
          entry.setMode(040755);
        } else {
          entry = new TarArchiveEntry(namesAndContents[i], true);
          entry.setSize(content.length());
          entry.setMode(0100755);
        }
        out.putArchiveEntry(entry);
        if (!entry.isSymbolicLink() && !entry.isLink() && !entry.isFIFO()
            && !entry.isDirectory()) {
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
        zip("app/run.sh", "#!/bin/sh\necho hi", "app/lib/x.txt", "x", "app/link", "->lib/x.txt",
            "app/libs", "->lib", ".env", "A=1", "bin/", ""), out, LIMITS);
    assertThat(result.files()).isEqualTo(3);
    assertThat(Files.readString(out.resolve("app/link"))).isEqualTo("x");
    assertThat(Files.readString(out.resolve("app/libs/x.txt"))).isEqualTo("x");
    assertThat(Files.readString(out.resolve(".env"))).isEqualTo("A=1");
    assertThat(out.resolve("bin")).isDirectory();
    assertThat(mode(out.resolve("app/run.sh"))).startsWith("rwx");
    assertThat(Files.isExecutable(out.resolve("app/lib/x.txt"))).isFalse();

    Path out2 = tmp.resolve("out2");
    SafeExtractor.untarGz(tarGz("./", "", "./startup", "#!/bin/sh", "app/a", "a"), out2,
        LIMITS);
    assertThat(Files.readString(out2.resolve("app/a"))).isEqualTo("a");
    assertThat(Files.isExecutable(out2.resolve("startup"))).isTrue();
  }

  /** A droplet's permission bits survive (a private file stays private); setuid does not. */
  @Test
  void tarKeepsPermissionBitsButNotSetuidAndAlwaysLetsTheOwnerIn() throws IOException {
    Path out = tmp.resolve("out");
    SafeExtractor.untarGz(tarGz(tar -> {
      put(tar, "private/", 040700, "");
      put(tar, "private/key", 0100600, "secret");
      put(tar, "startup", 0104755, "#!/bin/sh");
      put(tar, "readonly", 0100444, "r");
      put(tar, "shared/", 040750, "");
    }), out, LIMITS);
    assertThat(mode(out.resolve("private"))).isEqualTo("rwx------");
    assertThat(mode(out.resolve("private/key"))).isEqualTo("rw-------");
    assertThat(mode(out.resolve("startup"))).isEqualTo("rwxr-xr-x");
    assertThat(mode(out.resolve("readonly"))).isEqualTo("rw-r--r--");
    assertThat(mode(out.resolve("shared"))).isEqualTo("rwxr-x---");
  }

  @Test
  void entriesEscapingTheTargetAreRefused() throws IOException {
    Path out = tmp.resolve("out");
    assertThatThrownBy(() -> SafeExtractor.unzip(zip("../evil", "x"), out, LIMITS))
        .isInstanceOf(UnsafeArchiveException.class)
        .hasMessage("entry '../evil' would land outside the target directory");
    assertThatThrownBy(() -> SafeExtractor.unzip(zip("a/../../evil", "x"), out, LIMITS))
        .hasMessageContaining("would land outside");
    assertThatThrownBy(() -> SafeExtractor.unzip(zip("a\\..\\..\\evil", "x"), out, LIMITS))
        .hasMessageContaining("would land outside");
    assertThatThrownBy(() -> SafeExtractor.unzip(zip("/etc/passwd", "x"), out, LIMITS))
        .hasMessage("entry '/etc/passwd' has an absolute path");
    assertThatThrownBy(() -> SafeExtractor.unzip(zip("C:/evil", "x"), out, LIMITS))
        .hasMessage("entry 'C:/evil' has an absolute path");
    assertThatThrownBy(() -> SafeExtractor.untarGz(tarGz("../../evil", "x"), out, LIMITS))
        .hasMessageContaining("would land outside");
    assertThatThrownBy(() -> SafeExtractor.untarGz(tarGz("/tmp/evil-absolute", "x"), out,
        LIMITS)).hasMessage("entry '/tmp/evil-absolute' has an absolute path");
    assertThat(tmp.resolve("evil")).doesNotExist();
  }

  @Test
  void dotDotSegmentsAreRefusedEvenWhenTheyStayInside() throws IOException {
    assertThatThrownBy(() -> SafeExtractor.untarGz(tarGz("app/../startup", "x"),
        tmp.resolve("a"), LIMITS)).hasMessage("entry 'app/../startup' has a '..' segment");
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
  }

  /** A dangling link is judged by where it leads once its missing part is created. */
  @Test
  void danglingSymlinksAreJudgedByWhereTheyWouldLead() throws IOException {
    Path out = tmp.resolve("a");
    // lexically inside; really d/d/.. is the target's parent, where "absent" may appear later
    assertThatThrownBy(() -> SafeExtractor.untarGz(tarGz("d", "->.", "e",
        "->d/d/../absent-" + System.nanoTime()), out, LIMITS))
        .hasMessage("symlink 'e' points outside the target directory");
    assertThat(Files.exists(out.resolve("d"), LinkOption.NOFOLLOW_LINKS)).isFalse();

    // deep/dir/a -> ../../m dangles; once m appears, a/../../.. climbs from m, not from a
    Path deep = tmp.resolve("c");
    assertThatThrownBy(() -> SafeExtractor.untarGz(tarGz("deep/dir/a", "->../../m", "b",
        "->deep/dir/a/../../.."), deep, LIMITS))
        .hasMessage("symlink 'b' points outside the target directory");
    assertThatThrownBy(() -> SafeExtractor.untarGz(tarGz("x", "->y", "y", "->x"),
        tmp.resolve("d"), LIMITS)).hasMessage("symlink 'x' leads through too many links");

    Path ok = tmp.resolve("b");
    SafeExtractor.untarGz(tarGz("app/log", "->../logs"), ok, LIMITS);
    assertThat(Files.isSymbolicLink(ok.resolve("app/log"))).isTrue();
  }

  @Test
  void symlinkTargetsMustBeRealPaths() throws IOException {
    assertThatThrownBy(() -> SafeExtractor.unzip(zip("l", "->" + "a/".repeat(2100)),
        tmp.resolve("a"), LIMITS)).hasMessage("symlink 'l' has an overlong target");
    assertThatThrownBy(() -> SafeExtractor.unzip(zip("l", "->a\0b"), tmp.resolve("b"),
        LIMITS)).hasMessage("symlink 'l' has no valid target");
  }

  @Test
  void nothingIsWrittenThroughASymlink() throws IOException {
    assertThatThrownBy(() -> SafeExtractor.unzip(zip("real/", "", "alias", "->real",
        "alias/x.txt", "x"), tmp.resolve("a"), LIMITS))
        .hasMessage("entry 'alias/x.txt' passes through a symlink");
    // p -> . is harmless alone, but p/q/s -> ../.. would resolve outside through it
    assertThatThrownBy(() -> SafeExtractor.untarGz(tarGz("p", "->.", "q/", "", "p/q/s",
        "->../.."), tmp.resolve("b"), LIMITS))
        .hasMessage("entry 'p/q/s' passes through a symlink");
  }

  /** A second entry for a path could replace what was checked, a link with a file say. */
  @Test
  void duplicateAndCollidingEntriesAreRefused() throws IOException {
    Path out = tmp.resolve("a");
    assertThatThrownBy(() -> SafeExtractor.unzip(zip("target.txt", "t", "x", "->target.txt",
        "x", "overwrite"), out, LIMITS))
        .hasMessage("entry 'x' collides with another entry");
    assertThat(out.resolve("target.txt")).hasContent("t");
    assertThatThrownBy(() -> SafeExtractor.untarGz(tarGz("a", "1", "a", "2"),
        tmp.resolve("b"), LIMITS)).hasMessage("entry 'a' collides with another entry");
    assertThatThrownBy(() -> SafeExtractor.unzip(zip("f", "1", "f/g", "2"),
        tmp.resolve("c"), LIMITS)).hasMessage("entry 'f/g' collides with another entry");
    assertThatThrownBy(() -> SafeExtractor.unzip(zip("f", "1", "f/", ""),
        tmp.resolve("d"), LIMITS)).hasMessage("entry 'f/' collides with another entry");
    assertThatThrownBy(() -> SafeExtractor.unzip(zip("d/x", "1", "d", "->x"),
        tmp.resolve("e"), LIMITS)).hasMessage("entry 'd' collides with another entry");
    assertThatThrownBy(() -> SafeExtractor.untarGz(tarGz(".", "x"), tmp.resolve("f"),
        LIMITS)).hasMessage("entry '.' collides with another entry");
  }

  @Test
  void hardLinksDevicesAndFifosAreRefused() throws IOException {
    // a hard link aliases a file a later entry could rewrite; its target may lie outside
    assertThatThrownBy(() -> SafeExtractor.untarGz(tarGz("a", "a", "h", "=>a"),
        tmp.resolve("h"), LIMITS)).hasMessage("entry 'h' is a hard link, which is not allowed");
    assertThatThrownBy(() -> SafeExtractor.untarGz(tarGz("h", "=>../../etc/passwd"),
        tmp.resolve("i"), LIMITS)).hasMessage("entry 'h' is a hard link, which is not allowed");
    assertThatThrownBy(() -> SafeExtractor.untarGz(tarGz("pipe", "|"), tmp.resolve("a"),
        LIMITS)).hasMessage("entry 'pipe' is a device or special file");
    assertThatThrownBy(() -> SafeExtractor.untarGz(tarGz(tar -> {
      try {
        TarArchiveEntry dev = new TarArchiveEntry("null", TarArchiveEntry.LF_CHR);
        dev.setDevMajor(1);
        dev.setDevMinor(3);
        tar.putArchiveEntry(dev);
        tar.closeArchiveEntry();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }), tmp.resolve("b"), LIMITS)).hasMessage("entry 'null' is a device or special file");
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
    // the total counts, not each file; whole megabytes are said so
    String twoMb = "x".repeat(2 * 1024 * 1024);
    assertThatThrownBy(() -> SafeExtractor.unzip(zip("a.bin", twoMb, "b.bin", twoMb),
        tmp.resolve("c"), SafeExtractor.Limits.of(3 * 1024 * 1024)))
        .hasMessage("unpacked size exceeds 3 MB (at entry 'b.bin')");
  }

  @Test
  void garbageIsAClearErrorOfItsOwnKind() throws IOException {
    Path junk = tmp.resolve("junk.zip");
    Files.writeString(junk, "this is not a zip");
    assertThatThrownBy(() -> SafeExtractor.unzip(junk, tmp.resolve("a"), LIMITS))
        .isInstanceOf(UnreadableArchiveException.class)
        .hasMessageStartingWith("not a readable zip");
    assertThatThrownBy(() -> SafeExtractor.untarGz(junk, tmp.resolve("b"), LIMITS))
        .isInstanceOf(UnreadableArchiveException.class)
        .hasMessageStartingWith("not a readable tar.gz");
    // a hostile archive is refused, not unreadable: a cache must not throw its copy away
    assertThatThrownBy(() -> SafeExtractor.untarGz(tarGz("../x", "x"), tmp.resolve("c"),
        LIMITS)).isNotInstanceOf(UnreadableArchiveException.class);
  }
}
