package io.updraft.client.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppArchiveTest {

  @TempDir
  Path dir;

  @Test
  void scansFilesWithSha1SkipsVcsAndKeepsExecutableBits() throws Exception {
    Files.writeString(dir.resolve("app.py"), "print('hi')");
    Files.writeString(dir.resolve("run.sh"), "#!/bin/sh\n");
    dir.resolve("run.sh").toFile().setExecutable(true);
    Files.createDirectories(dir.resolve(".git"));
    Files.writeString(dir.resolve(".git/HEAD"), "ref");
    Files.writeString(dir.resolve(".env"), "A=1");

    AppArchive archive = AppArchive.scan(dir);
    assertThat(archive.entries()).extracting(AppArchive.Entry::fn)
        .containsExactly(".env", "app.py", "run.sh");
    // sha1 of "print('hi')", as sha1sum prints it
    assertThat(archive.entries().get(1).sha1())
        .isEqualTo("f34d33bcb5c13eae1c15faddc6054e479f74aa28");
    assertThat(archive.entries().get(1).size()).isEqualTo(11);

    ByteArrayOutputStream zip = new ByteArrayOutputStream();
    archive.zip(archive.entries(), zip);
    // the mode lives in the central directory, so read the zip as a file
    Path file = dir.resolve("out.zip");
    Files.write(file, zip.toByteArray());
    try (ZipFile read = ZipFile.builder().setPath(file).get()) {
      assertThat(read.getEntry("run.sh").getUnixMode() & 0100).isNotZero();
      assertThat(read.getEntry("app.py").getUnixMode() & 0100).isZero();
    }
  }
}
