package io.updraft.common.protocol.health;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Immutable;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Require;
import io.updraft.common.protocol.WireMessage;
import java.util.List;

/**
 * A query about several apps (PROTOCOL.md 5.1). On {@code healthmanager.health} the controller
 * asks how many instances of each app version run and waits 1 s for one {@link HealthReply}
 * per app (it fills {@code runningInstances} in app listings). On {@code healthmanager.droplet}
 * (tools, no {@code version}) the health manager replies with its internal record of each app.
 *
 * <pre>{"droplets":[{"droplet":"42","version":"6f1e…-3"},
 *  {"droplet":"43","version":"9a0b…-1"}]}</pre>
 */
public record HealthRequest(
    @JsonProperty("droplets") List<AppVersion> droplets) implements WireMessage {

  public HealthRequest {
    droplets = Immutable.list(droplets);
  }

  public static HealthRequest fromJson(byte[] payload) {
    return Json.decode(payload, HealthRequest.class);
  }

  @Override
  public String logView() {
    return "HealthRequest{apps=" + droplets.size() + "}";
  }

  /**
   * One app asked about.
   *
   * @param droplet app id
   * @param version the app's current version (absent on {@code healthmanager.droplet})
   */
  public record AppVersion(
      @JsonProperty("droplet") String droplet,
      @JsonProperty("version") String version) {

    public AppVersion {
      Require.nonBlank(droplet, "droplet");
    }
  }
}
