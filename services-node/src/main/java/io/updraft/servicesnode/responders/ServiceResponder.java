package io.updraft.servicesnode.responders;

import com.fasterxml.jackson.databind.JsonNode;
import io.updraft.common.bus.Bus;
import io.updraft.common.bus.Delivery;
import io.updraft.common.bus.Subscription;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.services.BindRequest;
import io.updraft.common.protocol.services.NodeAnnouncement;
import io.updraft.common.protocol.services.NodeResponse;
import io.updraft.common.protocol.services.ProvisionRequest;
import io.updraft.common.protocol.services.ServiceErrors;
import io.updraft.common.protocol.services.ServiceType;
import io.updraft.common.protocol.services.UnbindRequest;
import io.updraft.common.protocol.services.UnprovisionRequest;
import io.updraft.servicesnode.ServicesNodeConfig.ServiceConfig;
import io.updraft.servicesnode.backend.Backend;
import io.updraft.servicesnode.backend.Secrets;
import io.updraft.servicesnode.store.InstanceRecord;
import io.updraft.servicesnode.store.NodeStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One service type on this node, on the bus (PROTOCOL.md 9.2): answers
 * {@code <svc>.provision|unprovision|bind|unbind.<node_id>} and {@code <svc>.discover}, and
 * announces its capacity on {@code <svc>.announce} at start and every interval while the
 * backing server answers (silence is how the controller learns the type is unavailable).
 *
 * <p>Operations run on a single worker thread of the type's own, one at a time in arrival
 * order, so the server and the store never see two changes of this type at once, and a slow
 * server holds up only its own type. Every change is recorded in the {@link NodeStore} before
 * it is acknowledged; if recording fails, the change on the server is undone.
 */
public final class ServiceResponder {

  private static final Logger log = LoggerFactory.getLogger(ServiceResponder.class);

  private final Vertx vertx;
  private final Bus bus;
  private final ServiceType type;
  private final ServiceConfig config;
  private final Backend backend;
  private final NodeStore store;
  private final Duration announceInterval;
  private final Clock clock;
  private final List<Subscription> subscriptions = new ArrayList<>();
  private WorkerExecutor worker;
  private long timer = -1;
  private volatile String version;
  /** Last health check result; null before the first one. */
  private Boolean healthy;
  private boolean restoreNeeded = true;
  /** The server process last seen (Redis {@code run_id}); null before or when not tracked. */
  private String serverRunId;

  public ServiceResponder(Vertx vertx, Bus bus, ServiceConfig config, Backend backend,
      NodeStore store, Duration announceInterval, Clock clock) {
    this.vertx = vertx;
    this.bus = bus;
    this.type = backend.type();
    this.config = config;
    this.backend = backend;
    this.store = store;
    this.announceInterval = announceInterval;
    this.clock = clock;
  }

  public ServiceType type() {
    return type;
  }

  public String nodeId() {
    return config.nodeId();
  }

  /** Subscribes, then checks the server, restores, and announces; runs on the event loop. */
  public Future<Void> start() {
    worker = vertx.createSharedWorkerExecutor("services-node-" + type.serviceName() + "-"
        + config.nodeId(), 1, Math.max(config.opTimeoutMs() * 4, 60_000), TimeUnit.MILLISECONDS);
    String svc = type.busName();
    String node = config.nodeId();
    subscriptions.add(bus.subscribe(Subjects.serviceProvision(svc, node), ProvisionRequest.class,
        this::onProvision));
    subscriptions.add(bus.subscribe(Subjects.serviceUnprovision(svc, node),
        UnprovisionRequest.class, this::onUnprovision));
    subscriptions.add(bus.subscribe(Subjects.serviceBind(svc, node), BindRequest.class,
        this::onBind));
    subscriptions.add(bus.subscribe(Subjects.serviceUnbind(svc, node), UnbindRequest.class,
        this::onUnbind));
    subscriptions.add(bus.subscribe(Subjects.serviceDiscover(svc), JsonNode.class,
        this::onDiscover));
    timer = vertx.setPeriodic(announceInterval.toMillis(), t -> round());
    log.atInfo().setMessage("services.node.started").addKeyValue("type", type.serviceName())
        .addKeyValue("node_id", node).addKeyValue("instances", store.size())
        .addKeyValue("max_instances", config.maxInstances()).log();
    round();
    return Future.succeededFuture();
  }

