package io.updraft.common.protocol.services;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Immutable;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Require;
import io.updraft.common.protocol.WireMessage;
import java.util.Map;

/**
 * {@code <svc>.provision.<node_id>}: the gateway asks one node to create a service instance
 * (PROTOCOL.md 9.2); the node replies with a {@link NodeResponse} whose credentials always
 * include {@code name} (the instance id) and {@code node_id}.
 *
 * <pre>{"plan":"free","version":"9.1"}</pre>
 *
 * @param plan service plan
 * @param version service version (G2+)
 * @param credentials present only to re-create an instance with these credentials (recovery,
 *     migration); secret, never logged; not written when empty
 */
public record ProvisionRequest(
    @JsonProperty("plan") String plan,
    @JsonProperty("version") String version,
    @JsonProperty("credentials") @JsonInclude(JsonInclude.Include.NON_EMPTY)
    Map<String, Object> credentials) implements WireMessage {

  public ProvisionRequest {
    Require.nonBlank(plan, "plan");
    credentials = Immutable.map(credentials);
  }

  public static ProvisionRequest fromJson(byte[] payload) {
    return Json.decode(payload, ProvisionRequest.class);
  }

  @Override
  public String logView() {
    return "ProvisionRequest{plan=" + plan + ", version=" + version
        + (credentials.isEmpty() ? "" : ", recreate") + "}";
  }

  /** The log view: credentials must not reach a log by accident. */
  @Override
  public String toString() {
    return logView();
  }
}
