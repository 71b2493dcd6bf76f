package io.updraft.common.protocol.health;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Immutable;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Require;
import io.updraft.common.protocol.WireMessage;
import java.util.List;

/**
 * A health-manager command to the controllers on
 * {@code cloudcontrollers.hm.requests[.<partition>]} (PROTOCOL.md 4.4, Updraft decision 3).
 * Controllers subscribe in queue group {@code cc}, so exactly one acts on it: START sends one
 * {@code dea.<uuid>.start} per index (ignored unless {@code version} is the app's current one),
 * STOP sends {@code dea.stop} for the instances (ignored when {@code last_updated} is stale),
 * SPINDOWN stops the app.
 *
 * <pre>{"droplet":"42","op":"START","last_updated":1338999000,"version":"6f1e…-3",
 *  "indices":[1],"flapping":true}
 * {"droplet":"42","op":"STOP","last_updated":1338999000,"instances":["c0ffee…"]}</pre>
 *
 * @param droplet app id
 * @param op the command (read case-insensitively)
 * @param lastUpdated the app's {@code updated_at} as the health manager saw it, Unix seconds
 *     (0 if unknown)
 * @param version START only: the version to run
 * @param indices START only: indices to start (not written when empty)
 * @param flapping START only: a delayed restart of a flapping index
 * @param instances STOP only: instance ids to stop (not written when empty)
 */
public record HmRequest(
    @JsonProperty("droplet") String droplet,
    @JsonProperty("op") Op op,
    @JsonProperty("last_updated") Long lastUpdated,
    @JsonProperty("version") String version,
    @JsonProperty("indices") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Integer> indices,
    @JsonProperty("flapping") Boolean flapping,
    @JsonProperty("instances") @JsonInclude(JsonInclude.Include.NON_EMPTY)
    List<String> instances) implements WireMessage {

  /** Health-manager operations. */
  public enum Op {
    START, STOP, SPINDOWN
  }

  public HmRequest {
    Require.nonBlank(droplet, "droplet");
    Require.present(op, "op");
    indices = Immutable.list(indices);
    instances = Immutable.list(instances);
  }

  /** Start the missing {@code indices} of {@code version}; flapping for a delayed restart. */
  public static HmRequest start(String droplet, String version, long lastUpdated,
      List<Integer> indices, boolean flapping) {
    return new HmRequest(droplet, Op.START, lastUpdated, version, indices,
        flapping ? Boolean.TRUE : null, null);
  }

  /** Stop the extra {@code instances}. */
  public static HmRequest stop(String droplet, long lastUpdated, List<String> instances) {
    return new HmRequest(droplet, Op.STOP, lastUpdated, null, null, null, instances);
  }

  public static HmRequest fromJson(byte[] payload) {
    return Json.decode(payload, HmRequest.class);
  }

  @Override
  public String logView() {
    return "HmRequest{op=" + op + ", droplet=" + droplet
        + (version != null ? ", version=" + version : "")
        + (indices.isEmpty() ? "" : ", indices=" + indices)
        + (instances.isEmpty() ? "" : ", instances=" + instances)
        + (Boolean.TRUE.equals(flapping) ? ", flapping" : "") + "}";
  }
}
