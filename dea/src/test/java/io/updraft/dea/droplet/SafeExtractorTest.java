package io.updraft.dea.droplet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeExtractorTest {

  @TempDir
  Path tmp;

  private final SafeExtractor extractor = new SafeExtractor(10L * 1024 * 1024);

  private Path tar(byte[] bytes) throws Exception {
    Path file = Files.createTempFile(tmp, "droplet", ".tgz");
    Files.write(file, bytes);
    return file;
  }

  @Test
  void unpacksADropletWithModesAndInnerSymlinks() throws Exception {
    Path target = tmp.resolve("instance");
    extractor.extract(tar(new TarBuilder()
        .file("startup", "#!/bin/sh\n", 0755)
        .dir("app")
        .file("app/index.html", "hi")
        .symlink("app/current", "index.html")
        .symlink("logs-link", "app")
        .build()), target);

    assertThat(Files.readString(target.resolve("app/index.html"))).isEqualTo("hi");
    assertThat(Files.getPosixFilePermissions(target.resolve("startup")))
        .contains(PosixFilePermission.OWNER_EXECUTE);
    assertThat(Files.readSymbolicLink(target.resolve("app/current")).toString())
        .isEqualTo("index.html");
  }

  @Test
  void refusesDotDotEntries() throws Exception {
    assertThatThrownBy(() -> extractor.extract(tar(new TarBuilder()
        .file("startup", "x").file("../evil", "gotcha").build()), tmp.resolve("i")))
        .isInstanceOf(ExtractionException.class)
        .hasMessage("entry ../evil escapes the target directory (..)");
    assertThat(tmp.resolve("evil")).doesNotExist();
  }

  @Test
  void refusesAbsolutePaths() throws Exception {
    assertThatThrownBy(() -> extractor.extract(tar(new TarBuilder()
        .file("/tmp/evil-absolute", "gotcha").build()), tmp.resolve("i")))
        .isInstanceOf(ExtractionException.class)
        .hasMessageContaining("has an absolute path");
  }

  @Test
  void refusesSymlinksThatEscape() throws Exception {
    assertThatThrownBy(() -> extractor.extract(tar(new TarBuilder()
        .symlink("app/passwd", "../../etc/passwd").build()), tmp.resolve("i")))
        .isInstanceOf(ExtractionException.class)
        .hasMessage("symlink app/passwd -> ../../etc/passwd escapes the target directory");
    assertThatThrownBy(() -> extractor.extract(tar(new TarBuilder()
        .symlink("root", "/").build()), tmp.resolve("j")))
        .isInstanceOf(ExtractionException.class)
        .hasMessageContaining("points to an absolute path");
  }

  @Test
  void refusesWritingThroughASymlink() throws Exception {
    // p -> . is harmless alone, but p/q/s -> ../.. would resolve outside through it
    assertThatThrownBy(() -> extractor.extract(tar(new TarBuilder()
        .symlink("p", ".").dir("q").symlink("p/q/s", "../..").build()), tmp.resolve("i")))
        .isInstanceOf(ExtractionException.class)
        .hasMessageContaining("passes through a symlink");
  }

  @Test
  void refusesDropletsLargerThanTheLimit() throws Exception {
    SafeExtractor tiny = new SafeExtractor(1024 * 1024);
    assertThatThrownBy(() -> tiny.extract(tar(new TarBuilder()
        .file("big", "x".repeat(1024 * 1024 + 1)).build()), tmp.resolve("i")))
        .isInstanceOf(ExtractionException.class)
        .hasMessage("droplet unpacks to more than 1 MB");
  }

  @Test
  void refusesSomethingThatIsNotATarball() throws Exception {
    assertThatThrownBy(() -> extractor.extract(tar("not a tarball".getBytes()),
        tmp.resolve("i")))
        .isInstanceOf(ExtractionException.class)
        .hasMessageContaining("not a readable tar.gz");
  }
}
