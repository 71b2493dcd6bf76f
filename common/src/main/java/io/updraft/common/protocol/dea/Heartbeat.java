package io.updraft.common.protocol.dea;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Immutable;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Require;
import io.updraft.common.protocol.WireMessage;
import java.util.List;

/**
 * {@code dea.heartbeat}: a DEA's report of every instance it holds, periodic and at once when
 * an instance becomes RUNNING (PROTOCOL.md 3.10). Consumed by the health manager.
 *
 * <pre>{"dea":"0-9a1f…","prod":false,"droplets":[{"droplet":"42","version":"6f1e…-3",
 * "instance":"b3c4…","index":0,"state":"RUNNING","state_timestamp":1339000000,
 * "cc_partition":"default"}]}</pre>
 */
public record Heartbeat(
    @JsonProperty("dea") String dea,
    @JsonProperty("prod") Boolean prod,
    @JsonProperty("droplets") List<InstanceHeartbeat> droplets) implements WireMessage {

  public Heartbeat {
    droplets = Immutable.list(droplets);
  }

  public static Heartbeat fromJson(byte[] payload) {
    return Json.decode(payload, Heartbeat.class);
  }

  @Override
  public String logView() {
    return "Heartbeat{dea=" + dea + ", instances=" + droplets.size() + "}";
  }

  /**
   * One instance in a heartbeat. {@code droplet} is the app id; G1/G2 DEAs sent it as a number,
   * we read either and always write a string.
   */
  public record InstanceHeartbeat(
      @JsonProperty("droplet") String droplet,
      @JsonProperty("version") String version,
      @JsonProperty("instance") String instance,
      @JsonProperty("index") Integer index,
      @JsonProperty("state") InstanceState state,
      @JsonProperty("state_timestamp") Long stateTimestamp,
      @JsonProperty("cc_partition") String ccPartition) {

    public InstanceHeartbeat {
      Require.nonBlank(droplet, "droplet");
      Require.nonBlank(instance, "instance");
      Require.present(index, "index");
      Require.present(state, "state");
    }
  }
}
