package io.updraft.common.protocol.health;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Require;
import io.updraft.common.protocol.WireMessage;

/**
 * The controller's reply to {@code cloudcontroller.bulk.credentials[.<partition>]}
 * (PROTOCOL.md 4.1, 4.6): the Basic-auth credentials of its bulk HTTP API, requested (empty
 * body) by the health manager before it reads desired state.
 *
 * <pre>{"user":"bulk_api","password":"…"}</pre>
 *
 * @param password secret, never logged
 */
public record BulkCredentials(
    @JsonProperty("user") String user,
    @JsonProperty("password") String password) implements WireMessage {

  public BulkCredentials {
    Require.nonBlank(user, "user");
    Require.nonBlank(password, "password");
  }

  public static BulkCredentials fromJson(byte[] payload) {
    return Json.decode(payload, BulkCredentials.class);
  }

  @Override
  public String logView() {
    return "BulkCredentials{user=" + user + "}";
  }

  /** The log view: the password must not reach a log by accident. */
  @Override
  public String toString() {
    return logView();
  }
}
