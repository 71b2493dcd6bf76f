package io.updraft.controller.db;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A fresh database on the PostgreSQL server on loopback, one per test class, dropped after.
 * {@code UPDRAFT_TEST_PG_HOST}/{@code _PORT}/{@code _USER}/{@code _PASSWORD} override where it
 * is; scripts/setup-deps starts the local server when it is installed but stopped.
 */
public final class TestPostgres implements AutoCloseable {

  private final String admin;
  private final String name;

  private TestPostgres(String admin, String name) {
    this.admin = admin;
    this.name = name;
  }

  private static String env(String key, String fallback) {
    String value = System.getenv(key);
    return value == null || value.isBlank() ? fallback : value;
  }

  private static String base() {
    return "jdbc:postgresql://" + env("UPDRAFT_TEST_PG_HOST", "127.0.0.1") + ":"
        + env("UPDRAFT_TEST_PG_PORT", "5432") + "/";
  }

  static String user() {
    return env("UPDRAFT_TEST_PG_USER", "postgres");
  }

  static String password() {
    return env("UPDRAFT_TEST_PG_PASSWORD", "");
  }

  public static TestPostgres create() throws SQLException {
    String name = "updraft_it_" + Long.toHexString(System.nanoTime());
    String admin = base() + "postgres";
    try (Connection c = DriverManager.getConnection(admin, user(), password());
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new SQLException("PostgreSQL is needed on " + base() + " for this test (run "
          + "scripts/setup-deps to start it): " + e.getMessage(), e);
    }
    return new TestPostgres(admin, name);
  }

  public DatabaseConfig config() {
    return new DatabaseConfig(base() + name, user(), password(), 4);
  }

  @Override
  public void close() throws SQLException {
    try (Connection c = DriverManager.getConnection(admin, user(), password());
        Statement st = c.createStatement()) {
      st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }
  }
}
