package io.updraft.common.protocol.health;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Require;
import io.updraft.common.protocol.WireMessage;
import io.updraft.common.protocol.dea.InstanceState;

/**
 * {@code healthmanager.status}: the controller asks the health manager about one app
 * (PROTOCOL.md 5.1), expecting one reply within 2 s; the health manager answers only if it
 * knows the app. Two forms: {@code state:"FLAPPING"} with a {@code version} is answered with a
 * {@link FlappingStatusReply}; {@code state:"CRASHED"} with a {@link CrashesStatusReply}.
 *
 * <pre>{"droplet":"42","version":"6f1e…-3","state":"FLAPPING"}
 * {"droplet":"42","state":"CRASHED"}</pre>
 *
 * @param droplet app id
 * @param version the version asked about (FLAPPING form)
 * @param state {@code FLAPPING} or {@code CRASHED}
 */
public record HealthStatusRequest(
    @JsonProperty("droplet") String droplet,
    @JsonProperty("version") String version,
    @JsonProperty("state") InstanceState state) implements WireMessage {

  public HealthStatusRequest {
    Require.nonBlank(droplet, "droplet");
    Require.present(state, "state");
  }

  /** Which indices of {@code version} are flapping. */
  public static HealthStatusRequest flapping(String droplet, String version) {
    return new HealthStatusRequest(droplet, version, InstanceState.FLAPPING);
  }

  /** Which instances crashed recently. */
  public static HealthStatusRequest crashes(String droplet) {
    return new HealthStatusRequest(droplet, null, InstanceState.CRASHED);
  }

  public static HealthStatusRequest fromJson(byte[] payload) {
    return Json.decode(payload, HealthStatusRequest.class);
  }

  @Override
  public String logView() {
    return "HealthStatusRequest{droplet=" + droplet + ", state=" + state
        + (version != null ? ", version=" + version : "") + "}";
  }
}
