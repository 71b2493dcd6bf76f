package io.updraft.common.protocol.health;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Require;
import io.updraft.common.protocol.WireMessage;

/**
 * {@code healthmanager.dea_lost} (Updraft addition): the active health manager declares a DEA
 * lost after its heartbeats stopped. Controllers drop it from their placement pool at once
 * (rather than waiting for its last advertisement to expire), so the instances it ran are not
 * sent back to it; a DEA that comes back simply advertises again. Operators see it on the bus.
 *
 * <pre>{"dea":"0-9a1f…","last_heartbeat":1339000000,"instances":12}</pre>
 *
 * @param dea the DEA's id
 * @param lastHeartbeat Unix seconds of its last heartbeat
 * @param instances how many instances it was running
 */
public record DeaLost(
    @JsonProperty("dea") String dea,
    @JsonProperty("last_heartbeat") Long lastHeartbeat,
    @JsonProperty("instances") Integer instances) implements WireMessage {

  public DeaLost {
    Require.nonBlank(dea, "dea");
  }

  public static DeaLost fromJson(byte[] payload) {
    return Json.decode(payload, DeaLost.class);
  }

  @Override
  public String logView() {
    return "DeaLost{dea=" + dea + ", instances=" + instances + "}";
  }
}
