package io.updraft.common.protocol.droplet;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Require;
import io.updraft.common.protocol.WireMessage;

/**
 * {@code droplet.updated}: the controller tells the health managers that an app's desired
 * state changed (started, stopped, scaled), once staging has finished (PROTOCOL.md 4.5). The
 * health manager re-reads the app and cancels pending delayed restarts for it.
 *
 * <pre>{"droplet":"42","cc_partition":"default"}</pre>
 *
 * @param droplet app id
 * @param ccPartition the controller's partition (G3)
 */
public record DropletUpdated(
    @JsonProperty("droplet") String droplet,
    @JsonProperty("cc_partition") String ccPartition) implements WireMessage {

  public DropletUpdated {
    Require.nonBlank(droplet, "droplet");
  }

  public static DropletUpdated fromJson(byte[] payload) {
    return Json.decode(payload, DropletUpdated.class);
  }

  @Override
  public String logView() {
    return "DropletUpdated{droplet=" + droplet + "}";
  }
}
