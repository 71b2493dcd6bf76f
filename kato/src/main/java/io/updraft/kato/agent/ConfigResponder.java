package io.updraft.kato.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.updraft.common.bus.Bus;
import io.updraft.common.bus.Delivery;
import io.updraft.common.bus.Subscription;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.node.ClusterConfigReply;
import io.updraft.common.protocol.node.ClusterConfigRequest;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers {@code updraft.config.request} (queue {@code kato}) for the controller's admin
 * settings: {@code get} (the whole cluster config, or one component's; secrets shown as
 * {@code ***} as by {@code kato config get}), {@code set} and {@code delete} of a key, through
 * the same checks, persistence and {@code updraft.config.changed} notice as {@code kato config}
 * ({@link NodeAgent#configChange}). A set or delete is answered with the component's document
 * after the change; a refusal with {@code ok: false} and the reason kato would print. Only the
 * core's agent answers: it holds the cluster store.
 *
 * <p>Threading: the subscription's handler runs on the agent's event loop; the store is used on
 * a worker. A request that does not decode is dropped by the bus (logged and counted).
 */
final class ConfigResponder {

  private static final Logger log = LoggerFactory.getLogger(ConfigResponder.class);

  private final Vertx vertx;
  private final Bus bus;
  private final NodeAgent agent;
  private Subscription subscription;

  ConfigResponder(Vertx vertx, Bus bus, NodeAgent agent) {
    this.vertx = vertx;
    this.bus = bus;
    this.agent = agent;
  }

  void start() {
    subscription = bus.subscribe(Subjects.CONFIG_REQUEST, Subjects.QUEUE_KATO,
        ClusterConfigRequest.class, this::handle);
  }

  void stop() {
    if (subscription != null) {
      subscription.close();
    }
  }

  private void handle(Delivery<ClusterConfigRequest> delivery) {
    ClusterConfigRequest r = delivery.body();
    // the value is not logged: it may be a password
    log.atInfo().setMessage("agent.config.request").addKeyValue("op", r.op())
        .addKeyValue("component", r.component()).addKeyValue("key", r.key())
        .addKeyValue("by", r.by()).log();
    vertx.executeBlocking(() -> answer(r), false).onComplete(ar -> {
      ClusterConfigReply reply;
      if (ar.succeeded()) {
        reply = ClusterConfigReply.of(ar.result());
      } else if (ar.cause() instanceof AgentException refused) {
        reply = ClusterConfigReply.failed(refused.getMessage());
      } else {
        log.atWarn().setMessage("agent.config.request.failed").addKeyValue("op", r.op())
            .addKeyValue("error", String.valueOf(ar.cause())).log();
        reply = ClusterConfigReply.failed("the cluster config is not available: "
            + ar.cause().getMessage());
      }
      bus.reply(delivery, reply);
    });
  }

  private JsonNode answer(ClusterConfigRequest r) {
    return switch (r.op()) {
      case "get" -> r.component() == null ? agent.configGet("*", null)
          : agent.configGet(r.component(), null);
      case "set" -> {
        agent.configChange(r.component(), "set", r.key(), r.value());
        yield agent.configGet(r.component(), null);
      }
      case "delete" -> {
        agent.configChange(r.component(), "del", r.key(), null);
        yield agent.configGet(r.component(), null);
      }
      default -> throw new AgentException(400, "unknown op " + r.op());
    };
  }
}
