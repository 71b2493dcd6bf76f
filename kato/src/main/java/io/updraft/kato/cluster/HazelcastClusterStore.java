package io.updraft.kato.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MapStoreConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.updraft.common.cluster.ClusterConfig;
import io.updraft.common.cluster.ClusterConnection;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@link ClusterStore} over Hazelcast: the core node's agent is a member whose maps are
 * persisted by {@link FileMapStore} under {@code $UPDRAFT_HOME/cluster/}; every other node's
 * agent is a client of it. Values are JSON strings, so members and clients share no classes.
 *
 * <ul>
 *   <li>{@value #CONFIG_MAP}: component name ({@code cloud_controller}, {@code cluster}, ...)
 *       to its config document</li>
 *   <li>{@value #NODES_MAP}: node id to hostname, ip, roles, state, processes, last seen</li>
 * </ul>
 */
public final class HazelcastClusterStore implements ClusterStore {

  public static final String CONFIG_MAP = "updraft.config";
  public static final String NODES_MAP = "updraft.nodes";
  public static final String CLUSTER_NAME = "updraft";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HazelcastInstance hazelcast;
  private final IMap<String, String> config;
  private final IMap<String, String> nodes;

  private HazelcastClusterStore(HazelcastInstance hazelcast) {
    this.hazelcast = hazelcast;
    this.config = hazelcast.getMap(CONFIG_MAP);
    this.nodes = hazelcast.getMap(NODES_MAP);
  }

  /**
   * Starts the core's member, listening on {@code bind:port} and reached by others at
   * {@code publicIp:port}; its maps load from and write through to {@code dataDir}.
   */
  public static HazelcastClusterStore member(String bind, String publicIp, int port,
      Path dataDir, String instanceName) {
    String self = publicIp + ":" + port;
    Config hz = ClusterConnection.memberConfig(new ClusterConfig(ClusterConfig.Mode.MEMBER,
        CLUSTER_NAME, List.of(self), bind, port, self), instanceName);
    fewPartitions(hz::setProperty);
    for (String map : new String[] {CONFIG_MAP, NODES_MAP}) {
      hz.addMapConfig(new MapConfig(map).setMapStoreConfig(new MapStoreConfig()
          .setEnabled(true)
          .setImplementation(new FileMapStore(dataDir.resolve(map)))
          .setWriteDelaySeconds(0)
          .setInitialLoadMode(MapStoreConfig.InitialLoadMode.EAGER)));
    }
    return new HazelcastClusterStore(Hazelcast.newHazelcastInstance(hz));
  }

  /**
   * Connects to the core's member at {@code address} ({@code ip:port}) as a client; retries
   * for ever after a first connection (the caller bounds the first one).
   */
  public static HazelcastClusterStore client(String address, String instanceName,
      long connectTimeoutMillis) {
    ClientConfig hz = ClusterConnection.clientConfig(new ClusterConfig(ClusterConfig.Mode.CLIENT,
        CLUSTER_NAME, List.of(address), null, null, null), instanceName);
    fewPartitions(hz::setProperty);
    hz.getNetworkConfig().setSmartRouting(false);
    hz.getConnectionStrategyConfig().getConnectionRetryConfig()
        .setClusterConnectTimeoutMillis(connectTimeoutMillis)
        .setInitialBackoffMillis(200).setMaxBackoffMillis(2000);
    return new HazelcastClusterStore(HazelcastClient.newHazelcastClient(hz));
  }

  private interface PropertySetter {
    Object set(String key, String value);
  }

  /** A handful of small documents: few partitions and threads keep the agent's memory low. */
  private static void fewPartitions(PropertySetter set) {
    set.set("hazelcast.partition.count", "7");
  }

  @Override
  public Optional<ObjectNode> config(String component) {
    return Optional.ofNullable(config.get(component)).map(HazelcastClusterStore::parse);
  }

  @Override
  public void putConfig(String component, ObjectNode document) {
    config.set(component, document.toString());
  }

  @Override
  public void deleteConfig(String component) {
    config.delete(component);
  }

  @Override
  public Map<String, ObjectNode> configs() {
    Map<String, ObjectNode> out = new TreeMap<>();
    config.forEach((k, v) -> out.put(k, parse(v)));
    return out;
  }

  @Override
  public Map<String, ObjectNode> nodes() {
    Map<String, ObjectNode> out = new LinkedHashMap<>();
    new TreeMap<>(nodes).forEach((k, v) -> out.put(k, parse(v)));
    return out;
  }

  @Override
  public void putNode(String id, ObjectNode node) {
    nodes.set(id, node.toString());
  }

  @Override
  public void removeNode(String id) {
    nodes.delete(id);
  }

  @Override
  public int members() {
    return hazelcast.getCluster().getMembers().size();
  }

  @Override
  public void close() {
    hazelcast.shutdown();
  }

  private static ObjectNode parse(String json) {
    try {
      return (ObjectNode) JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
