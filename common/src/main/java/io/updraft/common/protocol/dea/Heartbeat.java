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
 * "cc_partition":"default"}],
 * "usage":{"mem_mb":412,"disk_mb":96,"cpu":135.5,"cores":4,"max_memory":4096,
 * "reserved_memory":1024,"disk_total_mb":40960}}</pre>
 *
 * <p>{@code usage} is an Updraft addition (optional): what the DEA's instances measurably use,
 * for the health manager's autoscaler.
 */
public record Heartbeat(
    @JsonProperty("dea") String dea,
    @JsonProperty("prod") Boolean prod,
    @JsonProperty("droplets") List<InstanceHeartbeat> droplets,
    @JsonProperty("usage") DeaUsage usage) implements WireMessage {

  public Heartbeat {
    droplets = Immutable.list(droplets);
  }

  /** The v1 fields only. */
  public Heartbeat(String dea, Boolean prod, List<InstanceHeartbeat> droplets) {
    this(dea, prod, droplets, null);
  }

  /**
   * What a DEA's instances use, measured (Updraft addition), summed over its STARTING and
   * RUNNING instances' latest samples.
   *
   * @param memMb resident memory, MB
   * @param diskMb disk use of the instance directories, MB
   * @param cpuPercent CPU, percent of one core (400 = four cores busy)
   * @param cores CPU cores of the DEA host
   * @param maxMemoryMb the DEA's {@code max_memory_mb}
   * @param reservedMemoryMb memory its instances reserved, MB
   * @param diskTotalMb size of the file system holding the instances, MB
   */
  public record DeaUsage(
      @JsonProperty("mem_mb") Long memMb,
      @JsonProperty("disk_mb") Long diskMb,
      @JsonProperty("cpu") Double cpuPercent,
      @JsonProperty("cores") Integer cores,
      @JsonProperty("max_memory") Long maxMemoryMb,
      @JsonProperty("reserved_memory") Long reservedMemoryMb,
      @JsonProperty("disk_total_mb") Long diskTotalMb) {
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
