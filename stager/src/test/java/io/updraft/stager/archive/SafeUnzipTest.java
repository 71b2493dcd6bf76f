package io.updraft.stager.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.updraft.stager.task.StagingException;
import io.updraft.stager.testing.Zips;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeUnzipTest {

  private static final long MB = 1024 * 1024;

  @TempDir
  Path tmp;

  private Path out() {
    return tmp.resolve("out");
  }

  @Test
  void unpacksFilesDirsDotFilesModesAndInnerSymlinks() throws Exception {
    Path zip = Zips.builder()
        .file(".gitignore", "target/\n")
        .file(".env", "A=1\n")
        .dir("bin")
        .file("bin/run.sh", "#!/bin/sh\necho hi\n".getBytes(), 0755)
        .file("src/deep/file.txt", "x")
        .symlink("link-to-src", "src/deep")
        .write(tmp.resolve("app.zip"));

    new SafeUnzip(10 * MB).unzip(zip, out());

    assertThat(out().resolve(".gitignore")).hasContent("target/");
    assertThat(out().resolve(".env")).exists();
    assertThat(Files.isExecutable(out().resolve("bin/run.sh"))).isTrue();
    assertThat(Files.isExecutable(out().resolve("src/deep/file.txt"))).isFalse();
    assertThat(Files.isSymbolicLink(out().resolve("link-to-src"))).isTrue();
    assertThat(out().resolve("link-to-src/file.txt")).hasContent("x");
  }

  @Test
  void refusesDotDotEntries() {
    Path zip = Zips.builder().file("ok.txt", "ok").file("../evil", "x")
        .write(tmp.resolve("a.zip"));
    assertThatThrownBy(() -> new SafeUnzip(MB).unzip(zip, out()))
        .isInstanceOf(StagingException.class)
        .hasMessageContaining("../evil").hasMessageContaining("escapes");
    assertThat(tmp.resolve("evil")).doesNotExist();
  }

  @Test
  void refusesNestedDotDotAndBackslashes() {
    Path zip = Zips.builder().file("a/b/../../../evil", "x").write(tmp.resolve("a.zip"));
    assertThatThrownBy(() -> new SafeUnzip(MB).unzip(zip, out()))
        .hasMessageContaining("escapes");
    Path zip2 = Zips.builder().file("a\\..\\..\\evil", "x").write(tmp.resolve("b.zip"));
    assertThatThrownBy(() -> new SafeUnzip(MB).unzip(zip2, tmp.resolve("out2")))
        .hasMessageContaining("escapes");
  }

  @Test
  void refusesAbsolutePaths() {
    Path zip = Zips.builder().file("/tmp/evil-updraft", "x").write(tmp.resolve("a.zip"));
    assertThatThrownBy(() -> new SafeUnzip(MB).unzip(zip, out()))
        .hasMessageContaining("absolute path");
  }

  @Test
  void refusesMoreThanTheSizeLimitCountingRealBytes() {
    byte[] big = new byte[(int) (2 * MB)];
    Path zip = Zips.builder().file("a.bin", big, 0644).file("b.bin", big, 0644)
        .write(tmp.resolve("a.zip"));
    assertThatThrownBy(() -> new SafeUnzip(3 * MB).unzip(zip, out()))
        .hasMessageContaining("unpacks to more than 3 MB");
  }

  @Test
  void refusesSymlinksLeavingTheDirectory() {
    Path up = Zips.builder().symlink("etc", "../../../etc").write(tmp.resolve("a.zip"));
    assertThatThrownBy(() -> new SafeUnzip(MB).unzip(up, out()))
        .hasMessageContaining("escapes");
    Path abs = Zips.builder().symlink("etc", "/etc").write(tmp.resolve("b.zip"));
    assertThatThrownBy(() -> new SafeUnzip(MB).unzip(abs, tmp.resolve("out2")))
        .hasMessageContaining("absolute");
  }

  @Test
  void refusesLinkChainsThatOnlyEscapeWhenResolved() {
    // lexically d/.. is the app dir; really it is the app dir's parent
    Path zip = Zips.builder().symlink("d", ".").symlink("e", "d/..")
        .write(tmp.resolve("a.zip"));
    assertThatThrownBy(() -> new SafeUnzip(MB).unzip(zip, out()))
        .hasMessageContaining("resolves outside");
  }

  @Test
  void refusesWritingThroughASymlink() {
    Path zip = Zips.builder().dir("real").symlink("alias", "real").file("alias/x.txt", "x")
        .write(tmp.resolve("a.zip"));
    assertThatThrownBy(() -> new SafeUnzip(MB).unzip(zip, out()))
        .hasMessageContaining("passes through a symlink");
  }

  @Test
  void refusesOverwritingASymlinkWithAFile() {
    Path zip = Zips.builder().file("target.txt", "t").symlink("x", "target.txt")
        .file("x", "overwrite").write(tmp.resolve("a.zip"));
    assertThatThrownBy(() -> new SafeUnzip(MB).unzip(zip, out()))
        .hasMessageContaining("duplicate entry x");
    assertThat(out().resolve("target.txt")).hasContent("t");
  }

  @Test
  void refusesSomethingThatIsNotAZip() throws Exception {
    Path junk = Files.writeString(tmp.resolve("junk.zip"), "not a zip");
    assertThatThrownBy(() -> new SafeUnzip(MB).unzip(junk, out()))
        .hasMessageContaining("not a readable zip");
    assertThat(Files.exists(out(), LinkOption.NOFOLLOW_LINKS)).isTrue();
  }
}
