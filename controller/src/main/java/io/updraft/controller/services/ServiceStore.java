package io.updraft.controller.services;

import com.fasterxml.jackson.core.type.TypeReference;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.services.ServiceType;
import io.updraft.controller.api.ApiError;
import io.updraft.controller.db.Database;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Service instances and bindings in the controller database (table {@code service_instances},
 * {@code service_bindings}; migration V2). Names are unique per owner. Credentials are kept as
 * JSON text; nothing here logs them. All JDBC runs on worker threads through {@link Database}.
 */
public final class ServiceStore {

  private static final String INSTANCE_COLUMNS = "i.id, i.owner_id, i.name, i.vendor, "
      + "i.version, i.plan, i.node_id, i.service_id, i.credentials, i.created_at";

  private final Database db;
  private final Clock clock;

  public ServiceStore(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  public Future<List<ServiceInstance>> list(long ownerId) {
    return db.tx(c -> {
      try (PreparedStatement st = c.prepareStatement("SELECT " + INSTANCE_COLUMNS
          + " FROM service_instances i WHERE i.owner_id = ? ORDER BY i.name")) {
        st.setLong(1, ownerId);
        return readInstances(st);
      }
    });
  }

  public Future<Optional<ServiceInstance>> find(long ownerId, String name) {
    return db.tx(c -> find(c, ownerId, name));
  }

  public Future<Integer> count(long ownerId) {
    return db.tx(c -> {
      try (PreparedStatement st = c.prepareStatement(
          "SELECT COUNT(*) FROM service_instances WHERE owner_id = ?")) {
        st.setLong(1, ownerId);
        try (ResultSet rs = st.executeQuery()) {
          rs.next();
          return rs.getInt(1);
        }
      }
    });
  }

  /** Records a provisioned instance; a name the owner already uses is 400/100. */
  public Future<ServiceInstance> create(long ownerId, String name, ServiceType type,
      String version, String plan, String nodeId, Map<String, Object> credentials) {
    return db.tx(c -> {
      if (find(c, ownerId, name).isPresent()) {
        throw duplicate(name);
      }
      try (PreparedStatement st = c.prepareStatement("INSERT INTO service_instances (owner_id, "
          + "name, vendor, version, plan, node_id, service_id, credentials, created_at) "
          + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        st.setLong(1, ownerId);
        st.setString(2, name);
        st.setString(3, type.serviceName());
        st.setString(4, version);
        st.setString(5, plan);
        st.setString(6, nodeId);
        st.setString(7, String.valueOf(credentials.get("name")));
        st.setString(8, Json.encodeToString(credentials));
        st.setLong(9, clock.instant().getEpochSecond());
        st.executeUpdate();
      }
      return find(c, ownerId, name).orElseThrow();
    });
  }

  static ApiError duplicate(String name) {
    return ApiError.badRequest("A service named '" + name + "' already exists");
  }

  /** Deletes the instance; its bindings must be gone already. */
  public Future<Void> delete(long instanceId) {
    return db.tx(c -> {
      try (PreparedStatement st = c.prepareStatement(
          "DELETE FROM service_instances WHERE id = ?")) {
        st.setLong(1, instanceId);
        st.executeUpdate();
      }
      return null;
    });
  }

  public Future<List<ServiceInstance.Binding>> bindingsOfApp(long appId) {
    return bindings("b.app_id = ?", appId);
  }

  public Future<List<ServiceInstance.Binding>> bindingsOfInstance(long instanceId) {
    return bindings("b.instance_id = ?", instanceId);
  }

  /** Every binding of the owner's instances (for listings). */
  public Future<List<ServiceInstance.Binding>> bindingsOfOwner(long ownerId) {
    return bindings("i.owner_id = ?", ownerId);
  }

  private Future<List<ServiceInstance.Binding>> bindings(String where, long value) {
    return db.tx(c -> {
      try (PreparedStatement st = c.prepareStatement("SELECT b.id AS binding_id, b.app_id, "
          + "b.credentials AS binding_credentials, a.name AS app_name, " + INSTANCE_COLUMNS
          + " FROM service_bindings b JOIN service_instances i ON i.id = b.instance_id "
          + "JOIN apps a ON a.id = b.app_id WHERE " + where + " ORDER BY a.name, i.name")) {
        st.setLong(1, value);
        List<ServiceInstance.Binding> out = new ArrayList<>();
        try (ResultSet rs = st.executeQuery()) {
          while (rs.next()) {
            out.add(new ServiceInstance.Binding(rs.getLong("binding_id"), rs.getLong("app_id"),
                rs.getString("app_name"), instance(rs),
                map(rs.getString("binding_credentials"))));
          }
        }
        return out;
      }
    });
  }

  public Future<Void> addBinding(long appId, ServiceInstance instance,
      Map<String, Object> credentials) {
    return db.tx(c -> {
      try (PreparedStatement st = c.prepareStatement("INSERT INTO service_bindings (app_id, "
          + "instance_id, credentials, created_at) VALUES (?, ?, ?, ?)")) {
        st.setLong(1, appId);
        st.setLong(2, instance.id());
        st.setString(3, Json.encodeToString(credentials));
        st.setLong(4, clock.instant().getEpochSecond());
        st.executeUpdate();
      }
      return null;
    });
  }

  public Future<Void> removeBinding(long bindingId) {
    return db.tx(c -> {
      try (PreparedStatement st = c.prepareStatement(
          "DELETE FROM service_bindings WHERE id = ?")) {
        st.setLong(1, bindingId);
        st.executeUpdate();
      }
      return null;
    });
  }

  private static Optional<ServiceInstance> find(Connection c, long ownerId, String name)
      throws SQLException {
    try (PreparedStatement st = c.prepareStatement("SELECT " + INSTANCE_COLUMNS
        + " FROM service_instances i WHERE i.owner_id = ? AND i.name = ?")) {
      st.setLong(1, ownerId);
      st.setString(2, name);
      return readInstances(st).stream().findFirst();
    }
  }

  private static List<ServiceInstance> readInstances(PreparedStatement st) throws SQLException {
    List<ServiceInstance> out = new ArrayList<>();
    try (ResultSet rs = st.executeQuery()) {
      while (rs.next()) {
        out.add(instance(rs));
      }
    }
    return out;
  }

  private static ServiceInstance instance(ResultSet rs) throws SQLException {
    String vendor = rs.getString("vendor");
    ServiceType type = ServiceType.byName(vendor).orElseThrow(() ->
        new SQLException("unknown service vendor in the database: " + vendor));
    return new ServiceInstance(rs.getLong("id"), rs.getLong("owner_id"), rs.getString("name"),
        type, rs.getString("version"), rs.getString("plan"), rs.getString("node_id"),
        rs.getString("service_id"), map(rs.getString("credentials")),
        rs.getLong("created_at"));
  }

  private static Map<String, Object> map(String json) {
    return Json.mapper().convertValue(Json.tree(json.getBytes(StandardCharsets.UTF_8)),
        new TypeReference<Map<String, Object>>() { });
  }
}
