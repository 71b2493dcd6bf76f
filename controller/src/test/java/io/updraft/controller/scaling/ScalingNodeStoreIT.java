package io.updraft.controller.scaling;

import static io.updraft.controller.scaling.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.updraft.controller.db.Database;
import io.updraft.controller.db.TestPostgres;
import io.updraft.controller.scaling.ScalingNodeStore.Node;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launched nodes table on a real PostgreSQL database, as the controllers share it. */
class ScalingNodeStoreIT {

  @TempDir
  Path dir;
  private Vertx vertx;
  private TestPostgres postgres;
  private Database db;
  private final AtomicReference<Instant> now =
      new AtomicReference<>(Instant.parse("2026-01-10T12:00:00Z"));
  private ScalingNodeStore store;

  @BeforeEach
  void open() throws Exception {
    vertx = Vertx.vertx();
    postgres = TestPostgres.create();
    db = await(Database.open(vertx, postgres.config(), dir));
    store = new ScalingNodeStore(db, new Clock() {
      @Override
      public ZoneOffset getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return now.get();
      }
    });
  }

  @AfterEach
  void close() throws Exception {
    if (db != null) {
      db.close();
    }
    await(vertx.close());
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void aLaunchIsRecordedThenItsDeaThenItsRemoval() throws Exception {
    long launched = now.get().getEpochSecond();
    await(store.launched("docker", List.of("dea-1a2b3c4d", "dea-5e6f7a8b")));

    assertThat(await(store.allLive())).extracting(Node::nodeId)
        .containsExactly("dea-1a2b3c4d", "dea-5e6f7a8b");
    assertThat(await(store.live("dea-1a2b3c4d", "any"))).contains(
        new Node("dea-1a2b3c4d", "docker", launched, null, null, null));
    // a DEA's advertisements after the first change nothing
    assertThat(await(store.deaAdvertised("dea-1a2b3c4d", "dea-uuid-1"))).isTrue();
    assertThat(await(store.deaAdvertised("dea-1a2b3c4d", "dea-uuid-1"))).isFalse();
    // the DEA's id finds the node when its advertisement has not been heard
    assertThat(await(store.live(null, "dea-uuid-1"))).map(Node::nodeId)
        .contains("dea-1a2b3c4d");

    now.set(now.get().plusSeconds(600));
    assertThat(await(store.removed("dea-1a2b3c4d"))).isTrue();
    assertThat(await(store.removed("dea-1a2b3c4d"))).isFalse();

    assertThat(await(store.live("dea-1a2b3c4d", "dea-uuid-1"))).isEmpty();
    assertThat(await(store.live(null, "dea-uuid-1"))).isEmpty();
    assertThat(await(store.get("dea-1a2b3c4d"))).map(Node::removedAt)
        .contains(launched + 600);
    assertThat(await(store.allLive())).extracting(Node::nodeId).containsExactly("dea-5e6f7a8b");
    // a removed node takes no DEA and no drain
    assertThat(await(store.deaAdvertised("dea-1a2b3c4d", "dea-uuid-2"))).isFalse();
    assertThat(await(store.claimDrain("dea-1a2b3c4d", Duration.ofMinutes(30)))).isFalse();
  }

  @Test
  void nodesNeverLaunchedAreUnknownAndALaunchSeenTwiceIsKeptOnce() throws Exception {
    await(store.launched("ec2", List.of("i-0aa")));
    now.set(now.get().plusSeconds(5));
    await(store.launched("ec2", List.of("i-0aa")));

    assertThat(await(store.get("i-0aa"))).map(Node::launchedAt)
        .contains(now.get().getEpochSecond() - 5);
    assertThat(await(store.live("i-0static", "static-dea"))).isEmpty();
    assertThat(await(store.live(null, "static-dea"))).isEmpty();
    assertThat(await(store.deaAdvertised("i-0static", "static-dea"))).isFalse();
    assertThat(await(store.get("i-0static"))).isEqualTo(Optional.empty());
  }

  @Test
  void oneDrainHoldsANodeUntilReleasedOrStale() throws Exception {
    await(store.launched("openstack", List.of("5b0c6f1e-0d4e-4c55-9a43-0b8f3a1c2d7e")));
    String node = "5b0c6f1e-0d4e-4c55-9a43-0b8f3a1c2d7e";
    Duration stale = Duration.ofMinutes(30);

    assertThat(await(store.claimDrain(node, stale))).isTrue();
    assertThat(await(store.claimDrain(node, stale))).isFalse();
    await(store.releaseDrain(node));
    assertThat(await(store.claimDrain(node, stale))).isTrue();

    // a controller that died mid-drain does not hold the node for ever
    now.set(now.get().plus(stale).plusSeconds(1));
    assertThat(await(store.claimDrain(node, stale))).isTrue();
    assertThat(await(store.get(node))).map(Node::drainStartedAt)
        .contains(now.get().getEpochSecond());
  }
}
