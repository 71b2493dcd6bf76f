package io.updraft.common.protocol.health;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Immutable;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Require;
import io.updraft.common.protocol.WireMessage;
import java.util.List;

/**
 * The health manager's reply to a FLAPPING {@link HealthStatusRequest} (PROTOCOL.md 5.1): the
 * indices of that version currently flapping. The controller shows them as {@code FLAPPING} in
 * instance listings.
 *
 * <pre>{"indices":[{"index":1,"since":1339000123}]}</pre>
 */
public record FlappingStatusReply(
    @JsonProperty("indices") List<FlappingIndex> indices) implements WireMessage {

  public FlappingStatusReply {
    indices = Immutable.list(indices);
  }

  public static FlappingStatusReply fromJson(byte[] payload) {
    return Json.decode(payload, FlappingStatusReply.class);
  }

  @Override
  public String logView() {
    return "FlappingStatusReply{indices="
        + indices.stream().map(FlappingIndex::index).toList() + "}";
  }

  /**
   * One flapping index.
   *
   * @param since Unix seconds the index has been flapping since
   */
  public record FlappingIndex(
      @JsonProperty("index") Integer index,
      @JsonProperty("since") Long since) {

    public FlappingIndex {
      Require.present(index, "index");
    }
  }
}
