package io.updraft.controller.services;

import io.updraft.common.bus.Bus;
import io.updraft.common.bus.Subscription;
import io.updraft.common.protocol.Empty;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.services.NodeAnnouncement;
import io.updraft.common.protocol.services.ServiceType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service nodes the controller has heard from, per type, from their {@code <svc>.announce}
 * messages (PROTOCOL.md 9.2, 9.3). A type is <em>available</em> while at least one of its nodes
 * announced within the freshness window; nodes stop announcing when they stop or their server
 * is down, so silence makes the type unavailable without any message. At start it asks every
 * type's nodes to announce at once ({@code <svc>.discover}).
 *
 * <p>Event-loop confined: announcements arrive on the context that started it, the API reads
 * on the same one.
 */
public final class ServiceRegistry {

  private static final Logger log = LoggerFactory.getLogger(ServiceRegistry.class);

  /** A node as last heard. */
  public record Node(ServiceType type, NodeAnnouncement announcement, Instant heardAt,
      long capacity) {
  }

  private final Bus bus;
  private final Clock clock;
  private final Duration freshness;
  private final Map<ServiceType, Map<String, Node>> nodes = new EnumMap<>(ServiceType.class);
  private final List<Subscription> subscriptions = new ArrayList<>();
  /** Nodes reported unavailable, so each silence is logged once. */
  private final java.util.Set<String> reportedStale = new java.util.HashSet<>();
  private io.vertx.core.Vertx vertx;
  private long sweeper = -1;

  public ServiceRegistry(Bus bus, Clock clock, Duration freshness) {
    this.bus = bus;
    this.clock = clock;
    this.freshness = freshness;
    for (ServiceType type : ServiceType.values()) {
      nodes.put(type, new LinkedHashMap<>());
    }
  }

  public void start() {
    for (ServiceType type : ServiceType.values()) {
      subscriptions.add(bus.subscribe(Subjects.serviceAnnounce(type.busName()),
          NodeAnnouncement.class, d -> announced(type, d.body())));
      bus.publish(Subjects.serviceDiscover(type.busName()), Empty.INSTANCE);
    }
  }

  /** As {@link #start()}, and logs nodes that fall silent ({@link #sweep()} every second). */
  public void start(io.vertx.core.Vertx timers) {
    start();
    vertx = timers;
    sweeper = timers.setPeriodic(1000, t -> sweep());
  }

  public void stop() {
    if (sweeper >= 0) {
      vertx.cancelTimer(sweeper);
      sweeper = -1;
    }
    subscriptions.forEach(Subscription::close);
    subscriptions.clear();
  }

  /**
   * Logs {@code services.node.unavailable} once for each node whose last announcement has just
   * left the freshness window; returns those nodes.
   */
  public List<Node> sweep() {
    List<Node> stale = new ArrayList<>();
    for (Map<String, Node> byId : nodes.values()) {
      for (Node n : byId.values()) {
        String key = n.type().serviceName() + "/" + n.announcement().id();
        if (!isFresh(n) && reportedStale.add(key)) {
          stale.add(n);
          log.atWarn().setMessage("services.node.unavailable")
              .addKeyValue("type", n.type().serviceName())
              .addKeyValue("node_id", n.announcement().id())
              .addKeyValue("silent_for_ms", Duration.between(n.heardAt(), clock.instant())
                  .toMillis()).log();
        }
      }
    }
    return stale;
  }

  public Duration freshness() {
    return freshness;
  }

  /** Records an announcement (also how tests feed the registry). */
  public void announced(ServiceType type, NodeAnnouncement a) {
    Node before = nodes.get(type).put(a.id(), new Node(type, a, clock.instant(),
        a.availableCapacity() == null ? 0 : a.availableCapacity()));
    reportedStale.remove(type.serviceName() + "/" + a.id());
    if (before == null || !isFresh(before)) {
      log.atInfo().setMessage("services.node.available").addKeyValue("type", type.serviceName())
          .addKeyValue("node_id", a.id()).addKeyValue("plan", a.plan())
          .addKeyValue("available_capacity", a.availableCapacity()).log();
    }
  }

  private boolean isFresh(Node node) {
    return node.heardAt().isAfter(clock.instant().minus(freshness));
  }

  /** The type's nodes heard from within the freshness window. */
  public List<Node> fresh(ServiceType type) {
    return nodes.get(type).values().stream().filter(this::isFresh).toList();
  }

  public boolean available(ServiceType type) {
    return !fresh(type).isEmpty();
  }

  /** Whether any node of the type was ever heard from (since this controller started). */
  public boolean known(ServiceType type) {
    return !nodes.get(type).isEmpty();
  }

  /** Plans the fresh nodes serve. */
  public List<String> plans(ServiceType type) {
    TreeSet<String> plans = new TreeSet<>();
    fresh(type).forEach(n -> {
      if (n.announcement().plan() != null) {
        plans.add(n.announcement().plan());
      }
    });
    return List.copyOf(plans);
  }

  /** The version the type's most recently heard node supports, if any node was heard. */
  public Optional<String> version(ServiceType type) {
    return nodes.get(type).values().stream().max(Comparator.comparing(Node::heardAt))
        .flatMap(n -> n.announcement().supportedVersions().stream().findFirst());
  }

  /**
   * The fresh node of the plan with the most room (PROTOCOL.md 9.3), if one has room left;
   * empty when every fresh node of the plan is full.
   */
  public Optional<Node> pick(ServiceType type, String plan) {
    return fresh(type).stream()
        .filter(n -> plan.equals(n.announcement().plan()))
        .filter(n -> n.capacity() > 0)
        .max(Comparator.comparingLong(Node::capacity));
  }

  /** Counts a provision against the node's cached capacity until it announces again. */
  public void consumed(ServiceType type, String nodeId) {
    nodes.get(type).computeIfPresent(nodeId, (k, n) -> new Node(n.type(), n.announcement(),
        n.heardAt(), n.capacity() - 1));
  }
}
