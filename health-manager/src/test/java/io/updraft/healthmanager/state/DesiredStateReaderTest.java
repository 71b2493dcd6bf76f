package io.updraft.healthmanager.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.updraft.common.bus.fakes.FakeBus;
import io.updraft.common.fixtures.AppFixture;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.health.BulkAppsReply;
import io.updraft.common.protocol.health.BulkAppsRequest;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DesiredStateReaderTest {

  private final FakeBus bus = new FakeBus();

  @Test
  void pagesUntilAnEmptyPage() {
    AppFixture a = AppFixture.of("1");
    AppFixture b = AppFixture.of("2");
    bus.subscribe(Subjects.BULK_APPS, BulkAppsRequest.class, d -> {
      long after = d.body().bulkToken() == null ? 0 : d.body().bulkToken().id();
      BulkAppsReply reply = after == 0
          ? new BulkAppsReply(Map.of("1", a.bulkApp()), new BulkAppsRequest.BulkToken(1L))
          : after == 1
              ? new BulkAppsReply(Map.of("2", b.bulkApp()), new BulkAppsRequest.BulkToken(2L))
              : new BulkAppsReply(Map.of(), null);
      bus.reply(d, reply);
    });
    var scan = new DesiredStateReader(bus, "", 1).scan();
    assertThat(scan.succeeded()).isTrue();
    assertThat(scan.result()).containsOnlyKeys("1", "2");
  }

  @Test
  void aCursorThatDoesNotMoveFailsTheScanInsteadOfPagingForEver() {
    AppFixture a = AppFixture.of("1");
    bus.subscribe(Subjects.BULK_APPS, BulkAppsRequest.class, d -> bus.reply(d,
        new BulkAppsReply(Map.of("1", a.bulkApp()), new BulkAppsRequest.BulkToken(1L))));
    var scan = new DesiredStateReader(bus, "", 1).scan();
    assertThat(scan.failed()).isTrue();
    assertThat(scan.cause()).hasMessageContaining("did not advance");
  }
}
