package io.updraft.servicesnode.backend;

import io.updraft.common.protocol.services.ServiceType;
import io.updraft.servicesnode.ServicesNodeConfig.ServiceConfig;
import io.updraft.servicesnode.store.InstanceRecord;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * PostgreSQL: an instance is a database owned by a login role of the same name; a binding is a
 * login role of its own that is a member of the owner role and acts as it by default
 * ({@code ALTER ROLE … SET role}), so the tables an app creates belong to the instance and
 * survive unbinding. Unbinding disables the role, ends its sessions, hands anything it still
 * owns to the owner and drops it; unprovisioning ends every session and drops the database and
 * all its roles. {@code CONNECT} on the database is revoked from {@code PUBLIC}.
 *
 * <p>Every owner role is a member of {@value #LOGIN_GROUP} (bindings through their owner), so
 * a server whose {@code pg_hba.conf} trusts loopback can still demand passwords of the roles
 * the node makes: {@code host all +updraft_services 127.0.0.1/32 scram-sha-256} before the
 * trust lines ({@code scripts/setup-deps} does this).
 */
public final class PostgresBackend implements Backend {

  /** The group every role the node creates belongs to (for pg_hba.conf rules). */
  public static final String LOGIN_GROUP = "updraft_services";

  private final ServiceConfig config;

  public PostgresBackend(ServiceConfig config) {
    this.config = config;
  }

  @Override
  public ServiceType type() {
    return ServiceType.POSTGRESQL;
  }

  private Connection admin(String database) throws SQLException {
    Properties p = new Properties();
    if (config.adminUser() != null) {
      p.setProperty("user", config.adminUser());
    }
    if (config.adminPassword() != null) {
      p.setProperty("password", config.adminPassword());
    }
    int seconds = (int) Math.max(1, config.opTimeoutMs() / 1000);
    p.setProperty("connectTimeout", String.valueOf(Math.min(seconds, 10)));
    p.setProperty("socketTimeout", String.valueOf(seconds));
    p.setProperty("ApplicationName", "updraft-services-node");
    return DriverManager.getConnection("jdbc:postgresql://" + config.host() + ":" + config.port()
        + "/" + database, p);
  }

  @Override
  public String detectVersion() throws SQLException {
    try (Connection c = admin(config.adminDatabase()); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SHOW server_version_num")) {
      rs.next();
      int num = Integer.parseInt(rs.getString(1).trim());
      return num >= 100000 ? String.valueOf(num / 10000) : (num / 10000) + "." + (num / 100 % 100);
    }
  }

  @Override
  public void check() throws SQLException {
    try (Connection c = admin(config.adminDatabase()); Statement st = c.createStatement()) {
      st.execute("SELECT 1");
    }
  }

  @Override
  public Map<String, Object> provision(String id) throws SQLException {
    String db = Secrets.identifier(id);
    String password = Secrets.password();
    try (Connection c = admin(config.adminDatabase()); Statement st = c.createStatement()) {
      if (!roleExists(c, LOGIN_GROUP)) {
        try {
          st.execute("CREATE ROLE " + LOGIN_GROUP + " NOLOGIN");
        } catch (SQLException e) {
          // another node on the same server made it meanwhile
          if (!roleExists(c, LOGIN_GROUP)) {
            throw e;
          }
        }
      }
      st.execute("CREATE ROLE " + db + " LOGIN PASSWORD '" + password + "' IN ROLE "
          + LOGIN_GROUP);
      try {
        st.execute("CREATE DATABASE " + db + " OWNER " + db);
        st.execute("REVOKE ALL ON DATABASE " + db + " FROM PUBLIC");
      } catch (SQLException e) {
        dropQuietly(st, "DROP DATABASE IF EXISTS " + db);
        dropQuietly(st, "DROP ROLE IF EXISTS " + db);
        throw e;
      }
    }
    return Credentials.database("postgres", config, db, db, password);
  }

  @Override
  public Map<String, Object> bind(InstanceRecord instance) throws SQLException {
    String db = Secrets.identifier(instance.id());
    String owner = Secrets.identifier(instance.ownerUser());
    String user = Secrets.id('u');
    String password = Secrets.password();
    try (Connection c = admin(config.adminDatabase()); Statement st = c.createStatement()) {
      st.execute("CREATE ROLE " + user + " LOGIN PASSWORD '" + password + "' IN ROLE " + owner);
      try {
        // tables the app creates belong to the instance, not to this binding
        st.execute("ALTER ROLE " + user + " SET role = '" + owner + "'");
      } catch (SQLException e) {
        dropQuietly(st, "DROP ROLE IF EXISTS " + user);
        throw e;
      }
    }
    return Credentials.database("postgres", config, db, user, password);
  }

  @Override
  public void unbind(InstanceRecord instance, Map<String, Object> binding) throws SQLException {
    String db = Secrets.identifier(instance.id());
    String owner = Secrets.identifier(instance.ownerUser());
    String user = Secrets.identifier(binding.get("user"));
    try (Connection c = admin(config.adminDatabase()); Statement st = c.createStatement()) {
      if (!roleExists(c, user)) {
        return;
      }
      st.execute("ALTER ROLE " + user + " NOLOGIN");
      terminate(c, "usename", user);
      if (databaseExists(c, db)) {
        try (Connection inDb = admin(db); Statement s = inDb.createStatement()) {
          s.execute("REASSIGN OWNED BY " + user + " TO " + owner);
          s.execute("DROP OWNED BY " + user);
        }
      }
      st.execute("DROP ROLE IF EXISTS " + user);
    }
  }

  @Override
  public void unprovision(InstanceRecord instance) throws SQLException {
    String db = Secrets.identifier(instance.id());
    List<String> roles = new ArrayList<>();
    for (Map<String, Object> b : instance.bindings().values()) {
      roles.add(Secrets.identifier(b.get("user")));
    }
    roles.add(Secrets.identifier(instance.ownerUser()));
    try (Connection c = admin(config.adminDatabase()); Statement st = c.createStatement()) {
      for (String role : roles) {
        if (roleExists(c, role)) {
          st.execute("ALTER ROLE " + role + " NOLOGIN");
        }
      }
      terminate(c, "datname", db);
      for (String role : roles) {
        terminate(c, "usename", role);
      }
      st.execute("DROP DATABASE IF EXISTS " + db);
      for (String role : roles) {
        st.execute("DROP ROLE IF EXISTS " + role);
      }
    }
  }

  private static void terminate(Connection c, String column, String value) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(pid) FROM "
        + "pg_stat_activity WHERE " + column + " = ? AND pid <> pg_backend_pid()")) {
      ps.setString(1, value);
      ps.executeQuery().close();
    }
  }

  private static boolean roleExists(Connection c, String role) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
      ps.setString(1, role);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private static boolean databaseExists(Connection c, String db) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT 1 FROM pg_database WHERE datname = ?")) {
      ps.setString(1, db);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private static void dropQuietly(Statement st, String sql) {
    try {
      st.execute(sql);
    } catch (SQLException ignored) {
      // cleanup after a failure: the original error is what the caller reports
    }
  }
}
