package io.updraft.common.files;

import static org.assertj.core.api.Assertions.assertThat;

import io.updraft.common.protocol.logs.AppLogLine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTailTest {

  private static final int BACKLOG = 1 << 20;

  @TempDir
  Path dir;

  private void append(Path file, String text) throws Exception {
    Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  @Test
  void returnsCompleteLinesInOrderAndKeepsThePartialOne() throws Exception {
    Path file = dir.resolve("stdout.log");
    FileTail tail = new FileTail(file, false);
    assertThat(tail.read(BACKLOG, false).lines()).isEmpty(); // not there yet

    append(file, "one\ntwo\r\nthr");
    assertThat(tail.read(BACKLOG, false).lines()).containsExactly("one", "two");
    append(file, "ee\nfour");
    assertThat(tail.read(BACKLOG, false).lines()).containsExactly("three");
    assertThat(tail.read(BACKLOG, true).lines()).containsExactly("four");
  }

  @Test
  void startsAtTheEndForAnAdoptedInstance() throws Exception {
    Path file = dir.resolve("stdout.log");
    append(file, "old\n");
    FileTail tail = new FileTail(file, true);
    assertThat(tail.read(BACKLOG, false).lines()).isEmpty();
    append(file, "new\n");
    assertThat(tail.read(BACKLOG, false).lines()).containsExactly("new");
  }

  @Test
  void aTruncatedFileIsReadFromItsStart() throws Exception {
    Path file = dir.resolve("stdout.log");
    FileTail tail = new FileTail(file, false);
    append(file, "a long first line\nsecond\n");
    assertThat(tail.read(BACKLOG, false).lines()).hasSize(2);

    Files.writeString(file, "after\n", StandardOpenOption.TRUNCATE_EXISTING);
    assertThat(tail.read(BACKLOG, false).lines()).containsExactly("after");
  }

  @Test
  void aRotatedFileIsReadFromItsStart() throws Exception {
    Path file = dir.resolve("stdout.log");
    FileTail tail = new FileTail(file, false);
    append(file, "before rotation\n");
    assertThat(tail.read(BACKLOG, false).lines()).containsExactly("before rotation");

    Files.move(file, dir.resolve("stdout.log.1"));
    append(file, "a much longer line than before\n");
    assertThat(tail.read(BACKLOG, false).lines())
        .containsExactly("a much longer line than before");
  }

  @Test
  void longLinesAreCutAndTheirRestSkipped() throws Exception {
    Path file = dir.resolve("stdout.log");
    FileTail tail = new FileTail(file, false);
    append(file, "x".repeat(FileTail.MAX_LINE_BYTES + 100) + "\nnext\n");
    var lines = tail.read(BACKLOG, false).lines();
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).hasSize(AppLogLine.MAX_LINE_CHARS).endsWith("…");
    assertThat(lines.get(1)).isEqualTo("next");
  }

  @Test
  void aBacklogBeyondTheLimitIsSkippedAndCounted() throws Exception {
    Path file = dir.resolve("stdout.log");
    FileTail tail = new FileTail(file, false);
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 1000; i++) {
      text.append(String.format("line %04d%n", i)); // 10 bytes each
    }
    append(file, text.toString());
    FileTail.Chunk chunk = tail.read(100, false);
    assertThat(chunk.skippedBytes()).isEqualTo(10_000 - 100);
    assertThat(chunk.lines()).last().isEqualTo("line 0999");
    assertThat(chunk.lines()).allMatch(l -> l.matches("line \\d{4}"));
  }
}
