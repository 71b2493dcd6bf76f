package io.updraft.common.cluster;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens this process's Hazelcast instance: an embedded member (core nodes) or a client. Blocking:
 * call it on a worker thread. Failure detection is tuned for a LAN or a routed cloud network:
 * a member that stops answering for 5 s is removed, so leases it held move on quickly.
 */
public final class ClusterConnection {

  private static final Logger log = LoggerFactory.getLogger(ClusterConnection.class);

  private ClusterConnection() {
  }

  public static HazelcastInstance open(ClusterConfig config, String instanceName) {
    return switch (config.mode()) {
      case MEMBER -> member(config, instanceName);
      case CLIENT -> client(config, instanceName);
      case NONE -> throw new IllegalStateException("cluster mode is none");
    };
  }

  private static HazelcastInstance member(ClusterConfig config, String instanceName) {
    HazelcastInstance instance = Hazelcast.newHazelcastInstance(memberConfig(config,
        instanceName));
    log.atInfo().setMessage("cluster.joined").addKeyValue("mode", "member")
        .addKeyValue("cluster", config.name())
        .addKeyValue("members", instance.getCluster().getMembers().size()).log();
    return instance;
  }

  /**
   * The member settings every Updraft member shares (TCP join to {@code members}, no multicast,
   * fast failure detection, slf4j logging); callers may add maps or properties before starting.
   */
  public static Config memberConfig(ClusterConfig config, String instanceName) {
    Config hz = new Config();
    hz.setInstanceName(instanceName);
    hz.setClusterName(config.name());
    common(hz::setProperty);
    hz.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    hz.setProperty("hazelcast.max.no.heartbeat.seconds", "5");
    hz.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
    hz.setProperty("hazelcast.merge.next.run.delay.seconds", "5");
    hz.getNetworkConfig().setPort(config.port()).setPortAutoIncrement(config.port() == 0);
    if (!"0.0.0.0".equals(config.host())) {
      hz.getNetworkConfig().getInterfaces().setEnabled(true).addInterface(config.host());
      hz.setProperty("hazelcast.socket.bind.any", "false");
    }
    if (config.publicAddress() != null) {
      hz.getNetworkConfig().setPublicAddress(config.publicAddress());
    }
    JoinConfig join = hz.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(config.members())
        .setConnectionTimeoutSeconds(2);
    return hz;
  }

  private static HazelcastInstance client(ClusterConfig config, String instanceName) {
    HazelcastInstance instance = HazelcastClient.newHazelcastClient(clientConfig(config,
        instanceName));
    log.atInfo().setMessage("cluster.joined").addKeyValue("mode", "client")
        .addKeyValue("cluster", config.name()).log();
    return instance;
  }

  /**
   * The client settings every Updraft client shares (fast heartbeats, retrying the cluster for
   * ever with capped back-off); callers may bound the first connection before starting.
   */
  public static ClientConfig clientConfig(ClusterConfig config, String instanceName) {
    ClientConfig hz = new ClientConfig();
    hz.setInstanceName(instanceName);
    hz.setClusterName(config.name());
    common(hz::setProperty);
    hz.setProperty("hazelcast.client.heartbeat.interval", "1000");
    hz.setProperty("hazelcast.client.heartbeat.timeout", "5000");
    hz.getNetworkConfig().setAddresses(config.members()).setSmartRouting(true);
    hz.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(-1)
        .setMaxBackoffMillis(5000);
    return hz;
  }

  private interface PropertySetter {
    Object set(String key, String value);
  }

  private static void common(PropertySetter set) {
    set.set("hazelcast.logging.type", "slf4j");
    set.set("hazelcast.phone.home.enabled", "false");
    set.set("hazelcast.shutdownhook.enabled", "false");
    // a call whose partition owner died fails fast instead of hanging for the default 2 minutes
    set.set("hazelcast.operation.call.timeout.millis", "5000");
    set.set("hazelcast.invocation.max.retry.count", "20");
  }
}
