package io.updraft.controller.db;

import io.vertx.core.Future;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;

/**
 * Cluster-wide values kept in the database, such as the token signing key: every controller
 * that shares the database reads the same value; the first one to start creates it.
 */
public final class Settings {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Database db;

  public Settings(Database db) {
    this.db = db;
  }

  /** The named secret, created with {@code bytes} random bytes when absent. */
  public Future<byte[]> secret(String name, int bytes) {
    return db.tx(c -> {
      String existing = read(c, name);
      if (existing != null) {
        return HexFormat.of().parseHex(existing);
      }
      byte[] fresh = new byte[bytes];
      RANDOM.nextBytes(fresh);
      try (PreparedStatement st = c.prepareStatement(
          "INSERT INTO settings (setting_name, setting_value) VALUES (?, ?)")) {
        st.setString(1, name);
        st.setString(2, HexFormat.of().formatHex(fresh));
        st.executeUpdate();
      } catch (SQLException e) {
        // another controller created it first: use theirs
        c.rollback();
        return HexFormat.of().parseHex(read(c, name));
      }
      return fresh;
    });
  }

  private static String read(java.sql.Connection c, String name) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("SELECT setting_value FROM settings WHERE setting_name = ?")) {
      st.setString(1, name);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }
}