  public Future<Void> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    subscriptions.forEach(Subscription::close);
    subscriptions.clear();
    if (worker != null) {
      return worker.close();
    }
    return Future.succeededFuture();
  }

  /**
   * One announcement round: check the server (off the event loop), re-apply the records after
   * the server was away, then announce when it answers.
   */
  private void round() {
    vertx.executeBlocking(() -> {
      backend.check();
      if (version == null) {
        version = config.version() != null ? config.version() : backend.detectVersion();
      }
      return backend.serverRunId();
    }, false).onComplete(ar -> {
      boolean up = ar.succeeded();
      if (!up) {
        restoreNeeded = true;
      } else if (ar.result() != null && !ar.result().equals(serverRunId)) {
        // the server restarted since the last round (or this is the first): re-apply records
        restoreNeeded = restoreNeeded || serverRunId != null;
        serverRunId = ar.result();
      }
      if (healthy == null || healthy != up) {
        if (up) {
          log.atInfo().setMessage("services.backend.up").addKeyValue("type", type.serviceName())
              .addKeyValue("version", version).log();
        } else {
          log.atWarn().setMessage("services.backend.down").addKeyValue("type", type.serviceName())
              .addKeyValue("error", Secrets.scrub(String.valueOf(ar.cause().getMessage()))).log();
        }
      }
      healthy = up;
      if (!up) {
        return;
      }
      if (restoreNeeded) {
        restoreNeeded = false;
        work(this::restoreAll).onFailure(e -> restoreNeeded = true);
      }
      bus.publish(Subjects.serviceAnnounce(type.busName()), announcement());
    });
  }

  private Void restoreAll() throws Exception {
    for (InstanceRecord instance : store.all()) {
      try {
        backend.restore(instance);
      } catch (Exception e) {
        log.atWarn().setMessage("services.restore.failed").addKeyValue("type", type.serviceName())
            .addKeyValue("instance", instance.id())
            .addKeyValue("error", Secrets.scrub(e.getMessage())).log();
        throw e;
      }
    }
    return null;
  }

  /** The node's capacity as the controller sees it. */
  public NodeAnnouncement announcement() {
    return new NodeAnnouncement(config.nodeId(), config.plan(),
        List.of(version == null ? "unknown" : version),
        (long) Math.max(0, config.maxInstances() - store.size()), 1L);
  }

  private void onDiscover(Delivery<JsonNode> d) {
    String plan = d.body() == null ? null : d.body().path("plan").asText(null);
    if (!Boolean.TRUE.equals(healthy) || (plan != null && !plan.equals(config.plan()))) {
      return;
    }
    if (d.replyTo() != null) {
      bus.reply(d, announcement());
    } else {
      bus.publish(Subjects.serviceAnnounce(type.busName()), announcement());
    }
  }

  private void onProvision(Delivery<ProvisionRequest> d) {
    ProvisionRequest req = d.body();
    if (!config.plan().equals(req.plan())) {
      bus.reply(d, NodeResponse.failure(404, ServiceErrors.UNKNOWN_PLAN, "Unknown plan '"
          + req.plan() + "' for " + type.serviceName() + "; this node serves '" + config.plan()
          + "'"));
      return;
    }
    if (!req.credentials().isEmpty()) {
      bus.reply(d, NodeResponse.failure(400, ServiceErrors.INVALID_CONTENT,
          "Re-creating an instance from given credentials is not supported"));
      return;
    }
    run(d, "provision", () -> {
      if (store.size() >= config.maxInstances()) {
        return NodeResponse.failure(503, ServiceErrors.CAPACITY_EXHAUSTED, config.nodeId()
            + " has no capacity left for " + type.serviceName() + " (" + store.size() + " of "
            + config.maxInstances() + " instances)");
      }
      String id = Secrets.id('d');
      Map<String, Object> credentials = new LinkedHashMap<>(backend.provision(id));
      credentials.put("node_id", config.nodeId());
      InstanceRecord record = new InstanceRecord(id, req.plan(), version,
          clock.instant().getEpochSecond(), credentials, Map.of());
      try {
        store.put(record);
      } catch (RuntimeException e) {
        backend.unprovision(record);
        throw e;
      }
      log.atInfo().setMessage("services.instance.provisioned")
          .addKeyValue("type", type.serviceName()).addKeyValue("instance", id)
          .addKeyValue("plan", req.plan()).log();
      return NodeResponse.ok(credentials);
    });
  }

  private void onUnprovision(Delivery<UnprovisionRequest> d) {
    String id = d.body().name();
    run(d, "unprovision", () -> {
      var found = store.get(id);
      if (found.isEmpty()) {
        return NodeResponse.ok(Map.of()); // "not found" is success (PROTOCOL.md 9.2)
      }
      backend.unprovision(found.get());
      store.remove(id);
      log.atInfo().setMessage("services.instance.unprovisioned")
          .addKeyValue("type", type.serviceName()).addKeyValue("instance", id)
          .addKeyValue("bindings", found.get().bindings().size()).log();
      return NodeResponse.ok(Map.of());
    });
  }

  private void onBind(Delivery<BindRequest> d) {
    String id = d.body().name();
    run(d, "bind", () -> {
      var found = store.get(id);
      if (found.isEmpty()) {
        return NodeResponse.failure(404, ServiceErrors.NOT_FOUND, type.serviceName()
            + " instance " + id + " not found on " + config.nodeId());
      }
      InstanceRecord instance = found.get();
      Map<String, Object> credentials = new LinkedHashMap<>(backend.bind(instance));
      credentials.put("node_id", config.nodeId());
      String key = Backend.bindingKey(credentials);
      try {
        store.put(instance.withBinding(key, credentials));
      } catch (RuntimeException e) {
        backend.unbind(instance, credentials);
        throw e;
      }
      log.atInfo().setMessage("services.binding.created").addKeyValue("type", type.serviceName())
          .addKeyValue("instance", id).addKeyValue("binding", key).log();
      return NodeResponse.ok(credentials);
    });
  }

  private void onUnbind(Delivery<UnbindRequest> d) {
    Map<String, Object> given = d.body().credentials();
    Object name = given.get("name");
    String key = Backend.bindingKey(given);
    run(d, "unbind", () -> {
      var found = store.get(name == null ? null : name.toString());
      if (found.isEmpty() || key == null || !found.get().bindings().containsKey(key)) {
        return NodeResponse.ok(Map.of()); // already gone: nothing left to revoke
      }
      InstanceRecord instance = found.get();
      // act on the recorded binding, never on what the request claims
      backend.unbind(instance, instance.bindings().get(key));
      store.put(instance.withoutBinding(key));
      log.atInfo().setMessage("services.binding.deleted").addKeyValue("type", type.serviceName())
          .addKeyValue("instance", instance.id()).addKeyValue("binding", key).log();
      return NodeResponse.ok(Map.of());
    });
  }

  /** Runs an operation on the type's worker and replies with its outcome. */
  private void run(Delivery<?> d, String op, Callable<NodeResponse> work) {
    work(work).onComplete(ar -> {
      if (ar.succeeded()) {
        bus.reply(d, ar.result());
        if (Boolean.TRUE.equals(ar.result().success())
            && (op.equals("provision") || op.equals("unprovision"))) {
          // capacity changed: tell the gateway now rather than at the next round
          bus.publish(Subjects.serviceAnnounce(type.busName()), announcement());
        }
        return;
      }
      String error = Secrets.scrub(String.valueOf(ar.cause().getMessage()));
      log.atWarn().setMessage("services.op.failed").addKeyValue("type", type.serviceName())
          .addKeyValue("op", op).addKeyValue("error", error).log();
      bus.reply(d, NodeResponse.failure(500, ServiceErrors.INTERNAL_ERROR, type.serviceName()
          + " " + op + " failed on " + config.nodeId() + ": " + error));
    });
  }

  private <T> Future<T> work(Callable<T> task) {
    return worker.executeBlocking(task, true);
  }
}
