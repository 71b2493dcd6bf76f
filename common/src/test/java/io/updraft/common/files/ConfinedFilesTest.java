package io.updraft.common.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening under a directory someone hostile owns: no link is ever followed, on the way or at the end. */
class ConfinedFilesTest {

  @TempDir
  Path tmp;
  private Path root;

  @BeforeEach
  void layout() throws Exception {
    root = Files.createDirectories(tmp.resolve("instance"));
    Files.createDirectories(root.resolve("logs"));
    Files.writeString(root.resolve("logs/stdout.log"), "line\n");
    Files.writeString(tmp.resolve("secret"), "host secret\n");
  }

  @Test
  void opensFilesAndDirectories() throws Exception {
    try (ConfinedFiles.Opened f = ConfinedFiles.open(root, List.of("logs", "stdout.log"))) {
      assertThat(f.isDirectory()).isFalse();
      ByteBuffer buf = ByteBuffer.allocate(16);
      int n = f.file().read(buf);
      assertThat(new String(buf.array(), 0, n, StandardCharsets.UTF_8)).isEqualTo("line\n");
    }
    try (ConfinedFiles.Opened d = ConfinedFiles.open(root, List.of("logs"))) {
      assertThat(d.isDirectory()).isTrue();
      assertThat(d.entries()).extracting(ConfinedFiles.Entry::name).containsExactly("stdout.log");
    }
  }

  @Test
  void aLinkInPlaceOfTheFileOrADirectoryOnTheWayIsRefused() throws Exception {
    Files.createSymbolicLink(root.resolve("logs/stderr.log"), tmp.resolve("secret"));
    assertThatThrownBy(() -> ConfinedFiles.open(root, List.of("logs", "stderr.log")))
        .isInstanceOf(ConfinedFiles.Refused.class);
    Files.createSymbolicLink(root.resolve("up"), tmp);
    assertThatThrownBy(() -> ConfinedFiles.open(root, List.of("up", "secret")))
        .isInstanceOf(ConfinedFiles.Refused.class);
    // even a link that stays inside
    Files.createSymbolicLink(root.resolve("inside"), root.resolve("logs"));
    assertThatThrownBy(() -> ConfinedFiles.open(root, List.of("inside", "stdout.log")))
        .isInstanceOf(ConfinedFiles.Refused.class);
  }

  @Test
  void namesThatAreNotPlainAreRefusedAndMissingOnesAreMissing() {
    assertThatThrownBy(() -> ConfinedFiles.open(root, List.of("..", "secret")))
        .isInstanceOf(ConfinedFiles.Refused.class);
    assertThatThrownBy(() -> ConfinedFiles.open(root, List.of("logs/../../secret")))
        .isInstanceOf(ConfinedFiles.Refused.class);
    assertThatThrownBy(() -> ConfinedFiles.open(root, List.of("nope")))
        .isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void aConfinedTailReadsNothingThroughALink() throws Exception {
    FileTail tail = new FileTail(root, List.of("logs", "stdout.log"), false);
    assertThat(tail.read(1 << 20, false).lines()).containsExactly("line");
    // the app swaps its log for a link to a host file: nothing of that file is read
    Files.delete(root.resolve("logs/stdout.log"));
    Files.createSymbolicLink(root.resolve("logs/stdout.log"), tmp.resolve("secret"));
    assertThat(tail.read(1 << 20, true).lines()).isEmpty();
    // or its logs directory for a link to a host directory
    Files.move(root.resolve("logs"), root.resolve("old-logs"));
    Files.createDirectories(tmp.resolve("hostdir"));
    Files.writeString(tmp.resolve("hostdir/stdout.log"), "host line\n");
    Files.createSymbolicLink(root.resolve("logs"), tmp.resolve("hostdir"));
    assertThat(tail.read(1 << 20, true).lines()).isEmpty();
  }
}
