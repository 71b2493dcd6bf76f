package io.updraft.common.protocol.services;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Immutable;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Require;
import io.updraft.common.protocol.WireMessage;
import java.util.Map;

/**
 * {@code <svc>.bind.<node_id>}: the gateway asks a node to create credentials for an app on a
 * service instance (PROTOCOL.md 9.2); the node replies with a {@link NodeResponse} carrying the
 * binding's credentials (for databases, a user and password of its own).
 *
 * <pre>{"name":"d7c…","bind_opts":{}}</pre>
 *
 * @param name the instance id
 * @param bindOpts binding options from the bind call
 * @param credentials present only to re-create a binding with these credentials; secret, never
 *     logged; not written when empty
 */
public record BindRequest(
    @JsonProperty("name") String name,
    @JsonProperty("bind_opts") Map<String, Object> bindOpts,
    @JsonProperty("credentials") @JsonInclude(JsonInclude.Include.NON_EMPTY)
    Map<String, Object> credentials) implements WireMessage {

  public BindRequest {
    Require.nonBlank(name, "name");
    bindOpts = Immutable.map(bindOpts);
    credentials = Immutable.map(credentials);
  }

  public static BindRequest fromJson(byte[] payload) {
    return Json.decode(payload, BindRequest.class);
  }

  @Override
  public String logView() {
    return "BindRequest{name=" + name + (credentials.isEmpty() ? "" : ", recreate") + "}";
  }

  /** The log view: credentials must not reach a log by accident. */
  @Override
  public String toString() {
    return logView();
  }
}
