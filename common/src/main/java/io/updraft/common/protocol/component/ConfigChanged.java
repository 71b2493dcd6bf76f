package io.updraft.common.protocol.component;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Require;
import io.updraft.common.protocol.WireMessage;

/**
 * Updraft addition: published on {@code updraft.config.changed} by the node agent when
 * {@code kato config} changes a key that components apply live (see kato/README.md, "live
 * keys"). Components of the named kind apply it at once; other keys wait for a restart.
 *
 * <pre>{"component":"health_manager","key":"log_level","value":"DEBUG","node":"3f9a0c1d2b4e"}</pre>
 *
 * @param component config name of the component kind ({@code cloud_controller},
 *     {@code health_manager}, {@code dea}, ...; {@code *} for every component)
 * @param key dotted key path
 * @param value the new value, null when deleted
 * @param node id of the node whose agent made the change
 */
public record ConfigChanged(
    @JsonProperty("component") String component,
    @JsonProperty("key") String key,
    @JsonProperty("value") JsonNode value,
    @JsonProperty("node") String node) implements WireMessage {

  public ConfigChanged {
    Require.nonBlank(component, "component");
    Require.nonBlank(key, "key");
  }

  public static ConfigChanged fromJson(byte[] payload) {
    return Json.decode(payload, ConfigChanged.class);
  }

  /** Whether this change is meant for a component whose type is {@code type} (CloudController). */
  public boolean concerns(String type) {
    return "*".equals(component) || normal(component).equals(normal(type));
  }

  private static String normal(String s) {
    return s.replace("_", "").replace("-", "").toLowerCase(java.util.Locale.ROOT);
  }

  @Override
  public String logView() {
    return "ConfigChanged{component=" + component + ", key=" + key + "}";
  }

  @Override
  public String toString() {
    return logView();
  }
}
