package io.updraft.controller.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.updraft.common.bus.Bus;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.node.ClusterConfigReply;
import io.updraft.common.protocol.node.ClusterConfigRequest;
import io.vertx.core.Future;
import java.time.Duration;

/**
 * Reads and changes the cluster config through the kato node agents
 * ({@code updraft.config.request}, answered by one agent of the {@code kato} queue group): the
 * cluster store lives with the agents, the controller only relays an admin's request. A request
 * nobody answers fails with the bus's timeout or no-responders error.
 */
public final class ClusterConfigClient {

  /** Agents answer from their in-memory store; this covers a loaded core node. */
  public static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final Bus bus;
  private final Duration timeout;

  public ClusterConfigClient(Bus bus, Duration timeout) {
    this.bus = bus;
    this.timeout = timeout;
  }

  /** The whole config, or one component's when {@code component} is given. */
  public Future<ClusterConfigReply> get(String component) {
    return bus.request(Subjects.CONFIG_REQUEST,
        new ClusterConfigRequest("get", component, null, null, null), ClusterConfigReply.class,
        timeout);
  }

  public Future<ClusterConfigReply> set(String component, String key, JsonNode value,
      String by) {
    return bus.request(Subjects.CONFIG_REQUEST,
        new ClusterConfigRequest("set", component, key, value, by), ClusterConfigReply.class,
        timeout);
  }

  public Future<ClusterConfigReply> delete(String component, String key, String by) {
    return bus.request(Subjects.CONFIG_REQUEST,
        new ClusterConfigRequest("delete", component, key, null, by), ClusterConfigReply.class,
        timeout);
  }
}
