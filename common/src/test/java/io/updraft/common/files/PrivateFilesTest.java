package io.updraft.common.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivateFilesTest {

  @TempDir
  Path tmp;

  @Test
  void directoriesAndFilesAreCreatedPrivate() throws IOException {
    Path dir = PrivateFiles.createDirectories(tmp.resolve("a/b/c"));
    assertThat(mode(tmp.resolve("a"))).isEqualTo("rwx------");
    assertThat(mode(tmp.resolve("a/b"))).isEqualTo("rwx------");
    assertThat(mode(dir)).isEqualTo("rwx------");

    assertThat(mode(PrivateFiles.createFile(dir.resolve("f")))).isEqualTo("rw-------");
    Path written = PrivateFiles.writeString(dir.resolve("w"), "secret");
    assertThat(mode(written)).isEqualTo("rw-------");
    assertThat(Files.readString(written)).isEqualTo("secret");
    try (OutputStream out = PrivateFiles.newOutputStream(dir.resolve("log"),
        StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      out.write('x');
    }
    try (OutputStream out = PrivateFiles.newOutputStream(dir.resolve("log"),
        StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      out.write('y');
    }
    assertThat(Files.readString(dir.resolve("log"))).isEqualTo("xy");
    assertThat(mode(dir.resolve("log"))).isEqualTo("rw-------");
  }

  @Test
  void aRootIsPrivateButTheDirectoriesAboveItAreMadeAsUsual() throws IOException {
    Path usual = Files.createDirectory(tmp.resolve("usual"));
    Path root = PrivateFiles.createRoot(tmp.resolve("var/lib/controller"));
    assertThat(mode(root)).isEqualTo("rwx------");
    assertThat(mode(tmp.resolve("var/lib"))).isEqualTo(mode(usual));
    assertThat(PrivateFiles.createRoot(root)).isEqualTo(root);
  }

  @Test
  void tighteningMakesAnOldTreePrivateOnceAndLeavesLinksAndAppsAlone() throws IOException {
    Path root = tmp.resolve("root");
    Path data = write(root.resolve("db/data.db"), "rw-r--r--");
    Path tool = write(root.resolve("bin/tool"), "rwxr-xr-x");
    Path outside = write(tmp.resolve("outside.txt"), "rw-r--r--");
    Files.createSymbolicLink(root.resolve("link"), outside);
    Path appFile = write(root.resolve("shared/instances/i1/app.txt"), "rw-rw-rw-");
    for (String dir : List.of("", "db", "bin", "shared", "shared/instances",
        "shared/instances/i1")) {
      Files.setPosixFilePermissions(root.resolve(dir), PosixFilePermissions.fromString(
          "rwxr-xr-x"));
    }

    int changed = PrivateFiles.tighten(root, List.of(root, root.resolve("shared"),
        root.resolve("shared/instances")), List.of(root.resolve("shared/instances")));

    // root, db, bin, shared, instances; data.db, tool
    assertThat(changed).isEqualTo(7);
    assertThat(mode(root)).isEqualTo("rwx--x--x");
    assertThat(mode(root.resolve("db"))).isEqualTo("rwx------");
    assertThat(mode(data)).isEqualTo("rw-------");
    assertThat(mode(tool)).isEqualTo("rwx------");
    assertThat(mode(outside)).isEqualTo("rw-r--r--");
    assertThat(mode(root.resolve("shared"))).isEqualTo("rwx--x--x");
    assertThat(mode(root.resolve("shared/instances"))).isEqualTo("rwx--x--x");
    assertThat(mode(root.resolve("shared/instances/i1"))).isEqualTo("rwxr-xr-x");
    assertThat(mode(appFile)).isEqualTo("rw-rw-rw-");

    assertThat(PrivateFiles.tighten(root, List.of(root, root.resolve("shared"),
        root.resolve("shared/instances")), List.of(root.resolve("shared/instances"))))
        .isZero();
    assertThat(PrivateFiles.tighten(tmp.resolve("absent"))).isZero();
  }

  @Test
  void aRootThatIsALinkIsFollowed() throws IOException {
    Path real = write(tmp.resolve("real/f"), "rw-r--r--").getParent();
    Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path link = Files.createSymbolicLink(tmp.resolve("data"), real);
    assertThat(PrivateFiles.tighten(link)).isEqualTo(2);
    assertThat(mode(real)).isEqualTo("rwx------");
    assertThat(mode(real.resolve("f"))).isEqualTo("rw-------");
  }

  @Test
  void restrictingOneFileKeepsItsOwnersExecuteBit() throws IOException {
    Path script = write(tmp.resolve("run.sh"), "rwxr-xr-x");
    Path plain = write(tmp.resolve("plain"), "rw-r--r--");
    assertThat(PrivateFiles.restrict(script)).isTrue();
    assertThat(PrivateFiles.restrict(plain)).isTrue();
    assertThat(PrivateFiles.restrict(plain)).isFalse();
    assertThat(mode(script)).isEqualTo("rwx------");
    assertThat(mode(plain)).isEqualTo("rw-------");
    // a log file may be configured as a device: never chmod it
    assertThat(PrivateFiles.restrict(Path.of("/dev/null"))).isFalse();
    assertThat(mode(Path.of("/dev/null"))).isEqualTo("rw-rw-rw-");
  }

  private static Path write(Path file, String mode) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, "x");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    return file;
  }

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p,
        LinkOption.NOFOLLOW_LINKS));
  }
}
