package io.updraft.dea.instance;

import static io.updraft.common.testing.Futures.result;
import static org.assertj.core.api.Assertions.assertThat;

import io.updraft.common.fixtures.AppFixture;
import io.updraft.common.protocol.dea.DeaStartRequest;
import io.updraft.common.protocol.dea.Limits;
import io.updraft.common.protocol.droplet.ExitReason;
import io.updraft.common.testing.MutableClock;
import io.updraft.dea.DeaConfig;
import io.updraft.dea.droplet.DropletCache;
import io.updraft.dea.process.ReadinessProbe;
import io.updraft.dea.resources.PlacementPolicy;
import io.updraft.dea.resources.ResourceManager;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The manager's decisions that need no process: refusals, limits, reaping, deleting. */
class InstanceManagerTest {

  @TempDir
  Path base;
  private final Vertx vertx = Vertx.vertx();
  private final MutableClock clock = TestInstances.clock();
  private final InstanceRegistry registry = new InstanceRegistry(clock);
  private final ResourceManager resources = new ResourceManager(registry, 256, 4);
  private final AppFixture app = AppFixture.create();
  private InstanceManager manager;

  @BeforeEach
  void setUp() {
    DeaConfig config = new DeaConfig(null, null, null, null, base.toString(), null, null, null,
        null, null, null, null, null, null, 3_600_000L, 100, null, null, null, null, null, null);
    manager = new InstanceManager(vertx, vertx.getOrCreateContext(), config, "127.0.0.1",
        registry, resources, new PlacementPolicy(List.of("java17"), false),
        new DropletCache(vertx, base.resolve("staged")), new ReadinessProbe(vertx));
  }

  @AfterEach
  void tearDown() throws Exception {
    result(vertx.close());
  }

  @Test
  void limitsDefaultToV1AndTheConfiguredDiskQuota() {
    assertThat(manager.effectiveLimits(null)).isEqualTo(new Limits(512, 100, 1024));
    assertThat(manager.effectiveLimits(new Limits(64, null, 10)))
        .isEqualTo(new Limits(64, 100, 10));
  }

  @Test
  void refusesWhatItCannotRun() {
    DeaStartRequest ok = app.startRequest(0);
    assertThat(manager.refusal(ok)).isNull();
    DeaStartRequest ruby = new DeaStartRequest(ok.droplet(), 0, ok.name(), ok.uris(), "ruby19",
        null, null, null, ok.sha1(), null, ok.executableUri(), ok.version(), null,
        new Limits(128, null, null), null, null, null, null, null, null);
    assertThat(manager.refusal(ruby)).contains("runtime ruby19");
    DeaStartRequest huge = new DeaStartRequest(ok.droplet(), 0, ok.name(), ok.uris(), "java17",
        null, null, null, ok.sha1(), null, ok.executableUri(), ok.version(), null,
        new Limits(1024, null, null), null, null, null, null, null, null);
    assertThat(manager.refusal(huge)).startsWith("no room (256 MB, 4 slots free)");
    resources.shuttingDown(true);
    assertThat(manager.refusal(ok)).isEqualTo("shutting down");
    assertThat(manager.start(ok)).isEmpty();
    assertThat(registry.size()).isZero();
  }

  @Test
  void reapsCrashRecordsAfterTheRetentionWithTheirFiles() throws Exception {
    Instance old = crashedWithDir(0);
    clock.advance(Duration.ofMinutes(30));
    Instance recent = crashedWithDir(1);
    clock.advance(Duration.ofMinutes(31));

    manager.reap();

    assertThat(old.state()).isEqualTo(InstanceState.DELETED);
    assertThat(registry.all()).containsExactly(recent);
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
        .until(() -> !Files.exists(old.dir()));
    assertThat(recent.dir()).exists();
  }

  @Test
  void stoppingACrashRecordDeletesIt() throws Exception {
    Instance crashed = crashedWithDir(0);
    result(manager.stop(crashed, ExitReason.STOPPED));
    assertThat(crashed.state()).isEqualTo(InstanceState.DELETED);
    assertThat(registry.size()).isZero();
    assertThat(crashed.dir()).doesNotExist();
  }

  private Instance crashedWithDir(int index) throws Exception {
    Path dir = Files.createDirectories(manager.appsDir().resolve("app-" + index));
    Instance i = new Instance("id" + index, "p", app.startRequest(index),
        new Limits(128, 100, 256), dir, clock.instant());
    registry.add(i);
    registry.transition(i, InstanceState.CRASHED);
    return i;
  }
}
