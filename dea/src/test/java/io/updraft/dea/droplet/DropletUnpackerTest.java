package io.updraft.dea.droplet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.updraft.common.archive.UnreadableArchiveException;
import io.updraft.common.archive.UnsafeArchiveException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DEA's use of common's extractor: the disk quota as the limit, and the two kinds of
 * failure {@code InstanceManager} tells apart. Hostile archives are covered in common.
 */
class DropletUnpackerTest {

  @TempDir
  Path tmp;

  private Path tar(byte[] bytes) throws Exception {
    return Files.write(Files.createTempFile(tmp, "droplet", ".tgz"), bytes);
  }

  @Test
  void unpacksADropletKeepingModesAndInnerSymlinks() throws Exception {
    Path target = tmp.resolve("instance");
    DropletUnpacker.unpack(tar(new TarBuilder()
        .file("startup", "#!/bin/sh\n", 0755)
        .dir("app")
        .file("app/index.html", "hi")
        .file("app/.credentials", "s3cret", 0600)
        .symlink("app/current", "index.html")
        .build()), target, 10);

    assertThat(Files.readString(target.resolve("app/current"))).isEqualTo("hi");
    assertThat(Files.isExecutable(target.resolve("startup"))).isTrue();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
        target.resolve("app/.credentials")))).isEqualTo("rw-------");
  }

  @Test
  void aDropletLargerThanTheDiskQuotaIsRefused() throws Exception {
    Path big = tar(new TarBuilder().file("big", "x".repeat(1024 * 1024 + 1)).build());
    assertThatThrownBy(() -> DropletUnpacker.unpack(big, tmp.resolve("i"), 1))
        .isInstanceOf(UnsafeArchiveException.class)
        .hasMessage("unpacked size exceeds 1 MB (at entry 'big')");
    DropletUnpacker.unpack(big, tmp.resolve("j"), 2);
  }

  /** Only an unreadable droplet makes the DEA evict its cached copy. */
  @Test
  void anUnreadableDropletIsToldApartFromAHostileOne() throws Exception {
    assertThatThrownBy(() -> DropletUnpacker.unpack(tar("not a tarball".getBytes()),
        tmp.resolve("i"), 10))
        .isInstanceOf(UnreadableArchiveException.class)
        .hasMessageStartingWith("not a readable tar.gz");
    assertThatThrownBy(() -> DropletUnpacker.unpack(tar(new TarBuilder()
        .file("startup", "x").file("../evil", "gotcha").build()), tmp.resolve("j"), 10))
        .isInstanceOf(UnsafeArchiveException.class)
        .isNotInstanceOf(UnreadableArchiveException.class)
        .hasMessage("entry '../evil' would land outside the target directory");
    assertThat(tmp.resolve("evil")).doesNotExist();
  }
}
