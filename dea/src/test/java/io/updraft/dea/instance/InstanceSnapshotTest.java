package io.updraft.dea.instance;

import static org.assertj.core.api.Assertions.assertThat;

import io.updraft.common.fixtures.AppFixture;
import io.updraft.common.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstanceSnapshotTest {

  @TempDir
  Path dir;

  @Test
  void roundTripsEveryInstanceFieldPrivately() throws Exception {
    MutableClock clock = TestInstances.clock();
    InstanceRegistry registry = new InstanceRegistry(clock);
    Instance i = TestInstances.of(AppFixture.create(), 1, clock);
    registry.add(i);
    i.port(61001);
    i.process(4242, Instant.ofEpochSecond(AppFixture.T0 + 1));
    i.uris(List.of("a.vcap.me"));
    registry.transition(i, InstanceState.RUNNING);
    InstanceSnapshot snapshot = new InstanceSnapshot(dir.resolve("db/instances.json"));

    snapshot.save(InstanceSnapshot.entries(registry.all()));
    List<InstanceSnapshot.Entry> loaded = snapshot.load();

    assertThat(loaded).hasSize(1);
    Instance back = loaded.get(0).toInstance();
    assertThat(back.id()).isEqualTo(i.id());
    assertThat(back.privateId()).isEqualTo(i.privateId());
    assertThat(back.state()).isEqualTo(InstanceState.RUNNING);
    assertThat(back.port()).isEqualTo(61001);
    assertThat(back.pid()).isEqualTo(4242L);
    assertThat(back.pidStartedAt()).isEqualTo(i.pidStartedAt());
    assertThat(back.uris()).containsExactly("a.vcap.me");
    assertThat(back.request()).isEqualTo(i.request());
    assertThat(back.dir()).isEqualTo(i.dir());
    assertThat(Files.getPosixFilePermissions(snapshot.file()))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  void noSnapshotMeansNoInstances() throws Exception {
    assertThat(new InstanceSnapshot(dir.resolve("none.json")).load()).isEmpty();
  }
}
