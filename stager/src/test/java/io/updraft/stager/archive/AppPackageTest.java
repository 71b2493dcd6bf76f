package io.updraft.stager.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.updraft.stager.task.StagingException;
import io.updraft.stager.testing.Zips;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stager's use of common's extractor: the errors a developer reads. Hostile packages are
 * covered in common.
 */
class AppPackageTest {

  private static final long MB = 1024 * 1024;

  @TempDir
  Path tmp;

  @Test
  void unpacksAPackageWithItsDotFilesAndExecutables() throws Exception {
    Path zip = Zips.builder().file(".env", "A=1\n")
        .file("bin/run.sh", "#!/bin/sh\necho hi\n".getBytes(), 0755)
        .write(tmp.resolve("app.zip"));
    AppPackage.unpack(zip, tmp.resolve("app"), MB);
    assertThat(tmp.resolve("app/.env")).hasContent("A=1");
    assertThat(Files.isExecutable(tmp.resolve("app/bin/run.sh"))).isTrue();
  }

  @Test
  void aRefusedPackageIsAnInvalidPackageNamingTheEntry() {
    Path zip = Zips.builder().file("ok.txt", "ok").file("../evil", "x")
        .write(tmp.resolve("a.zip"));
    assertThatThrownBy(() -> AppPackage.unpack(zip, tmp.resolve("app"), MB))
        .isInstanceOf(StagingException.class)
        .hasMessage("Invalid app package: entry '../evil' would land outside the target "
            + "directory");
    assertThat(tmp.resolve("evil")).doesNotExist();
    Path big = Zips.builder().file("a.bin", new byte[(int) (2 * MB)], 0644)
        .write(tmp.resolve("b.zip"));
    assertThatThrownBy(() -> AppPackage.unpack(big, tmp.resolve("app2"), MB))
        .hasMessage("Invalid app package: unpacked size exceeds 1 MB (at entry 'a.bin')");
  }

  @Test
  void somethingThatIsNotAZipFailsTheUnpacking() throws Exception {
    Path junk = Files.writeString(tmp.resolve("junk.zip"), "not a zip");
    assertThatThrownBy(() -> AppPackage.unpack(junk, tmp.resolve("app"), MB))
        .hasMessageStartingWith("Failed unpacking app: not a readable zip");
  }
}
