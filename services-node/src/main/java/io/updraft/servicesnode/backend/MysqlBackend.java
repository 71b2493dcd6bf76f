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
 * MySQL/MariaDB: an instance is a database with an owner user of the same name; a binding is a
 * user of its own with every privilege on that database only. Users are {@code 'name'@'%'}.
 * Unbinding drops the user first (no new logins) and then kills its connections, since
 * {@code DROP USER} leaves open sessions running; unprovisioning does the same for every user
 * of the instance and drops the database.
 */
public final class MysqlBackend implements Backend {

  private final ServiceConfig config;

  public MysqlBackend(ServiceConfig config) {
    this.config = config;
  }

  @Override
  public ServiceType type() {
    return ServiceType.MYSQL;
  }

  private Connection admin() throws SQLException {
    Properties p = new Properties();
    if (config.adminUser() != null) {
      p.setProperty("user", config.adminUser());
    }
    p.setProperty("password", config.adminPassword() == null ? "" : config.adminPassword());
    p.setProperty("connectTimeout", String.valueOf(Math.min(config.opTimeoutMs(), 10_000)));
    p.setProperty("socketTimeout", String.valueOf(config.opTimeoutMs()));
    return DriverManager.getConnection("jdbc:mariadb://" + config.host() + ":" + config.port()
        + "/", p);
  }

  @Override
  public String detectVersion() throws SQLException {
    try (Connection c = admin(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT VERSION()")) {
      rs.next();
      String[] parts = rs.getString(1).split("[.-]");
      return parts.length >= 2 ? parts[0] + "." + parts[1] : parts[0];
    }
  }

  @Override
  public void check() throws SQLException {
    try (Connection c = admin(); Statement st = c.createStatement()) {
      st.execute("SELECT 1");
    }
  }

  @Override
  public Map<String, Object> provision(String id) throws SQLException {
    String db = Secrets.identifier(id);
    String password = Secrets.password();
    try (Connection c = admin(); Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE `" + db + "`");
      try {
        createUser(st, db, db, password);
      } catch (SQLException e) {
        quietly(st, "DROP USER IF EXISTS '" + db + "'@'%'");
        quietly(st, "DROP DATABASE IF EXISTS `" + db + "`");
        throw e;
      }
    }
    return Credentials.database("mysql", config, db, db, password);
  }

  @Override
  public Map<String, Object> bind(InstanceRecord instance) throws SQLException {
    String db = Secrets.identifier(instance.id());
    String user = Secrets.id('u');
    String password = Secrets.password();
    try (Connection c = admin(); Statement st = c.createStatement()) {
      try {
        createUser(st, db, user, password);
      } catch (SQLException e) {
        quietly(st, "DROP USER IF EXISTS '" + user + "'@'%'");
        throw e;
      }
    }
    return Credentials.database("mysql", config, db, user, password);
  }

  private static void createUser(Statement st, String db, String user, String password)
      throws SQLException {
    st.execute("CREATE USER '" + user + "'@'%' IDENTIFIED BY '" + password + "'");
    st.execute("GRANT ALL PRIVILEGES ON `" + db + "`.* TO '" + user + "'@'%'");
  }

  @Override
  public void unbind(InstanceRecord instance, Map<String, Object> binding) throws SQLException {
    String user = Secrets.identifier(binding.get("user"));
    try (Connection c = admin(); Statement st = c.createStatement()) {
      st.execute("DROP USER IF EXISTS '" + user + "'@'%'");
      kill(c, user);
    }
  }

  @Override
  public void unprovision(InstanceRecord instance) throws SQLException {
    String db = Secrets.identifier(instance.id());
    List<String> users = new ArrayList<>();
    for (Map<String, Object> b : instance.bindings().values()) {
      users.add(Secrets.identifier(b.get("user")));
    }
    users.add(Secrets.identifier(instance.ownerUser()));
    try (Connection c = admin(); Statement st = c.createStatement()) {
      for (String user : users) {
        st.execute("DROP USER IF EXISTS '" + user + "'@'%'");
      }
      for (String user : users) {
        kill(c, user);
      }
      st.execute("DROP DATABASE IF EXISTS `" + db + "`");
    }
  }

  /** Ends every connection of the user (they outlive DROP USER otherwise). */
  private static void kill(Connection c, String user) throws SQLException {
    List<Long> ids = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ?")) {
      ps.setString(1, user);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getLong(1));
        }
      }
    }
    try (Statement st = c.createStatement()) {
      for (long id : ids) {
        quietly(st, "KILL CONNECTION " + id);
      }
    }
  }

  private static void quietly(Statement st, String sql) {
    try {
      st.execute(sql);
    } catch (SQLException ignored) {
      // cleanup, or a connection that ended by itself meanwhile
    }
  }
}
