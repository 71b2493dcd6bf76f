package io.updraft.common.protocol.services;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Immutable;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Require;
import io.updraft.common.protocol.WireMessage;
import java.util.List;

/**
 * {@code <svc>.announce}: a service node tells the gateway it exists and how much room it has
 * (PROTOCOL.md 9.2, 9.3). Sent at connect, every 30 s and in reply to {@code <svc>.discover};
 * the gateway keeps the nodes heard from in the last 300 s and provisions on the one with the
 * highest {@code available_capacity} among those of the plan and version. Service-specific
 * capacity fields (e.g. G1 MySQL's {@code available_storage}) are ignored.
 *
 * <pre>{"id":"postgresql_node_0","plan":"free","supported_versions":["9.1"],
 * "available_capacity":200,"capacity_unit":1}</pre>
 *
 * @param id node id; suffix of the node's per-node subjects
 * @param availableCapacity remaining capacity in the node's own units
 * @param capacityUnit capacity one provision consumes
 */
public record NodeAnnouncement(
    @JsonProperty("id") String id,
    @JsonProperty("plan") String plan,
    @JsonProperty("supported_versions") List<String> supportedVersions,
    @JsonProperty("available_capacity") Long availableCapacity,
    @JsonProperty("capacity_unit") Long capacityUnit) implements WireMessage {

  public NodeAnnouncement {
    Require.nonBlank(id, "id");
    supportedVersions = Immutable.list(supportedVersions);
  }

  public static NodeAnnouncement fromJson(byte[] payload) {
    return Json.decode(payload, NodeAnnouncement.class);
  }

  @Override
  public String logView() {
    return "NodeAnnouncement{node=" + id + ", plan=" + plan + ", versions=" + supportedVersions
        + ", available_capacity=" + availableCapacity + "}";
  }
}
