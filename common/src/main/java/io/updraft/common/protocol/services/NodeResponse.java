package io.updraft.common.protocol.services;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Immutable;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Require;
import io.updraft.common.protocol.WireMessage;
import java.util.Map;

/**
 * A service node's reply to provision, unprovision, bind and unbind requests (PROTOCOL.md 9.2):
 * one envelope for all. Provision and bind answer with {@code credentials}; unprovision and
 * unbind with success only. Failures carry a {@link ServiceError} whose status is the HTTP
 * status the gateway returns to the controller.
 *
 * <pre>{"success":true,"credentials":{"name":"d7c…","host":"10.0.0.9","port":5432,"user":"u1…",
 * "password":"p9…","node_id":"postgresql_node_0"}}
 * {"success":false,"error":{"status":500,
 *  "msg":{"code":30502,"description":"Node operation timeout"}}}</pre>
 *
 * @param credentials secret, never logged; not written when empty
 */
public record NodeResponse(
    @JsonProperty("success") Boolean success,
    @JsonProperty("credentials") @JsonInclude(JsonInclude.Include.NON_EMPTY)
    Map<String, Object> credentials,
    @JsonProperty("error") ServiceError error) implements WireMessage {

  public NodeResponse {
    Require.present(success, "success");
    credentials = Immutable.map(credentials);
  }

  /** A success, with the credentials of the new instance or binding (empty for the others). */
  public static NodeResponse ok(Map<String, Object> credentials) {
    return new NodeResponse(true, credentials, null);
  }

  public static NodeResponse failure(int status, int code, String description) {
    return new NodeResponse(false, null,
        new ServiceError(status, new ErrorMessage(code, description)));
  }

  public static NodeResponse fromJson(byte[] payload) {
    return Json.decode(payload, NodeResponse.class);
  }

  @Override
  public String logView() {
    return "NodeResponse{success=" + success + (error == null || error.msg() == null ? ""
        : ", code=" + error.msg().code() + ", description=" + error.msg().description()) + "}";
  }

  /** The log view: credentials must not reach a log by accident. */
  @Override
  public String toString() {
    return logView();
  }

  /**
   * Why a node operation failed.
   *
   * @param status HTTP status for the gateway's answer
   */
  public record ServiceError(
      @JsonProperty("status") Integer status,
      @JsonProperty("msg") ErrorMessage msg) {
  }

  /**
   * A service error as the gateway reports it, e.g. 30502 "Node operation timeout".
   *
   * @param code service error code
   */
  public record ErrorMessage(
      @JsonProperty("code") Integer code,
      @JsonProperty("description") String description) {
  }
}
