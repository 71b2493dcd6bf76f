package io.updraft.common.protocol.dea;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Immutable;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Require;
import io.updraft.common.protocol.WireMessage;
import java.util.List;

/**
 * {@code dea.advertise}: a DEA with room tells the controllers (and the health manager's pool
 * tracker) how much memory it has left. Sent every advertise interval and on every reservation
 * change, only while the DEA has room; silence means full or gone (PROTOCOL.md 3.3).
 *
 * <pre>{"id":"0-9a1f…","available_memory":3584,"runtimes":["java","node"],"prod":false}</pre>
 *
 * @param id DEA uuid, used to build {@code dea.<id>.start}
 * @param availableMemoryMb {@code max_memory - reserved}, in MB
 * @param runtimes runtime names this DEA can run
 * @param prod whether the DEA only accepts apps flagged prod
 * @param nodeId Updraft addition, optional: the scaling platform's id of the node this DEA
 *     runs on, present only on DEAs a platform launched from the DEA template (the controller
 *     removes such a node after draining it; a DEA without one is never removed)
 * @param maxMemoryMb Updraft addition, optional: the DEA's {@code max_memory_mb}, so the
 *     autoscaler knows how much of it is reserved
 */
public record DeaAdvertise(
    @JsonProperty("id") String id,
    @JsonProperty("available_memory") Long availableMemoryMb,
    @JsonProperty("runtimes") List<String> runtimes,
    @JsonProperty("prod") Boolean prod,
    @JsonProperty("node_id") String nodeId,
    @JsonProperty("max_memory") Long maxMemoryMb) implements WireMessage {

  public DeaAdvertise {
    Require.nonBlank(id, "id");
    Require.present(availableMemoryMb, "available_memory");
    runtimes = Immutable.list(runtimes);
  }

  /** The v1 fields only. */
  public DeaAdvertise(String id, Long availableMemoryMb, List<String> runtimes, Boolean prod) {
    this(id, availableMemoryMb, runtimes, prod, null, null);
  }

  /** This advert with another available memory (the Updraft fields kept). */
  public DeaAdvertise withAvailableMemory(long mb) {
    return new DeaAdvertise(id, mb, runtimes, prod, nodeId, maxMemoryMb);
  }

  public static DeaAdvertise fromJson(byte[] payload) {
    return Json.decode(payload, DeaAdvertise.class);
  }

  @Override
  public String logView() {
    return "DeaAdvertise{dea=" + id + ", available_memory=" + availableMemoryMb + "MB"
        + (nodeId != null ? ", node=" + nodeId : "") + "}";
  }
}
