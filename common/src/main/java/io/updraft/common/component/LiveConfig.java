package io.updraft.common.component;

import ch.qos.logback.classic.Level;
import io.updraft.common.bus.Bus;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.component.ConfigChanged;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the cluster-config keys every component takes live, announced by the node agent on
 * {@value Subjects#CONFIG_CHANGED} when {@code kato config} changes them. So far one key:
 * {@code log_level} (the level of Updraft's own loggers, as {@code UPDRAFT_LOG_LEVEL} sets it at
 * start). Every other key is read from the config file at the next start.
 */
public final class LiveConfig {

  /** The keys applied live; kato's list of live keys must match it. */
  public static final String LOG_LEVEL = "log_level";

  private static final Logger log = LoggerFactory.getLogger(LiveConfig.class);

  private LiveConfig() {
  }

  /** Subscribes for the component of kind {@code type}; call on the component's context. */
  public static void start(Bus bus, String type) {
    bus.subscribe(Subjects.CONFIG_CHANGED, ConfigChanged.class, delivery -> {
      ConfigChanged change = delivery.body();
      if (change.concerns(type) && LOG_LEVEL.equals(change.key())) {
        String level = change.value() == null || change.value().isNull() ? "INFO"
            : change.value().asText();
        if (LoggerFactory.getLogger("io.updraft") instanceof ch.qos.logback.classic.Logger l) {
          l.setLevel(Level.toLevel(level, Level.INFO));
          log.atInfo().setMessage("config.applied").addKeyValue("key", LOG_LEVEL)
              .addKeyValue("value", l.getLevel()).log();
        }
      }
    });
  }
}
