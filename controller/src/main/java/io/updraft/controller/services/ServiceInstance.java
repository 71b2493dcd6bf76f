package io.updraft.controller.services;

import io.updraft.common.protocol.Immutable;
import io.updraft.common.protocol.services.ServiceType;
import java.util.Map;

/**
 * A provisioned service instance as the controller stores it: the user's name (alias) for it,
 * its type, version and plan, the node that holds it and the node's credentials (secret: the
 * instance's owner credentials, never shown to apps or logs; apps get binding credentials).
 *
 * @param serviceId the node's instance id ({@code credentials.name})
 */
public record ServiceInstance(long id, long ownerId, String name, ServiceType type,
    String version, String plan, String nodeId, String serviceId,
    Map<String, Object> credentials, long createdAt) {

  public ServiceInstance {
    credentials = Immutable.map(credentials);
  }

  /** {@code <vendor>-<version>}, e.g. {@code postgresql-15}. */
  public String label() {
    return type.serviceName() + "-" + version;
  }

  @Override
  public String toString() {
    return "ServiceInstance{name=" + name + ", label=" + label() + ", plan=" + plan + ", node="
        + nodeId + ", service_id=" + serviceId + "}";
  }

  /**
   * One app's binding to an instance, with the credentials the node made for it (secret).
   *
   * @param appName the bound app's name, for messages
   */
  public record Binding(long id, long appId, String appName, ServiceInstance instance,
      Map<String, Object> credentials) {

    public Binding {
      credentials = Immutable.map(credentials);
    }

    @Override
    public String toString() {
      return "Binding{app=" + appName + ", service=" + instance.name() + "}";
    }
  }
}
