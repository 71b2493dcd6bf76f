package io.updraft.kato.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void doublesFromOneSecondUpToThirty() {
    Backoff b = Backoff.standard();
    assertThat(b.delay(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(b.delay(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(b.delay(5)).isEqualTo(Duration.ofSeconds(16));
    assertThat(b.delay(6)).isEqualTo(Duration.ofSeconds(30));
    assertThat(b.delay(60)).isEqualTo(Duration.ofSeconds(30));
  }
}
