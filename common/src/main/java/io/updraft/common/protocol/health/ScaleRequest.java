package io.updraft.common.protocol.health;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Require;
import io.updraft.common.protocol.WireMessage;

/**
 * {@code cloudcontrollers.hm.scalerequests}: the health manager asks the controllers to grow or
 * shrink the DEA pool (Stackato 2.x autoscaling, PROTOCOL.md decision 4). Controllers take it in
 * queue group {@code cc}, so exactly one acts, through its configured scaling platform, and logs
 * the pool figures with it. Stackato sent only {@code {"op":"scaleup"}}; every other field is an
 * optional Updraft addition.
 *
 * <pre>{"op":"scaleup","count":1,"reason":"free memory below threshold","free_memory_mb":256,
 * "total_memory_mb":8192,"waiting_instances":2,"deas":2}
 * {"op":"scaledown","dea_id":"0-9a1f…","reason":"idle"}</pre>
 *
 * @param op {@code scaleup} or {@code scaledown}, lower-case on the wire
 * @param count DEAs to add (scaleup); absent means one
 * @param reason human-readable trigger, for the controller's log and events
 * @param deaId scaledown only, required there: the DEA to drain and remove
 * @param freeMemoryMb free memory of the pool when the decision was made, MB
 * @param totalMemoryMb total memory of the pool, MB
 * @param waitingInstances instances that could not be placed
 * @param deas DEAs in the pool
 */
public record ScaleRequest(
    @JsonProperty("op") Op op,
    @JsonProperty("count") Integer count,
    @JsonProperty("reason") String reason,
    @JsonProperty("dea_id") String deaId,
    @JsonProperty("free_memory_mb") Long freeMemoryMb,
    @JsonProperty("total_memory_mb") Long totalMemoryMb,
    @JsonProperty("waiting_instances") Integer waitingInstances,
    @JsonProperty("deas") Integer deas) implements WireMessage {

  /** Scaling operations, lower-case on the wire (read case-insensitively). */
  public enum Op {
    @JsonProperty("scaleup") SCALEUP,
    @JsonProperty("scaledown") SCALEDOWN
  }

  public ScaleRequest {
    Require.present(op, "op");
    if (op == Op.SCALEDOWN) {
      Require.nonBlank(deaId, "dea_id");
    }
  }

  public static ScaleRequest fromJson(byte[] payload) {
    return Json.decode(payload, ScaleRequest.class);
  }

  @Override
  public String logView() {
    return "ScaleRequest{op=" + op
        + (count != null ? ", count=" + count : "")
        + (deaId != null ? ", dea=" + deaId : "")
        + (reason != null ? ", reason=" + reason : "")
        + (freeMemoryMb != null ? ", free=" + freeMemoryMb + "/" + totalMemoryMb + "MB" : "")
        + (waitingInstances != null ? ", waiting=" + waitingInstances : "")
        + (deas != null ? ", deas=" + deas : "") + "}";
  }
}
