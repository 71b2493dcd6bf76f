package io.updraft.common.protocol.node;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Require;
import io.updraft.common.protocol.WireMessage;
import java.util.List;

/**
 * {@code updraft.node.status} (Updraft addition): every kato node agent publishes its node's
 * roles, supervised processes and host statistics at an interval (10 s by default), as collectd
 * does for Stackato. The controller keeps the latest per node for the console and
 * {@code GET /updraft/nodes}; a node silent for three intervals shows as not reporting.
 *
 * <pre>{"node":"3f9a0c1d2b4e","name":"core","ip":"10.0.0.5","core":true,"interval_seconds":10,
 * "roles":["controller","router"],"processes":[{"name":"router","state":"RUNNING","pid":42,
 * "uptime_seconds":3600,"restarts":0}],"host":{"cpu_percent":12.5,"load":[0.5,0.4,0.3],...},
 * "timestamp":1764000000}</pre>
 *
 * @param node the node's id (as {@code kato node list})
 * @param name the node's name
 * @param ip the address other nodes reach it on
 * @param core whether this is the core node
 * @param intervalSeconds how often it publishes
 * @param roles roles assigned to the node
 * @param processes the supervised processes and their states
 * @param host host statistics
 * @param timestamp Unix seconds when sampled
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NodeStatus(
    @JsonProperty("node") String node,
    @JsonProperty("name") String name,
    @JsonProperty("ip") String ip,
    @JsonProperty("core") boolean core,
    @JsonProperty("interval_seconds") int intervalSeconds,
    @JsonProperty("roles") List<String> roles,
    @JsonProperty("processes") List<Process> processes,
    @JsonProperty("host") HostStats host,
    @JsonProperty("timestamp") long timestamp) implements WireMessage {

  public NodeStatus {
    Require.nonBlank(node, "node");
    roles = roles == null ? List.of() : List.copyOf(roles);
    processes = processes == null ? List.of() : List.copyOf(processes);
  }

  public static NodeStatus fromJson(byte[] payload) {
    return Json.decode(payload, NodeStatus.class);
  }

  /**
   * One supervised process.
   *
   * @param state RUNNING, STARTING, STOPPED, FATAL (kato status)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Process(
      @JsonProperty("name") String name,
      @JsonProperty("state") String state,
      @JsonProperty("pid") Long pid,
      @JsonProperty("uptime_seconds") Long uptimeSeconds,
      @JsonProperty("restarts") Integer restarts) {
  }

  /**
   * Host statistics of one sample; counters are totals since boot so readers compute rates.
   *
   * @param cpuPercent CPU busy over the last interval, 0-100 for the whole host
   * @param cpus logical CPUs
   * @param load 1, 5 and 15 minute load averages
   * @param memTotalMb total memory
   * @param memUsedMb used memory (total minus available)
   * @param diskTotalMb size of the filesystem holding the node's data
   * @param diskUsedMb used space on it
   * @param netRxBytes bytes received on all non-loopback interfaces since boot
   * @param netTxBytes bytes sent on all non-loopback interfaces since boot
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record HostStats(
      @JsonProperty("cpu_percent") Double cpuPercent,
      @JsonProperty("cpus") Integer cpus,
      @JsonProperty("load") List<Double> load,
      @JsonProperty("mem_total_mb") Long memTotalMb,
      @JsonProperty("mem_used_mb") Long memUsedMb,
      @JsonProperty("disk_total_mb") Long diskTotalMb,
      @JsonProperty("disk_used_mb") Long diskUsedMb,
      @JsonProperty("net_rx_bytes") Long netRxBytes,
      @JsonProperty("net_tx_bytes") Long netTxBytes) {
  }

  @Override
  public String logView() {
    return "NodeStatus{node=" + node + ", name=" + name + ", roles=" + roles + ", processes="
        + processes.size() + "}";
  }
}
