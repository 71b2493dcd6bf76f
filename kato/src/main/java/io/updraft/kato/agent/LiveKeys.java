package io.updraft.kato.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.updraft.common.component.LiveConfig;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.component.ConfigChanged;
import io.updraft.kato.node.NodeConfig;
import java.time.Duration;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The config keys components apply live, without a restart: {@code log_level} of every
 * component (see {@link LiveConfig}). A change to one is announced on
 * {@value Subjects#CONFIG_CHANGED}; every other key takes effect at the component's next start.
 */
final class LiveKeys {

  static final Set<String> LIVE = Set.of(LiveConfig.LOG_LEVEL);

  private static final Logger log = LoggerFactory.getLogger(LiveKeys.class);

  private LiveKeys() {
  }

  static boolean isLive(String component, String path) {
    return path != null && LIVE.contains(path) && !"cluster".equals(component);
  }

  /** Announces the change on the bus (a short-lived connection: config changes are rare). */
  static void notifyChange(NodeConfig node, String component, String path, JsonNode value) {
    if (node.nats() == null || node.nats().servers().isEmpty()) {
      return;
    }
    Options.Builder options = new Options.Builder().servers(node.nats().servers()
        .toArray(String[]::new)).connectionName("kato-agent-config")
        .connectionTimeout(Duration.ofSeconds(3)).maxReconnects(0)
        .errorListener(new io.nats.client.ErrorListener() { });
    if (node.nats().user() != null) {
      options.userInfo(node.nats().user().toCharArray(), node.nats().password().toCharArray());
    }
    try (Connection c = Nats.connect(options.build())) {
      c.publish(Subjects.CONFIG_CHANGED, new ConfigChanged(component, path, value,
          node.nodeId()).toJson());
      c.flush(Duration.ofSeconds(3));
    } catch (Exception e) {
      log.atWarn().setMessage("agent.config.notify.failed").addKeyValue("error", e.toString())
          .log();
    }
  }
}
