package io.updraft.controller.scaling;

import io.updraft.controller.db.Database;
import io.vertx.core.Future;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code scaling_nodes} table: every DEA node a scaling platform launched, shared by all
 * controllers, so whichever controller takes a scale-down (and one restarted since the launch)
 * knows the node is the platform's to remove. Every query on a worker through
 * {@link Database#tx}; times are Unix seconds.
 */
public final class ScalingNodeStore {

  /** A launched node; {@code deaId}, {@code removedAt} and {@code drainStartedAt} may be null. */
  public record Node(String nodeId, String platform, long launchedAt, String deaId,
      Long removedAt, Long drainStartedAt) {

    boolean removed() {
      return removedAt != null;
    }
  }

  private static final String COLUMNS =
      "node_id, platform, launched_at, dea_id, removed_at, drain_started_at";

  private final Database db;
  private final Clock clock;

  public ScalingNodeStore(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  /** Records nodes just launched on {@code platform} (an id seen before is left as it is). */
  public Future<Void> launched(String platform, List<String> nodeIds) {
    long now = clock.instant().getEpochSecond();
    return db.tx(c -> {
      for (String id : nodeIds) {
        if (find(c, id).isPresent()) {
          continue;
        }
        try (PreparedStatement st = c.prepareStatement("INSERT INTO scaling_nodes (node_id, "
            + "platform, launched_at) VALUES (?, ?, ?)")) {
          st.setString(1, id);
          st.setString(2, platform);
          st.setLong(3, now);
          st.executeUpdate();
        }
      }
      return null;
    });
  }

  /**
   * Notes the DEA a launched node turned out to be; false when the node is not one of the
   * platform's live launches (a static DEA's node id, a removed node) or was noted already.
   */
  public Future<Boolean> deaAdvertised(String nodeId, String deaId) {
    return db.tx(c -> {
      try (PreparedStatement st = c.prepareStatement("UPDATE scaling_nodes SET dea_id = ? "
          + "WHERE node_id = ? AND removed_at IS NULL AND (dea_id IS NULL OR dea_id <> ?)")) {
        st.setString(1, deaId);
        st.setString(2, nodeId);
        st.setString(3, deaId);
        return st.executeUpdate() > 0;
      }
    });
  }

  /**
   * The live (not removed) node behind a scale-down: by the node id the DEA advertised when
   * known, else by the DEA id noted from an earlier advertisement.
   */
  public Future<Optional<Node>> live(String nodeId, String deaId) {
    return db.tx(c -> {
      List<Node> found = nodeId != null
          ? query(c, "WHERE node_id = ? AND removed_at IS NULL", nodeId)
          : query(c, "WHERE dea_id = ? AND removed_at IS NULL ORDER BY launched_at DESC",
              deaId);
      return found.stream().findFirst();
    });
  }

  /** Every node launched and not removed, oldest first. */
  public Future<List<Node>> allLive() {
    return db.tx(c -> query(c, "WHERE removed_at IS NULL ORDER BY launched_at, node_id"));
  }

  /** The node as stored, removed or not. */
  public Future<Optional<Node>> get(String nodeId) {
    return db.tx(c -> find(c, nodeId));
  }

  /**
   * Claims the live node for one drain across every controller: true when no drain holds it,
   * or the one that did started more than {@code stale} ago (its controller died mid-drain).
   */
  public Future<Boolean> claimDrain(String nodeId, Duration stale) {
    long now = clock.instant().getEpochSecond();
    return db.tx(c -> {
      try (PreparedStatement st = c.prepareStatement("UPDATE scaling_nodes SET "
          + "drain_started_at = ? WHERE node_id = ? AND removed_at IS NULL "
          + "AND (drain_started_at IS NULL OR drain_started_at < ?)")) {
        st.setLong(1, now);
        st.setString(2, nodeId);
        st.setLong(3, now - stale.toSeconds());
        return st.executeUpdate() > 0;
      }
    });
  }

  /** A drain given up: the node may be drained again. */
  public Future<Void> releaseDrain(String nodeId) {
    return db.tx(c -> {
      try (PreparedStatement st = c.prepareStatement(
          "UPDATE scaling_nodes SET drain_started_at = ? WHERE node_id = ?")) {
        st.setNull(1, Types.BIGINT);
        st.setString(2, nodeId);
        st.executeUpdate();
      }
      return null;
    });
  }

  /** The node was deleted through its platform; the row stays as the record of it. */
  public Future<Boolean> removed(String nodeId) {
    long now = clock.instant().getEpochSecond();
    return db.tx(c -> {
      try (PreparedStatement st = c.prepareStatement("UPDATE scaling_nodes SET removed_at = ?, "
          + "drain_started_at = ? WHERE node_id = ? AND removed_at IS NULL")) {
        st.setLong(1, now);
        st.setNull(2, Types.BIGINT);
        st.setString(3, nodeId);
        return st.executeUpdate() > 0;
      }
    });
  }

  private static Optional<Node> find(Connection c, String nodeId) throws SQLException {
    return query(c, "WHERE node_id = ?", nodeId).stream().findFirst();
  }

  private static List<Node> query(Connection c, String where, String... params)
      throws SQLException {
    try (PreparedStatement st = c.prepareStatement(
        "SELECT " + COLUMNS + " FROM scaling_nodes " + where)) {
      for (int i = 0; i < params.length; i++) {
        st.setString(i + 1, params[i]);
      }
      List<Node> out = new ArrayList<>();
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          long removedAt = rs.getLong(5);
          Long removed = rs.wasNull() ? null : removedAt;
          long drainAt = rs.getLong(6);
          Long drain = rs.wasNull() ? null : drainAt;
          out.add(new Node(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4),
              removed, drain));
        }
      }
      return out;
    }
  }
}
