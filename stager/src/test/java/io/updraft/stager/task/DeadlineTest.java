package io.updraft.stager.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class DeadlineTest {

  /** A clock the test moves by hand. */
  static final class ManualClock extends Clock {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void countsDownAndThenFailsWithTheV1Message() throws Exception {
    ManualClock clock = new ManualClock();
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
    Deadline d = new Deadline(new ManualClock(), Duration.ofSeconds(120));
    d.cancel();
    assertThat(d.passed()).isTrue();
    assertThatThrownBy(d::check).isNotInstanceOf(StagingTimeoutException.class)
        .hasMessage(Deadline.CANCELLED);
  }
}
