package io.updraft.stager.isolation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StackToolsTest {

  @TempDir
  Path stack;

  @BeforeEach
  void aMergedUsrStack() throws Exception {
    Files.createDirectories(stack.resolve("usr/bin"));
    Files.createSymbolicLink(stack.resolve("bin"), Path.of("usr/bin"));
    executable(stack.resolve("usr/bin/python3.11"));
    Files.createSymbolicLink(stack.resolve("usr/bin/python3"), Path.of("python3.11"));
    // Debian's alternatives: absolute links, which must resolve inside the stack
    executable(Files.createDirectories(stack.resolve("usr/lib/jvm/jre/bin")).resolve("java"));
    Files.createDirectories(stack.resolve("etc/alternatives"));
    Files.createSymbolicLink(stack.resolve("etc/alternatives/java"),
        Path.of("/usr/lib/jvm/jre/bin/java"));
    Files.createSymbolicLink(stack.resolve("usr/bin/java"), Path.of("/etc/alternatives/java"));
    Files.writeString(stack.resolve("usr/bin/notes"), "not executable");
    executable(stack.resolve("usr/bin/sh"));
    Files.createSymbolicLink(stack.resolve("usr/bin/loop"), Path.of("loop"));
    Files.createSymbolicLink(stack.resolve("usr/bin/escape"), Path.of("../../../../bin/sh"));
  }

  private static void executable(Path p) throws Exception {
    Files.writeString(p, "#!/bin/sh\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @Test
  void toolsAreFoundAsTheContainerSeesThem() {
    assertThat(StackTools.which(stack, "python3")).contains(Path.of("/usr/bin/python3"));
    assertThat(StackTools.which(stack, "java")).contains(Path.of("/usr/bin/java"));
  }

  @Test
  void absentNotExecutableLoopingAndPathNamesAreNotTools() {
    assertThat(StackTools.which(stack, "mvn")).isEmpty();
    assertThat(StackTools.which(stack, "notes")).isEmpty();
    assertThat(StackTools.which(stack, "loop")).isEmpty();
    assertThat(StackTools.which(stack, "../bin/python3")).isEmpty();
  }

  @Test
  void linksResolveInsideTheStackNeverAboveIt() {
    assertThat(StackTools.resolve(stack, "/usr/bin/java"))
        .contains(stack.resolve("usr/lib/jvm/jre/bin/java"));
    // ".." at the stack's root stays there, as at a container's root: /bin/sh of the stack
    assertThat(StackTools.resolve(stack, "/usr/bin/escape")).contains(stack.resolve("usr/bin/sh"));
    assertThat(StackTools.resolve(stack, "/usr/bin/absent")).isEqualTo(Optional.empty());
    assertThat(StackTools.resolve(stack, "/bin/python3"))
        .contains(stack.resolve("usr/bin/python3.11"));
  }

  @Test
  void aMissingToolNamesThePackageToAddToTheStack() {
    assertThat(StackTools.missing("mvn", "java-maven")).startsWith("mvn is not in the stack; "
        + "add maven to scripts/build-stack's package list").contains("openjdk-17-jdk-headless");
    assertThat(StackTools.missing("node", "node")).startsWith("node is not in the stack; add "
        + "nodejs to scripts/build-stack's package list");
  }
}
