package io.updraft.kato.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MapStoreConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
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
    Config hz = new Config();
    hz.setInstanceName(instanceName);
    hz.setClusterName(CLUSTER_NAME);
    common(hz::setProperty);
    hz.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    hz.setProperty("hazelcast.max.no.heartbeat.seconds", "5");
    hz.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
    if (!"0.0.0.0".equals(bind)) {
      hz.getNetworkConfig().getInterfaces().setEnabled(true).addInterface(bind);
      hz.setProperty("hazelcast.socket.bind.any", "false");
    }
    hz.getNetworkConfig().setPublicAddress(publicIp + ":" + port);
    JoinConfig join = hz.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).addMember(publicIp + ":" + port)
        .setConnectionTimeoutSeconds(2);
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
    ClientConfig hz = new ClientConfig();
    hz.setInstanceName(instanceName);
    hz.setClusterName(CLUSTER_NAME);
    common(hz::setProperty);
    hz.setProperty("hazelcast.client.heartbeat.interval", "1000");
    hz.setProperty("hazelcast.client.heartbeat.timeout", "5000");
    hz.getNetworkConfig().addAddress(address).setSmartRouting(false);
    hz.getConnectionStrategyConfig().getConnectionRetryConfig()
        .setClusterConnectTimeoutMillis(connectTimeoutMillis)
        .setInitialBackoffMillis(200).setMaxBackoffMillis(2000);
    return new HazelcastClusterStore(HazelcastClient.newHazelcastClient(hz));
  }

  private interface PropertySetter {
    Object set(String key, String value);
  }

  private static void common(PropertySetter set) {
    set.set("hazelcast.logging.type", "slf4j");
    set.set("hazelcast.phone.home.enabled", "false");
    set.set("hazelcast.shutdownhook.enabled", "false");
    // a handful of small documents: few partitions and threads keep the agent's memory low
    set.set("hazelcast.partition.count", "7");
    set.set("hazelcast.operation.call.timeout.millis", "5000");
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
