package io.updraft.dea.lifecycle;

import io.updraft.common.protocol.droplet.ExitReason;
import io.updraft.dea.DeaConfig.ShutdownAction;
import io.updraft.dea.instance.Instance;
import io.updraft.dea.instance.InstanceManager;
import io.updraft.dea.instance.InstanceRegistry;
import io.updraft.dea.resources.ResourceManager;
import io.updraft.dea.responders.DropletExitedResponder;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the DEA out of service (PROTOCOL.md 3.11, 10.3). It stops advertising and refuses
 * starts at once; then, with {@code evacuate}: every live instance is announced with
 * {@code DEA_EVACUATION} (the health manager starts replacements elsewhere while these still
 * serve), after {@code evacuation_delay_ms} they are stopped with {@code DEA_SHUTDOWN} (not
 * announced twice). With {@code leave_running} the instances keep running for the next DEA
 * on this base directory to re-adopt. Idempotent: a second call gets the first's future.
 */
public final class Shutdown {

  private static final Logger log = LoggerFactory.getLogger(Shutdown.class);

  private final Vertx vertx;
  private final InstanceRegistry registry;
  private final InstanceManager manager;
  private final ResourceManager resources;
  private final DropletExitedResponder exits;
  private final ShutdownAction action;
  private final long evacuationDelayMs;
  private Future<Void> done;

  public Shutdown(Vertx vertx, InstanceRegistry registry, InstanceManager manager,
      ResourceManager resources, DropletExitedResponder exits, ShutdownAction action,
      long evacuationDelayMs) {
    this.vertx = vertx;
    this.registry = registry;
    this.manager = manager;
    this.resources = resources;
    this.exits = exits;
    this.action = action;
    this.evacuationDelayMs = evacuationDelayMs;
  }

  public boolean started() {
    return done != null;
  }

  /** Runs on the DEA's event loop. */
  public Future<Void> run() {
    return run(action);
  }

  /** Runs on the DEA's event loop with this action instead of the configured one. */
  public Future<Void> run(ShutdownAction action) {
    if (done != null) {
      return done;
    }
    resources.shuttingDown(true);
    List<Instance> live = registry.all().stream().filter(i -> i.state().isLive()).toList();
    log.atInfo().setMessage("dea.shutdown.started").addKeyValue("action", action)
        .addKeyValue("instances", live.size()).log();
    if (action == ShutdownAction.LEAVE_RUNNING || live.isEmpty()) {
      done = Future.succeededFuture();
      return done;
    }
    live.forEach(i -> exits.announce(i, ExitReason.DEA_EVACUATION));
    Promise<Void> delay = Promise.promise();
    vertx.setTimer(Math.max(1, evacuationDelayMs), t -> delay.complete());
    done = delay.future()
        .compose(v -> manager.stopAll(registry.all().stream().filter(i -> i.state().isLive())
            .toList(), ExitReason.DEA_SHUTDOWN))
        .onComplete(ar -> log.atInfo().setMessage("dea.shutdown.finished").log());
    return done;
  }
}
