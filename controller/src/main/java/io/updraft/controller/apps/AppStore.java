package io.updraft.controller.apps;

import com.fasterxml.jackson.core.type.TypeReference;
import io.updraft.common.protocol.Json;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Apps and their routes in the controller database. App names are unique per owner and URLs
 * unique across the cloud (CF v1 checked neither). Updates are optimistic: a write based on a
 * stale copy fails with 400/102.
 */
public final class AppStore {

  private static final String COLUMNS = "id, owner_id, name, framework, runtime, command, state, "
      + "package_state, instances, memory_mb, disk_mb, fds, env, meta, package_sha1, "
      + "droplet_sha1, run_count, lock_version, created_at, updated_at";

  /** How much of a user's quota their apps use. */
  public record Usage(int apps, int startedApps, int memoryMb) {
  }

  private final Database db;
  private final Clock clock;

  public AppStore(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  public Future<App> create(App draft) {
    return db.tx(c -> {
      if (findByName(c, draft.ownerId(), draft.name()).isPresent()) {
        throw ApiError.badRequest("An app named " + draft.name() + " already exists");
      }
      long now = clock.instant().getEpochSecond();
      long id;
      try (PreparedStatement st = c.prepareStatement("INSERT INTO apps (owner_id, name, "
          + "framework, runtime, command, state, package_state, instances, memory_mb, disk_mb, "
          + "fds, env, meta, package_sha1, droplet_sha1, run_count, lock_version, created_at, "
          + "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
          new String[] {"id"})) {
        int i = bindFields(st, draft);
        st.setLong(i++, now);
        st.setLong(i, now);
        st.executeUpdate();
        try (ResultSet keys = st.getGeneratedKeys()) {
          keys.next();
          id = keys.getLong(1);
        }
      }
      replaceRoutes(c, id, draft.uris());
      return findById(c, id).orElseThrow();
    });
  }

  public Future<Optional<App>> find(long ownerId, String name) {
    return db.tx(c -> findByName(c, ownerId, name));
  }

  public Future<Optional<App>> findById(long id) {
    return db.tx(c -> findById(c, id));
  }

  /** Up to {@code limit} apps with ids above {@code afterId}, by id (the health manager's scan). */
  public Future<List<App>> page(long afterId, int limit) {
    return db.tx(c -> {
      try (PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS
          + " FROM apps WHERE id > ? ORDER BY id LIMIT ?")) {
        st.setLong(1, afterId);
        st.setInt(2, limit);
        return readAll(c, st);
      }
    });
  }

  /** The owner's apps, or every app when {@code ownerId} is null (admins). */
  public Future<List<App>> list(Long ownerId) {
    return db.tx(c -> {
      String sql = "SELECT " + COLUMNS + " FROM apps"
          + (ownerId == null ? "" : " WHERE owner_id = ?") + " ORDER BY name";
      try (PreparedStatement st = c.prepareStatement(sql)) {
        if (ownerId != null) {
          st.setLong(1, ownerId);
        }
        return readAll(c, st);
      }
    });
  }

  /**
   * Writes {@code changed} if the stored app still has {@code changed.lockVersion()}; bumps the
   * lock and {@code updated_at}, replaces the routes when they changed.
   */
  public Future<App> update(App changed) {
    return db.tx(c -> {
      try (PreparedStatement st = c.prepareStatement("UPDATE apps SET owner_id = ?, name = ?, "
          + "framework = ?, runtime = ?, command = ?, state = ?, package_state = ?, "
          + "instances = ?, memory_mb = ?, disk_mb = ?, fds = ?, env = ?, meta = ?, "
          + "package_sha1 = ?, droplet_sha1 = ?, run_count = ?, lock_version = lock_version + 1, "
          + "updated_at = ? WHERE id = ? AND lock_version = ?")) {
        int i = bindFields(st, changed);
        st.setLong(i++, Math.max(clock.instant().getEpochSecond(), changed.updatedAt()));
        st.setLong(i++, changed.id());
        st.setInt(i, changed.lockVersion());
        if (st.executeUpdate() == 0) {
          if (findById(c, changed.id()).isEmpty()) {
            throw ApiError.appNotFound();
          }
          throw ApiError.lockConflict();
        }
      }
      replaceRoutes(c, changed.id(), changed.uris());
      return findById(c, changed.id()).orElseThrow();
    });
  }

  public Future<Boolean> delete(long id) {
    return db.tx(c -> {
      try (PreparedStatement st = c.prepareStatement("DELETE FROM apps WHERE id = ?")) {
        st.setLong(1, id);
        return st.executeUpdate() > 0;
      }
    });
  }

