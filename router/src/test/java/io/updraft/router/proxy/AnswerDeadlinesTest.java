package io.updraft.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnswerDeadlinesTest {

  private static final long MS = 1_000_000L;

  @Test
  void timesOutOnlyWhatIsPastItsDeadlineOldestFirst() {
    AnswerDeadlines deadlines = new AnswerDeadlines(100);
    List<String> timedOut = new ArrayList<>();
    deadlines.add(0, () -> timedOut.add("a"));
    deadlines.add(30 * MS, () -> timedOut.add("b"));
    deadlines.add(60 * MS, () -> timedOut.add("c"));

    assertThat(deadlines.expire(99 * MS)).isZero();
    assertThat(deadlines.expire(130 * MS)).isEqualTo(2);
    assertThat(timedOut).containsExactly("a", "b");
    assertThat(deadlines.size()).isEqualTo(1);
    assertThat(deadlines.expire(160 * MS)).isEqualTo(1);
    assertThat(timedOut).containsExactly("a", "b", "c");
    assertThat(deadlines.size()).isZero();
  }

  @Test
  void removedEntriesNeverTimeOutWhereverTheyAreInTheList() {
    AnswerDeadlines deadlines = new AnswerDeadlines(100);
    List<String> timedOut = new ArrayList<>();
    AnswerDeadlines.Waiting a = deadlines.add(0, () -> timedOut.add("a"));
    AnswerDeadlines.Waiting b = deadlines.add(MS, () -> timedOut.add("b"));
    AnswerDeadlines.Waiting c = deadlines.add(2 * MS, () -> timedOut.add("c"));
    deadlines.add(3 * MS, () -> timedOut.add("d"));

    deadlines.remove(b); // middle
    deadlines.remove(a); // head
    deadlines.remove(b); // twice: no effect
    assertThat(deadlines.size()).isEqualTo(2);
    assertThat(deadlines.expire(1_000 * MS)).isEqualTo(2);
    assertThat(timedOut).containsExactly("c", "d");

    deadlines.remove(c); // already expired: no effect
    AnswerDeadlines.Waiting e = deadlines.add(2_000 * MS, () -> timedOut.add("e"));
    deadlines.remove(e); // the only one
    assertThat(deadlines.size()).isZero();
    assertThat(deadlines.expire(5_000 * MS)).isZero();
  }

  @Test
  void aTimeoutMayEndOtherExchangesWhileExpiring() {
    AnswerDeadlines deadlines = new AnswerDeadlines(100);
    List<String> timedOut = new ArrayList<>();
    AnswerDeadlines.Waiting[] second = new AnswerDeadlines.Waiting[1];
    deadlines.add(0, () -> {
      timedOut.add("a");
      deadlines.remove(second[0]);
    });
    second[0] = deadlines.add(0, () -> timedOut.add("b"));
    assertThat(deadlines.expire(200 * MS)).isEqualTo(1);
    assertThat(timedOut).containsExactly("a");
  }

  @Test
  void checksOftenEnoughForShortTimeoutsAndRarelyForLongOnes() {
    assertThat(AnswerDeadlines.checkIntervalMs(50)).isEqualTo(10);
    assertThat(AnswerDeadlines.checkIntervalMs(1_000)).isEqualTo(100);
    assertThat(AnswerDeadlines.checkIntervalMs(60_000)).isEqualTo(250);
  }
}
