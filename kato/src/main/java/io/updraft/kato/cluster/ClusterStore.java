package io.updraft.kato.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Optional;

/**
 * The cluster's shared state as the node agent sees it: config documents keyed by component
 * and the node list. Implemented over Hazelcast ({@link HazelcastClusterStore}); calls may block
 * on the network, so never make them on an event loop.
 */
public interface ClusterStore extends AutoCloseable {

  Optional<ObjectNode> config(String component);

  void putConfig(String component, ObjectNode document);

  void deleteConfig(String component);

  Map<String, ObjectNode> configs();

  Map<String, ObjectNode> nodes();

  void putNode(String id, ObjectNode node);

  void removeNode(String id);

  /** Hazelcast members (core nodes) currently in the cluster. */
  int members();

  @Override
  void close();
}
