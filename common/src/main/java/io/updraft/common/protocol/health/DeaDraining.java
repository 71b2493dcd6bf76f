package io.updraft.common.protocol.health;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Require;
import io.updraft.common.protocol.WireMessage;

/**
 * {@code cloudcontrollers.dea_draining} (Updraft addition): the controller that acts on a
 * {@code scaledown} announces that it drains a DEA, so every controller stops placing on it and
 * the health managers, seeing an index run twice while its instances move, stop the copy on
 * the draining DEA rather than the new one. {@code draining: false} ends it (the drain was
 * given up and the DEA stays, or it was removed).
 *
 * <pre>{"dea":"0-9a1f…","draining":true,"node_id":"local-dea-1764037954123-0"}</pre>
 *
 * @param dea the DEA's id
 * @param draining whether it is being drained (absent means true)
 * @param nodeId the platform node it runs on, for operators
 */
public record DeaDraining(
    @JsonProperty("dea") String dea,
    @JsonProperty("draining") Boolean draining,
    @JsonProperty("node_id") String nodeId) implements WireMessage {

  public DeaDraining {
    Require.nonBlank(dea, "dea");
    draining = draining == null ? Boolean.TRUE : draining;
  }

  public static DeaDraining fromJson(byte[] payload) {
    return Json.decode(payload, DeaDraining.class);
  }

  @Override
  public String logView() {
    return "DeaDraining{dea=" + dea + ", draining=" + draining + "}";
  }
}