  public Future<Usage> usage(long ownerId) {
    return db.tx(c -> {
      try (PreparedStatement st = c.prepareStatement("SELECT COUNT(*), "
          + "COALESCE(SUM(CASE WHEN state = 'STARTED' THEN 1 ELSE 0 END), 0), "
          + "COALESCE(SUM(CASE WHEN state = 'STARTED' THEN memory_mb * instances ELSE 0 END), 0) "
          + "FROM apps WHERE owner_id = ?")) {
        st.setLong(1, ownerId);
        try (ResultSet rs = st.executeQuery()) {
          rs.next();
          return new Usage(rs.getInt(1), rs.getInt(2), rs.getInt(3));
        }
      }
    });
  }

  private static int bindFields(PreparedStatement st, App app) throws SQLException {
    int i = 1;
    st.setLong(i++, app.ownerId());
    st.setString(i++, app.name());
    st.setString(i++, app.framework());
    st.setString(i++, app.runtime());
    st.setString(i++, app.command());
    st.setString(i++, app.state());
    st.setString(i++, app.packageState());
    st.setInt(i++, app.instances());
    st.setInt(i++, app.memoryMb());
    st.setInt(i++, app.diskMb());
    st.setInt(i++, app.fds());
    st.setString(i++, Json.encodeToString(app.env()));
    st.setString(i++, Json.encodeToString(app.meta()));
    st.setString(i++, app.packageSha1());
    st.setString(i++, app.dropletSha1());
    st.setInt(i++, app.runCount());
    return i;
  }

  /** Makes the app's routes exactly {@code uris}; a URL another app holds is refused. */
  private static void replaceRoutes(Connection c, long appId, List<String> uris)
      throws SQLException {
    Set<String> wanted = new HashSet<>(uris);
    Set<String> current = new HashSet<>(routesOf(c, appId));
    for (String uri : wanted) {
      if (current.contains(uri)) {
        continue;
      }
      try (PreparedStatement st = c.prepareStatement("SELECT app_id FROM routes WHERE uri = ?")) {
        st.setString(1, uri);
        try (ResultSet rs = st.executeQuery()) {
          if (rs.next()) {
            throw ApiError.uriTaken(uri);
          }
        }
      }
      try (PreparedStatement st = c.prepareStatement(
          "INSERT INTO routes (uri, app_id) VALUES (?, ?)")) {
        st.setString(1, uri);
        st.setLong(2, appId);
        st.executeUpdate();
      }
    }
    for (String uri : current) {
      if (!wanted.contains(uri)) {
        try (PreparedStatement st = c.prepareStatement("DELETE FROM routes WHERE uri = ?")) {
          st.setString(1, uri);
          st.executeUpdate();
        }
      }
    }
  }

  private static List<String> routesOf(Connection c, long appId) throws SQLException {
    List<String> uris = new ArrayList<>();
    try (PreparedStatement st = c.prepareStatement(
        "SELECT uri FROM routes WHERE app_id = ? ORDER BY uri")) {
      st.setLong(1, appId);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          uris.add(rs.getString(1));
        }
      }
    }
    return uris;
  }

  private static Optional<App> findByName(Connection c, long ownerId, String name)
      throws SQLException {
    try (PreparedStatement st = c.prepareStatement(
        "SELECT " + COLUMNS + " FROM apps WHERE owner_id = ? AND name = ?")) {
      st.setLong(1, ownerId);
      st.setString(2, name);
      return readAll(c, st).stream().findFirst();
    }
  }

  private static Optional<App> findById(Connection c, long id) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(
        "SELECT " + COLUMNS + " FROM apps WHERE id = ?")) {
      st.setLong(1, id);
      return readAll(c, st).stream().findFirst();
    }
  }

  private static List<App> readAll(Connection c, PreparedStatement st) throws SQLException {
    List<App> apps = new ArrayList<>();
    try (ResultSet rs = st.executeQuery()) {
      while (rs.next()) {
        long id = rs.getLong("id");
        apps.add(new App(id, rs.getLong("owner_id"), rs.getString("name"),
            rs.getString("framework"), rs.getString("runtime"), rs.getString("command"),
            rs.getString("state"), rs.getString("package_state"), rs.getInt("instances"),
            rs.getInt("memory_mb"), rs.getInt("disk_mb"), rs.getInt("fds"),
            Json.mapper().convertValue(Json.tree(bytes(rs.getString("env"))),
                new TypeReference<List<String>>() { }),
            Json.mapper().convertValue(Json.tree(bytes(rs.getString("meta"))),
                new TypeReference<Map<String, Object>>() { }),
            rs.getString("package_sha1"), rs.getString("droplet_sha1"), rs.getInt("run_count"),
            rs.getInt("lock_version"), rs.getLong("created_at"), rs.getLong("updated_at"),
            List.of()));
      }
    }
    List<App> withRoutes = new ArrayList<>(apps.size());
    for (App app : apps) {
      withRoutes.add(app.toBuilder().uris(routesOf(c, app.id())).build());
    }
    return withRoutes;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
