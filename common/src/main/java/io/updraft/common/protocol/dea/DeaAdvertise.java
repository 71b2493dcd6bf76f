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
 */
public record DeaAdvertise(
    @JsonProperty("id") String id,
    @JsonProperty("available_memory") Long availableMemoryMb,
    @JsonProperty("runtimes") List<String> runtimes,
    @JsonProperty("prod") Boolean prod) implements WireMessage {

  public DeaAdvertise {
    Require.nonBlank(id, "id");
    Require.present(availableMemoryMb, "available_memory");
    runtimes = Immutable.list(runtimes);
  }

  public static DeaAdvertise fromJson(byte[] payload) {
    return Json.decode(payload, DeaAdvertise.class);
  }

  @Override
  public String logView() {
    return "DeaAdvertise{dea=" + id + ", available_memory=" + availableMemoryMb + "MB}";
  }
}
