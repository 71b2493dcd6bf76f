package io.updraft.healthmanager;

import com.hazelcast.core.HazelcastInstance;
import io.micrometer.core.instrument.MeterRegistry;
import io.updraft.common.bus.Bus;
import io.updraft.common.cluster.ClusterConfig;
import io.updraft.common.cluster.ClusterConnection;
import io.updraft.common.cluster.LeaderLease;
import io.updraft.common.cluster.Leadership;
import io.updraft.common.component.Component;
import io.updraft.common.component.ComponentVerticle;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;

/**
 * The health manager's main verticle: joins the cluster when one is configured (for the leader
 * lease), then runs the {@link HealthManager}.
 */
final class HealthManagerVerticle extends ComponentVerticle {

  static final String LEADER_ROLE = "health_manager";

  private final HealthManagerConfig config;
  private final MeterRegistry metrics;
  private HazelcastInstance hazelcast;
  private Leadership leadership;
  private HealthManager manager;

  HealthManagerVerticle(Bus bus, Component component, HealthManagerConfig config,
      MeterRegistry metrics) {
    super(bus, component);
    this.config = config;
    this.metrics = metrics;
  }

  @Override
  protected Future<?> startResponders() {
    Future<Leadership> lead;
    if (config.cluster().mode() == ClusterConfig.Mode.NONE) {
      lead = Future.succeededFuture(Leadership.sole());
    } else {
      String candidate = component.identity().uuid();
      lead = vertx.executeBlocking(() -> ClusterConnection.open(config.cluster(),
          "hm-" + candidate)).map(hz -> {
            hazelcast = hz;
            return new LeaderLease(vertx, hz, LEADER_ROLE, candidate,
                Duration.ofSeconds(config.leaderLeaseSeconds()));
          });
    }
    return lead.map(l -> {
      leadership = l;
      manager = new HealthManager(vertx, bus, config, l, Clock.systemUTC());
      component.varzFigures(manager::figures);
      HealthMetrics.register(metrics, manager);
      manager.start();
      return l;
    }).compose(Leadership::start);
  }

  /** Whether this health manager is the active one. */
  boolean active() {
    return leadership != null && leadership.isLeader();
  }

  @Override
  protected Future<?> stopResponders() {
    if (manager != null) {
      manager.stop();
    }
    Future<Void> released = leadership == null ? Future.succeededFuture() : leadership.stop();
    return released.eventually(() -> hazelcast == null ? Future.succeededFuture()
        : vertx.executeBlocking(() -> {
          hazelcast.shutdown();
          return null;
        }));
  }
}
