package io.updraft.common.protocol.node;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.WireMessage;

/**
 * Reply to a {@link ClusterConfigRequest}.
 *
 * <pre>{"ok":true,"config":{"dea":{"log_level":"DEBUG"},"cloud_controller":{...}}}
 * {"ok":false,"error":"unknown component: deaa"}</pre>
 *
 * @param ok whether the request was carried out
 * @param config the config after the request (the whole cluster's, or the one component's)
 * @param error why not, when {@code ok} is false
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClusterConfigReply(
    @JsonProperty("ok") boolean ok,
    @JsonProperty("config") JsonNode config,
    @JsonProperty("error") String error) implements WireMessage {

  public static ClusterConfigReply fromJson(byte[] payload) {
    return Json.decode(payload, ClusterConfigReply.class);
  }

  public static ClusterConfigReply of(JsonNode config) {
    return new ClusterConfigReply(true, config, null);
  }

  public static ClusterConfigReply failed(String error) {
    return new ClusterConfigReply(false, null, error);
  }

  @Override
  public String logView() {
    return "ClusterConfigReply{ok=" + ok + (error == null ? "" : ", error=" + error) + "}";
  }
}
