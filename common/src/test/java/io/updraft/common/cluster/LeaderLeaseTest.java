package io.updraft.common.cluster;

import static io.updraft.common.testing.Futures.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hazelcast.core.HazelcastInstance;
import io.updraft.common.config.ConfigException;
import io.updraft.common.testing.NatsServer;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two embedded members elect one leader through the lease; when the leader's process dies
 * (terminated, not shut down politely) the other takes over, and at no sampled moment do both
 * lead.
 */
class LeaderLeaseTest {

  private static final Duration LEASE = Duration.ofSeconds(3);

  private final List<HazelcastInstance> members = new ArrayList<>();
  private final List<Vertx> vertxes = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    members.forEach(m -> {
      if (m.getLifecycleService().isRunning()) {
        m.getLifecycleService().terminate();
      }
    });
    for (Vertx v : vertxes) {
      result(v.close());
    }
  }

  private LeaderLease candidate(String name, int port, List<String> all) {
    ClusterConfig config = new ClusterConfig(ClusterConfig.Mode.MEMBER, "lease-test-" + all,
        all, "127.0.0.1", port, null);
    HazelcastInstance hz = ClusterConnection.open(config, name);
    members.add(hz);
    Vertx vertx = Vertx.vertx();
    vertxes.add(vertx);
    return new LeaderLease(vertx, hz, "health_manager", name, LEASE);
  }

  @Test
  void oneLeadsAndTheOtherTakesOverWhenItDies() throws Exception {
    int p1 = NatsServer.freePort();
    int p2 = NatsServer.freePort();
    List<String> all = List.of("127.0.0.1:" + p1, "127.0.0.1:" + p2);
    LeaderLease a = candidate("hm-a", p1, all);
    LeaderLease b = candidate("hm-b", p2, all);
    List<String> changes = new CopyOnWriteArrayList<>();
    a.onChange(lead -> changes.add("a:" + lead));
    b.onChange(lead -> changes.add("b:" + lead));
    result(a.start());
    result(b.start());
    await().atMost(Duration.ofSeconds(20)).until(() -> a.isLeader() ^ b.isLeader());

    // sample leadership all along: never two leaders
    AtomicInteger both = new AtomicInteger();
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
    sampler.scheduleAtFixedRate(() -> {
      if (a.isLeader() && b.isLeader()) {
        both.incrementAndGet();
      }
    }, 0, 20, TimeUnit.MILLISECONDS);
    try {
      LeaderLease leader = a.isLeader() ? a : b;
      LeaderLease standby = leader == a ? b : a;
      members.get(leader == a ? 0 : 1).getLifecycleService().terminate();
      long died = System.nanoTime();
      await().atMost(Duration.ofSeconds(25)).until(standby::isLeader);
      long tookMs = (System.nanoTime() - died) / 1_000_000;
      await().atMost(LEASE).until(() -> !leader.isLeader());
      assertThat(tookMs).as("takeover time").isLessThan(20_000);
    } finally {
      sampler.shutdownNow();
    }
    assertThat(both.get()).as("moments with two leaders").isZero();
    assertThat(changes).contains("a:true").anyMatch(c -> c.startsWith("b:"));
  }

  @Test
  void stoppingReleasesTheLeaseSoTheStandbyNeedNotWaitForExpiry() throws Exception {
    int p1 = NatsServer.freePort();
    int p2 = NatsServer.freePort();
    List<String> all = List.of("127.0.0.1:" + p1, "127.0.0.1:" + p2);
    LeaderLease a = candidate("hm-c", p1, all);
    result(a.start());
    await().atMost(Duration.ofSeconds(10)).until(a::isLeader);
    LeaderLease b = candidate("hm-d", p2, all);
    result(b.start());
    result(a.stop());
    assertThat(a.isLeader()).isFalse();
    await().atMost(LEASE.dividedBy(2).plusSeconds(2)).until(b::isLeader);
  }

  @Test
  void aClientNeedsMembersToConnectTo() {
    assertThatThrownBy(() -> new ClusterConfig(ClusterConfig.Mode.CLIENT, null, List.of(),
        null, null, null).validate()).isInstanceOf(ConfigException.class)
        .hasMessageContaining("cluster.members");
  }
}
