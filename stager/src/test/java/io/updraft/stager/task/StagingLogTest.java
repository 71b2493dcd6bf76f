package io.updraft.stager.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StagingLogTest {

  @Test
  void keepsTheTextAndHandsOutOneLineAtATime() {
    List<String> sink = new ArrayList<>();
    StagingLog log = new StagingLog(sink::add);
    log.line("one");
    log.line("two\r\nthree\n");
    log.line("");
    assertThat(sink).containsExactly("one", "two", "three", "");
    assertThat(log.text()).isEqualTo("one\ntwo\nthree\n\n");
    assertThat(log.replyText()).isEqualTo(log.text());
  }

  @Test
  void boundsLinesAndTheReplyForTheBus() {
    List<String> sink = new ArrayList<>();
    StagingLog log = new StagingLog(sink::add);
    log.line("x".repeat(StagingLog.MAX_LINE_CHARS + 10));
    assertThat(sink.get(0)).hasSize(StagingLog.MAX_LINE_CHARS + " [line cut]".length())
        .endsWith(" [line cut]");
    for (int i = 0; i < 100; i++) {
      log.line("y".repeat(StagingLog.MAX_LINE_CHARS));
    }
    log.line("Staging failed: the error at the end");
    String reply = log.replyText();
    assertThat(reply.length()).isLessThanOrEqualTo(StagingLog.MAX_REPLY_CHARS + 100);
    assertThat(reply).startsWith("[… the first ").endsWith("the error at the end\n");
    assertThat(log.text()).hasSizeGreaterThan(100 * StagingLog.MAX_LINE_CHARS);
  }
}
