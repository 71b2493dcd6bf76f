package io.updraft.common.protocol.dea;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Immutable;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Require;
import io.updraft.common.protocol.WireMessage;
import java.util.List;

/**
 * {@code dea.stop}: the controller tells every DEA to stop the instances of an app that match
 * all present filters (PROTOCOL.md 3.6, see {@link InstanceSelector}). A matching STARTING or
 * RUNNING instance exits with reason STOPPED; a matching CRASHED record is deleted with its
 * directory. Sent on app stop/delete ({@code {droplet}} only), scale-down ({@code version},
 * {@code indices}) and health-manager STOP ({@code instances}).
 *
 * <pre>{"droplet":"42","version":"6f1e…-3","indices":[2,3]}</pre>
 *
 * @param droplet app id
 * @param version exact version filter
 * @param instances instance id filter
 * @param indices index filter
 * @param states state filter
 */
public record DeaStopRequest(
    @JsonProperty("droplet") String droplet,
    @JsonProperty("version") String version,
    @JsonProperty("instances") List<String> instances,
    @JsonProperty("indices") List<Integer> indices,
    @JsonProperty("states") List<InstanceState> states) implements WireMessage, InstanceSelector {

  public DeaStopRequest {
    Require.nonBlank(droplet, "droplet");
    // absent filters stay null: absent means "any", empty means "none"
    instances = Immutable.listOrNull(instances);
    indices = Immutable.listOrNull(indices);
    states = Immutable.listOrNull(states);
  }

  /** Stops every instance of the app, crash records included (app stopped or deleted). */
  public static DeaStopRequest all(String droplet) {
    return new DeaStopRequest(droplet, null, null, null, null);
  }

  public static DeaStopRequest fromJson(byte[] payload) {
    return Json.decode(payload, DeaStopRequest.class);
  }

  @Override
  public String logView() {
    return "DeaStopRequest{droplet=" + droplet + filterView() + "}";
  }
}
