package io.updraft.common.protocol.services;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Immutable;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Require;
import io.updraft.common.protocol.WireMessage;
import java.util.Map;

/**
 * {@code <svc>.unbind.<node_id>}: the gateway asks a node to drop one binding, identified by
 * the binding's credentials (PROTOCOL.md 9.2); the node replies with a {@link NodeResponse}.
 *
 * <pre>{"credentials":{"name":"d7c…","user":"u2…","password":"p2…",
 *  "node_id":"postgresql_node_0"}}</pre>
 *
 * @param credentials the binding's credentials; secret, never logged
 */
public record UnbindRequest(
    @JsonProperty("credentials") Map<String, Object> credentials) implements WireMessage {

  public UnbindRequest {
    Require.present(credentials, "credentials");
    credentials = Immutable.map(credentials);
  }

  public static UnbindRequest fromJson(byte[] payload) {
    return Json.decode(payload, UnbindRequest.class);
  }

  @Override
  public String logView() {
    return "UnbindRequest{credentials=[hidden]}";
  }

  /** The log view: credentials must not reach a log by accident. */
  @Override
  public String toString() {
    return logView();
  }
}
