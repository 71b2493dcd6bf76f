package io.updraft.servicesnode.store;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Immutable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One provisioned instance as the node records it, with its bindings by key (the binding's
 * user, or its {@code binding_id}). Credentials are secret: {@link #toString()} omits them.
 *
 * @param id instance id ({@code credentials.name}), also the database / key prefix name
 * @param createdAt Unix seconds
 */
public record InstanceRecord(
    @JsonProperty("id") String id,
    @JsonProperty("plan") String plan,
    @JsonProperty("version") String version,
    @JsonProperty("created_at") long createdAt,
    @JsonProperty("credentials") Map<String, Object> credentials,
    @JsonProperty("bindings") Map<String, Map<String, Object>> bindings) {

  public InstanceRecord {
    credentials = Immutable.map(credentials);
    Map<String, Map<String, Object>> copy = new LinkedHashMap<>();
    if (bindings != null) {
      bindings.forEach((k, v) -> copy.put(k, Immutable.map(v)));
    }
    bindings = java.util.Collections.unmodifiableMap(copy);
  }

  public InstanceRecord withBinding(String key, Map<String, Object> binding) {
    Map<String, Map<String, Object>> next = new LinkedHashMap<>(bindings);
    next.put(key, binding);
    return new InstanceRecord(id, plan, version, createdAt, credentials, next);
  }

  public InstanceRecord withoutBinding(String key) {
    Map<String, Map<String, Object>> next = new LinkedHashMap<>(bindings);
    next.remove(key);
    return new InstanceRecord(id, plan, version, createdAt, credentials, next);
  }

  /** The owner user of the instance (the one provisioning created). */
  public String ownerUser() {
    Object user = credentials.get("user");
    return user == null ? null : user.toString();
  }

  @Override
  public String toString() {
    return "InstanceRecord{id=" + id + ", plan=" + plan + ", bindings=" + bindings.size() + "}";
  }
}
