package io.updraft.common.protocol.dea;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Require;
import io.updraft.common.protocol.WireMessage;

/**
 * A DEA's reply to a {@code dea.status} request from a tool (PROTOCOL.md 3.9): the
 * {@link DeaHello} fields plus its load. Every DEA answers; {@code kato} and operators read it.
 *
 * <pre>{"id":"0-9a1f…","ip":"10.0.0.7","port":12345,"version":0.99,"max_memory":4096,
 * "reserved_memory":512,"used_memory":180.5,"num_clients":4}</pre>
 *
 * @param maxMemoryMb memory the DEA may hand out to instances, MB
 * @param reservedMemoryMb memory reserved by accepted instances, MB
 * @param usedMemoryMb memory measured in use by instances, MB (fractional)
 * @param numClients instances held
 * @param state absent while running; {@code SHUTTING_DOWN} while the DEA stops
 */
public record DeaStatusReply(
    @JsonProperty("id") String id,
    @JsonProperty("ip") String ip,
    @JsonProperty("port") Integer port,
    @JsonProperty("version") Double version,
    @JsonProperty("max_memory") Long maxMemoryMb,
    @JsonProperty("reserved_memory") Long reservedMemoryMb,
    @JsonProperty("used_memory") Double usedMemoryMb,
    @JsonProperty("num_clients") Integer numClients,
    @JsonProperty("state") State state) implements WireMessage {

  /** The DEA's own state. v1 only ever sent {@code SHUTTING_DOWN}; absence means running. */
  public enum State {
    RUNNING, SHUTTING_DOWN
  }

  public DeaStatusReply {
    Require.nonBlank(id, "id");
  }

  public static DeaStatusReply fromJson(byte[] payload) {
    return Json.decode(payload, DeaStatusReply.class);
  }

  @Override
  public String logView() {
    return "DeaStatusReply{dea=" + id + ", reserved=" + reservedMemoryMb + "/" + maxMemoryMb
        + "MB, instances=" + numClients + (state != null ? ", state=" + state : "") + "}";
  }
}
