package io.updraft.controller.drains;

import io.updraft.controller.db.Database;
import io.vertx.core.Future;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The {@code drains} table (every query on a worker through {@link Database#tx}). */
public final class DrainStore {

  private static final String COLUMNS = "d.id, d.app_id, a.name, d.name, d.url, d.created_at, "
      + "d.dropped";

  /** A drain of that name exists already for the app. */
  public static final class DuplicateDrainException extends RuntimeException {
    DuplicateDrainException(String name) {
      super("the app already has a drain named " + name);
    }
  }

  private final Database db;
  private final Clock clock;

  public DrainStore(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  /** The app's drains, by name. */
  public Future<List<Drain>> list(long appId) {
    return db.tx(c -> query(c.prepareStatement("SELECT " + COLUMNS + " FROM drains d JOIN apps a"
        + " ON a.id = d.app_id WHERE d.app_id = ? ORDER BY d.name"), appId));
  }

  /** Every drain of every app (what the forwarder sends to). */
  public Future<List<Drain>> all() {
    return db.tx(c -> query(c.prepareStatement("SELECT " + COLUMNS + " FROM drains d JOIN apps a"
        + " ON a.id = d.app_id ORDER BY d.id")));
  }

  /**
   * Adds a drain unless the app has {@code maxPerApp} already (fails with
   * {@link IllegalStateException}) or one of that name ({@link DuplicateDrainException}).
   */
  public Future<Drain> add(long appId, String name, String url, int maxPerApp) {
    long now = clock.instant().getEpochSecond();
    return db.tx(c -> {
      int have = 0;
      try (PreparedStatement st = c.prepareStatement("SELECT name FROM drains WHERE app_id = ?")) {
        st.setLong(1, appId);
        try (ResultSet rs = st.executeQuery()) {
          while (rs.next()) {
            if (rs.getString(1).equals(name)) {
              throw new DuplicateDrainException(name);
            }
            have++;
          }
        }
      }
      if (have >= maxPerApp) {
        throw new IllegalStateException("the app has " + have + " drains, the most allowed");
      }
      try (PreparedStatement st = c.prepareStatement("INSERT INTO drains (app_id, name, url, "
          + "created_at) VALUES (?, ?, ?, ?)")) {
        st.setLong(1, appId);
        st.setString(2, name);
        st.setString(3, url);
        st.setLong(4, now);
        st.executeUpdate();
      } catch (SQLException e) {
        if (e.getSQLState() != null && e.getSQLState().startsWith("23")) {
          throw new DuplicateDrainException(name); // added by a concurrent request
        }
        throw e;
      }
      return find(c, appId, name).orElseThrow();
    });
  }

  /** Removes the app's drain of that name; false when there was none. */
  public Future<Boolean> delete(long appId, String name) {
    return db.tx(c -> {
      try (PreparedStatement st = c.prepareStatement(
          "DELETE FROM drains WHERE app_id = ? AND name = ?")) {
        st.setLong(1, appId);
        st.setString(2, name);
        return st.executeUpdate() > 0;
      }
    });
  }

  /** Adds lines dropped since the last call, by drain id (drains deleted meanwhile are skipped). */
  public Future<Void> addDropped(Map<Long, Long> byDrain) {
    if (byDrain.isEmpty()) {
      return Future.succeededFuture();
    }
    return db.tx(c -> {
      try (PreparedStatement st = c.prepareStatement(
          "UPDATE drains SET dropped = dropped + ? WHERE id = ?")) {
        for (Map.Entry<Long, Long> e : byDrain.entrySet()) {
          st.setLong(1, e.getValue());
          st.setLong(2, e.getKey());
          st.addBatch();
        }
        st.executeBatch();
      }
      return null;
    });
  }

  private static Optional<Drain> find(java.sql.Connection c, long appId, String name)
      throws SQLException {
    List<Drain> found = query(c.prepareStatement("SELECT " + COLUMNS + " FROM drains d JOIN apps"
        + " a ON a.id = d.app_id WHERE d.app_id = ? AND d.name = ?"), appId, name);
    return found.stream().findFirst();
  }

  private static List<Drain> query(PreparedStatement st, Object... params) throws SQLException {
    try (st) {
      for (int i = 0; i < params.length; i++) {
        if (params[i] instanceof Long l) {
          st.setLong(i + 1, l);
        } else if (params[i] instanceof String s) {
          st.setString(i + 1, s);
        }
      }
      List<Drain> out = new ArrayList<>();
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          out.add(new Drain(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4),
              rs.getString(5), rs.getLong(6), rs.getLong(7)));
        }
      }
      return out;
    }
  }
}
