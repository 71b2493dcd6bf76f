package io.updraft.controller.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.updraft.common.bus.fakes.FakeBus;
import io.updraft.common.protocol.Empty;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.dea.DeaAdvertise;
import io.updraft.common.protocol.dea.DeaStatusReply;
import io.updraft.common.testing.MutableClock;
import io.updraft.controller.placement.DeaPool;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The DEA survey from dea.status answers, and the bounded ring of samples over it. */
class ClusterHistoryTest {

  private final FakeBus bus = new FakeBus();
  private final MutableClock clock = MutableClock.at("2026-11-25T00:00:00Z");
  private final DeaPool pool = new DeaPool(clock, DeaPool.DEFAULT_EXPIRY);

  private void dea(String id, long max, long reserved, int instances) {
    bus.subscribe(Subjects.DEA_STATUS, Empty.class, d -> bus.reply(d, new DeaStatusReply(id,
        "127.0.0.1", 4000 + instances, 0.99, max, reserved, reserved / 2.0, instances, null)));
  }

  @Test
  void surveysDeasAndKeepsABoundedHistory() {
    dea("dea-b", 2048, 512, 2);
    dea("dea-a", 1024, 1024, 4);
    pool.advertised(new DeaAdvertise("dea-a", 0L, List.of("node"), false));
    DeaSurvey survey = new DeaSurvey(bus, pool);

    List<DeaSurvey.Dea> deas = survey.deas().result();
    assertThat(deas).extracting(DeaSurvey.Dea::id).containsExactlyInAnyOrder("dea-a", "dea-b");
    DeaSurvey.Dea b = deas.stream().filter(d -> d.id().equals("dea-b")).findFirst().orElseThrow();
    assertThat(b.memoryFreeMb()).isEqualTo(1536);
    assertThat(b.lastAdvertised()).as("dea-b never advertised").isNull();
    assertThat(deas.stream().filter(d -> d.id().equals("dea-a")).findFirst().orElseThrow()
        .lastAdvertised()).isEqualTo(clock.instant());

    ClusterHistory history = new ClusterHistory(survey, clock, Duration.ofSeconds(10), 3);
    for (int i = 0; i < 5; i++) {
      history.sample();
      clock.advance(Duration.ofSeconds(10));
    }
    assertThat(history.samples()).hasSize(3);
    ClusterHistory.Sample last = history.samples().get(2);
    assertThat(last.deas()).isEqualTo(2);
    assertThat(last.memoryTotalMb()).isEqualTo(3072);
    assertThat(last.memoryFreeMb()).isEqualTo(1536);
    assertThat(last.instances()).isEqualTo(6);
    assertThat(history.samples().get(0).at()).as("the oldest two were dropped")
        .isEqualTo(clock.instant().minusSeconds(30).toEpochMilli());
  }
}
