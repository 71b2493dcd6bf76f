package io.updraft.kato.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.updraft.common.bus.NatsBus;
import io.updraft.kato.host.HostStats;
import io.updraft.kato.logs.ComponentLogPublisher;
import io.updraft.kato.logs.ComponentLogStream;
import io.updraft.kato.node.NodeConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the agent does on the bus once it joined: publish this node's status
 * ({@link NodeStatusPublisher}) and its processes' log lines ({@link ComponentLogPublisher}),
 * and on the core answer config requests ({@link ConfigResponder}). Deployed on the agent's
 * Vert.x once the cluster document gave the NATS servers and credentials; the bus reconnects
 * for ever (on the core, NATS is one of the agent's own processes and may start later).
 * Settings come from the cluster document's {@code kato} section ({@link AgentSettings}).
 */
final class NodeServices extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(NodeServices.class);

  private final NodeAgent agent;
  private final NodeConfig node;
  private final Clock clock = Clock.systemUTC();
  private NatsBus bus;
  private NodeStatusPublisher status;
  private ConfigResponder config;
  private ComponentLogPublisher logs;
  private ComponentLogStream.Retention retention;
  private boolean windowReady;
  private boolean windowWarned;

  NodeServices(NodeAgent agent, NodeConfig node) {
    this.agent = agent;
    this.node = node;
  }

  @Override
  public Future<?> start() {
    Future<AgentSettings> settings = vertx.executeBlocking(() -> {
      JsonNode doc = agent.configGet("cluster", null);
      return AgentSettings.from(doc);
    }, false).recover(e -> Future.succeededFuture(AgentSettings.DEFAULTS));
    return settings.compose(s -> NatsBus.connect(vertx, node.nats(), "kato-agent-"
        + node.nodeId(), new SimpleMeterRegistry()).map(b -> {
          bus = b;
          status = new NodeStatusPublisher(vertx, bus, agent::node, agent::processStatuses,
              HostStats.system(agent.home()), s.statusInterval(), clock);
          status.start();
          logs = new ComponentLogPublisher(vertx, bus, agent.home().resolve("logs"),
              () -> agent.node().nodeId(), () -> agent.node().hostname(),
              () -> agent.processStatuses().stream().map(p -> p.name()).toList(),
              new ComponentLogPublisher.Limits(s.logPoll(), s.logLinesPerSecond(),
                  s.logMaxBacklogBytes()), clock);
          logs.start();
          if (node.core()) {
            config = new ConfigResponder(vertx, bus, agent);
            config.start();
            retention = s.logRetention();
            bus.onConnectionChange(up -> {
              if (up && !windowReady) {
                ensureWindow();
              }
            });
            if (bus.isConnected()) {
              ensureWindow(); // else at the first connect (NATS may start after the agent)
            }
          }
          return null;
        }));
  }

  /** The recent window of component logs, when the server has JetStream (else said once). */
  private void ensureWindow() {
    vertx.executeBlocking(() -> {
      ComponentLogStream.ensure(bus.connection(), retention);
      return null;
    }, false).onSuccess(v -> {
      windowReady = true;
      log.atInfo().setMessage("agent.logs.window.ready")
          .addKeyValue("stream", ComponentLogStream.STREAM)
          .addKeyValue("max_age_min", retention.maxAge().toMinutes())
          .addKeyValue("max_lines_per_process", retention.maxLinesPerProcess()).log();
    }).onFailure(e -> {
      if (!windowWarned) {
        windowWarned = true;
        log.atWarn().setMessage("agent.logs.window.unavailable")
            .addKeyValue("reason", e.getMessage())
            .addKeyValue("effect", "kato log tail shows each node's own history only").log();
      }
    });
  }

  @Override
  public Future<?> stop() {
    if (status != null) {
      status.stop();
    }
    if (logs != null) {
      logs.stop();
    }
    if (config != null) {
      config.stop();
    }
    return bus == null ? Future.succeededFuture() : bus.close();
  }
}
