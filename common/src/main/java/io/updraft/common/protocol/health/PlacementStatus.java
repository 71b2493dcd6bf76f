package io.updraft.common.protocol.health;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Require;
import io.updraft.common.protocol.WireMessage;

/**
 * {@code cloudcontroller.placement} (Updraft addition): a controller's instances that found no
 * DEA with room, published when the figure changes and every few seconds while it is not zero.
 * The health manager's autoscaler adds up the controllers' latest figures.
 *
 * <pre>{"controller":"0-7c1d…","waiting_instances":3,"waiting_memory_mb":768,
 *  "failed_placements":5}</pre>
 *
 * @param controller the controller's component uuid
 * @param waitingInstances instances waiting for a DEA with room
 * @param waitingMemoryMb the memory they need together
 * @param failedPlacements placements that found no DEA, since the controller started
 */
public record PlacementStatus(
    @JsonProperty("controller") String controller,
    @JsonProperty("waiting_instances") Integer waitingInstances,
    @JsonProperty("waiting_memory_mb") Long waitingMemoryMb,
    @JsonProperty("failed_placements") Long failedPlacements) implements WireMessage {

  public PlacementStatus {
    Require.nonBlank(controller, "controller");
    waitingInstances = waitingInstances == null ? 0 : waitingInstances;
    waitingMemoryMb = waitingMemoryMb == null ? 0L : waitingMemoryMb;
    failedPlacements = failedPlacements == null ? 0L : failedPlacements;
  }

  public static PlacementStatus fromJson(byte[] payload) {
    return Json.decode(payload, PlacementStatus.class);
  }

  @Override
  public String logView() {
    return "PlacementStatus{waiting=" + waitingInstances + ", memory=" + waitingMemoryMb
        + "MB, failed=" + failedPlacements + "}";
  }
}
