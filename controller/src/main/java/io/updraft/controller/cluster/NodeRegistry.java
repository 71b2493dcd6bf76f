package io.updraft.controller.cluster;

import io.updraft.common.bus.Bus;
import io.updraft.common.bus.Subscription;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.node.NodeStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster's nodes as their kato agents describe them on {@code updraft.node.status}: the
 * latest status per node and when it arrived. A node is <em>reporting</em> while its last status
 * is younger than {@link #SILENT_INTERVALS} of its own publishing interval, so a stopped agent or
 * a lost host shows without any message. Event-loop confined (bus handlers run on the context
 * that started it, the API reads there too).
 */
public final class NodeRegistry {

  /** Missed publications after which a node counts as not reporting. */
  public static final int SILENT_INTERVALS = 3;
  /** Used when a status names no interval (the agent's default). */
  private static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

  /** A node as last heard. */
  public record Node(NodeStatus status, Instant heardAt, boolean reporting) {
  }

  private final Bus bus;
  private final Clock clock;
  private final Map<String, Node> nodes = new LinkedHashMap<>();
  private Subscription subscription;

  public NodeRegistry(Bus bus, Clock clock) {
    this.bus = bus;
    this.clock = clock;
  }

  public void start() {
    subscription = bus.subscribe(Subjects.NODE_STATUS, NodeStatus.class, d -> heard(d.body()));
  }

  public void stop() {
    if (subscription != null) {
      subscription.close();
      subscription = null;
    }
  }

  /** Records a status (also how tests feed the registry). */
  public void heard(NodeStatus status) {
    nodes.put(status.node(), new Node(status, clock.instant(), true));
  }

  /** Every node ever heard since start, core first, then by name. */
  public List<Node> nodes() {
    Instant now = clock.instant();
    List<Node> out = new ArrayList<>();
    for (Node n : nodes.values()) {
      Duration interval = n.status().intervalSeconds() > 0
          ? Duration.ofSeconds(n.status().intervalSeconds()) : DEFAULT_INTERVAL;
      boolean reporting = n.heardAt().plus(interval.multipliedBy(SILENT_INTERVALS)).isAfter(now);
      out.add(new Node(n.status(), n.heardAt(), reporting));
    }
    out.sort(Comparator.comparing((Node n) -> !n.status().core())
        .thenComparing(n -> n.status().name() == null ? n.status().node() : n.status().name()));
    return out;
  }
}
