package io.updraft.common.protocol.services;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Immutable;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Require;
import io.updraft.common.protocol.WireMessage;
import java.util.List;
import java.util.Map;

/**
 * {@code <svc>.unprovision.<node_id>}: the gateway asks a node to delete a service instance and
 * its bindings (PROTOCOL.md 9.2); the node replies with a {@link NodeResponse} ("not found"
 * counts as success).
 *
 * <pre>{"name":"d7c…","bindings":[{"name":"d7c…","user":"u2…","password":"p2…"}]}</pre>
 *
 * @param name the instance id ({@code credentials.name} at provision time)
 * @param bindings the credentials of every binding to drop; secret, never logged
 */
public record UnprovisionRequest(
    @JsonProperty("name") String name,
    @JsonProperty("bindings") List<Map<String, Object>> bindings) implements WireMessage {

  public UnprovisionRequest {
    Require.nonBlank(name, "name");
    bindings = Immutable.list(bindings).stream().map(Immutable::map).toList();
  }

  public static UnprovisionRequest fromJson(byte[] payload) {
    return Json.decode(payload, UnprovisionRequest.class);
  }

  @Override
  public String logView() {
    return "UnprovisionRequest{name=" + name + ", bindings=" + bindings.size() + "}";
  }

  /** The log view: binding credentials must not reach a log by accident. */
  @Override
  public String toString() {
    return logView();
  }
}
