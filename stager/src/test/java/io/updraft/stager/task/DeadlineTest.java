package io.updraft.stager.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.updraft.common.testing.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DeadlineTest {

  @Test
  void countsDownAndThenFailsWithTheV1Message() throws Exception {
    MutableClock clock = MutableClock.at("2026-01-01T00:00:00Z");
    Deadline d = new Deadline(clock, Duration.ofSeconds(120));
    d.check();
    clock.advance(Duration.ofSeconds(100));
    assertThat(d.remaining()).isEqualTo(Duration.ofSeconds(20));
    assertThat(d.passed()).isFalse();
    clock.advance(Duration.ofSeconds(30));
    assertThat(d.remaining()).isZero();
    assertThatThrownBy(d::check).isInstanceOf(StagingTimeoutException.class)
        .hasMessage("Staging timed out after 120 seconds");
  }

  @Test
  void cancellingEndsItAtOnceWithItsOwnMessage() {
    Deadline d = new Deadline(MutableClock.at("2026-01-01T00:00:00Z"), Duration.ofSeconds(120));
    d.cancel();
    assertThat(d.passed()).isTrue();
    assertThatThrownBy(d::check).isNotInstanceOf(StagingTimeoutException.class)
        .hasMessage(Deadline.CANCELLED);
  }
}
