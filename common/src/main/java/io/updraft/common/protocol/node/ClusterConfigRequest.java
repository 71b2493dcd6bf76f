package io.updraft.common.protocol.node;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.updraft.common.protocol.DecodeException;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Require;
import io.updraft.common.protocol.WireMessage;

/**
 * {@code updraft.config.request} (Updraft addition, queue {@code kato}): read or change the
 * cluster config through the node agents, for the controller's admin settings (the console).
 * An agent connected to the cluster store answers with a {@link ClusterConfigReply}; a change
 * goes through the same checks and {@code updraft.config.changed} notice as {@code kato config}.
 * The controller sends it only for admins; NATS credentials guard the subject itself.
 *
 * <pre>{"op":"get"}  {"op":"set","component":"dea","key":"log_level","value":"DEBUG","by":"admin@x"}</pre>
 *
 * @param op {@code get} (the whole config, or one component's with {@code component}),
 *     {@code set} or {@code delete}
 * @param component config name of the component ({@code cloud_controller}, {@code dea}...)
 * @param key dotted key path, for set and delete
 * @param value the new value, for set
 * @param by who asked, for the agent's log
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClusterConfigRequest(
    @JsonProperty("op") String op,
    @JsonProperty("component") String component,
    @JsonProperty("key") String key,
    @JsonProperty("value") JsonNode value,
    @JsonProperty("by") String by) implements WireMessage {

  public ClusterConfigRequest {
    Require.nonBlank(op, "op");
    switch (op) {
      case "get" -> { }
      case "set", "delete" -> {
        Require.nonBlank(component, "component");
        Require.nonBlank(key, "key");
        if ("set".equals(op) && value == null) {
          throw new DecodeException("value is required for set");
        }
      }
      default -> throw new DecodeException("op must be get, set or delete, not " + op);
    }
  }

  public static ClusterConfigRequest fromJson(byte[] payload) {
    return Json.decode(payload, ClusterConfigRequest.class);
  }

  @Override
  public String logView() {
    return "ClusterConfigRequest{op=" + op + ", component=" + component + ", key=" + key + "}";
  }
}
