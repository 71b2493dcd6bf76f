package io.updraft.common.component;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.updraft.common.bus.fakes.FakeBus;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.component.ConfigChanged;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LiveConfigTest {

  private final ch.qos.logback.classic.Logger updraft =
      (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.updraft");
  private final ch.qos.logback.classic.Level before = updraft.getLevel();

  @AfterEach
  void restore() {
    updraft.setLevel(before);
  }

  @Test
  void logLevelChangesAtOnceForTheNamedComponentOnly() {
    FakeBus bus = new FakeBus();
    LiveConfig.start(bus, "HealthManager");
    bus.publish(Subjects.CONFIG_CHANGED, new ConfigChanged("dea", "log_level",
        JsonNodeFactory.instance.textNode("TRACE"), "n1"));
    assertThat(updraft.getLevel()).isNotEqualTo(ch.qos.logback.classic.Level.TRACE);
    bus.publish(Subjects.CONFIG_CHANGED, new ConfigChanged("health_manager", "log_level",
        JsonNodeFactory.instance.textNode("DEBUG"), "n1"));
    assertThat(updraft.getLevel()).isEqualTo(ch.qos.logback.classic.Level.DEBUG);
    bus.publish(Subjects.CONFIG_CHANGED, new ConfigChanged("health_manager", "other_key",
        JsonNodeFactory.instance.textNode("ERROR"), "n1"));
    assertThat(updraft.getLevel()).isEqualTo(ch.qos.logback.classic.Level.DEBUG);
  }

  @Test
  void configChangedRoundTripsAndMatchesSpellings() {
    ConfigChanged c = new ConfigChanged("cloud_controller", "log_level",
        JsonNodeFactory.instance.textNode("INFO"), "abc");
    assertThat(ConfigChanged.fromJson(c.toJson())).isEqualTo(c);
    assertThat(c.concerns("CloudController")).isTrue();
    assertThat(c.concerns("DEA")).isFalse();
    assertThat(new ConfigChanged("*", "log_level", null, "abc").concerns("Router")).isTrue();
    assertThat(c.logView()).doesNotContain("INFO");
  }
}
