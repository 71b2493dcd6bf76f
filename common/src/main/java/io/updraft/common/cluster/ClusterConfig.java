package io.updraft.common.cluster;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.config.ConfigException;
import java.util.List;

/**
 * {@code cluster:} how a component reaches the Hazelcast cluster that holds leader leases (and
 * the live cluster config). Members run on core nodes; everything else connects as a client.
 *
 * <pre>
 * cluster:
 *   mode: none            # none (single instance, always leader), member or client
 *   name: updraft         # Hazelcast cluster name; members and clients must agree
 *   members: ["10.0.0.5:5701"]   # member addresses to join or connect to
 *   host: 0.0.0.0         # member mode: interface to listen on
 *   port: 5701            # member mode: port to listen on (0: any free port)
 *   public_address: null  # member mode: address others reach this member at (routed networks)
 * </pre>
 */
public record ClusterConfig(
    @JsonProperty("mode") Mode mode,
    @JsonProperty("name") String name,
    @JsonProperty("members") List<String> members,
    @JsonProperty("host") String host,
    @JsonProperty("port") Integer port,
    @JsonProperty("public_address") String publicAddress) {

  /** How this process takes part in the cluster. */
  public enum Mode {
    @JsonProperty("none") NONE,
    @JsonProperty("member") MEMBER,
    @JsonProperty("client") CLIENT
  }

  public ClusterConfig {
    mode = mode == null ? Mode.NONE : mode;
    name = name == null || name.isBlank() ? "updraft" : name;
    members = members == null ? List.of() : List.copyOf(members);
    host = host == null ? "0.0.0.0" : host;
    port = port == null ? 5701 : port;
  }

  public static ClusterConfig none() {
    return new ClusterConfig(null, null, null, null, null, null);
  }

  /** Checks what the record alone cannot: a client needs somewhere to connect. */
  public ClusterConfig validate() {
    if (port < 0 || port > 65535) {
      throw new ConfigException("cluster.port", "must be between 0 and 65535, got " + port);
    }
    if (mode == Mode.CLIENT && members.isEmpty()) {
      throw new ConfigException("cluster.members", "a client needs at least one member address");
    }
    return this;
  }
}
