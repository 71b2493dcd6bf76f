package io.updraft.kato.agent;

import io.updraft.common.bus.Bus;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.node.NodeStatus;
import io.updraft.kato.host.HostStats;
import io.updraft.kato.node.NodeConfig;
import io.updraft.kato.supervisor.ProcessStatus;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes {@code updraft.node.status} every interval: this node's id, name, address, roles,
 * supervised processes (as {@code kato status}) and host statistics ({@link HostStats}). The
 * first one goes out {@link #FIRST} after start, so its CPU figure covers a real interval.
 *
 * <p>Threading: timers on the agent's event loop; sampling (files) on a worker.
 */
final class NodeStatusPublisher {

  private static final Logger log = LoggerFactory.getLogger(NodeStatusPublisher.class);
  /** Soon enough for a console to show a new node, long enough for a CPU figure. */
  static final Duration FIRST = Duration.ofSeconds(1);

  private final Vertx vertx;
  private final Bus bus;
  private final Supplier<NodeConfig> node;
  private final Supplier<List<ProcessStatus>> processes;
  private final HostStats host;
  private final Duration interval;
  private final Clock clock;
  private long timer = -1;
  private boolean stopped;

  NodeStatusPublisher(Vertx vertx, Bus bus, Supplier<NodeConfig> node,
      Supplier<List<ProcessStatus>> processes, HostStats host, Duration interval, Clock clock) {
    this.vertx = vertx;
    this.bus = bus;
    this.node = node;
    this.processes = processes;
    this.host = host;
    this.interval = interval;
    this.clock = clock;
  }

  void start() {
    vertx.executeBlocking(() -> {
      host.prime();
      return null;
    }, false).onComplete(v -> schedule(FIRST));
  }

  void stop() {
    stopped = true;
    vertx.cancelTimer(timer);
  }

  private void schedule(Duration delay) {
    if (!stopped) {
      timer = vertx.setTimer(delay.toMillis(), id -> publish());
    }
  }

  private void publish() {
    vertx.executeBlocking(this::status, false).onComplete(ar -> {
      if (ar.succeeded()) {
        bus.publish(Subjects.NODE_STATUS, ar.result());
      } else {
        log.atWarn().setMessage("agent.status.failed").addKeyValue("error",
            String.valueOf(ar.cause())).log();
      }
      schedule(interval);
    });
  }

  /** One status message (blocking: reads /proc and the filesystem). */
  NodeStatus status() {
    NodeConfig n = node.get();
    List<NodeStatus.Process> procs = processes.get().stream()
        .map(p -> new NodeStatus.Process(p.name(), p.state().name(), p.pid(), p.uptimeSeconds(),
            p.restarts()))
        .toList();
    return new NodeStatus(n.nodeId(), n.hostname(), n.ip(), n.core(),
        (int) interval.toSeconds(), n.roles(), procs, host.sample(),
        clock.instant().getEpochSecond());
  }
}
