package io.updraft.controller.events;

import io.updraft.common.protocol.Json;
import io.updraft.controller.db.Database;
import io.vertx.core.Future;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cloud events log: what the platform decided and did, and why (scaling decisions and
 * actions first). Each event is also logged as {@code event.<kind>}, so operators see it in the
 * controller's log as well as through {@code GET /events}, {@code updraft events} and kato.
 */
public final class EventStore {

  private static final Logger log = LoggerFactory.getLogger(EventStore.class);
  public static final String SYSTEM = "SYSTEM";

  /**
   * One event.
   *
   * @param at Unix seconds
   * @param kind dotted kind, e.g. {@code scaling.launched}
   * @param actor {@code SYSTEM} or the user's e-mail
   * @param details the figures behind it
   */
  public record Event(long id, long at, String kind, String actor, String message,
      Map<String, Object> details) {
  }

  private final Database db;
  private final Clock clock;

  public EventStore(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  public Future<Event> record(String kind, String actor, String message,
      Map<String, Object> details) {
    long at = clock.instant().getEpochSecond();
    Map<String, Object> safe = details == null ? Map.of() : new LinkedHashMap<>(details);
    log.atInfo().setMessage("event." + kind).addKeyValue("actor", actor)
        .addKeyValue("message", message).addKeyValue("details", safe).log();
    String json = Json.encodeToString(safe);
    return db.tx(c -> {
      try (PreparedStatement st = c.prepareStatement("INSERT INTO events (at, kind, actor, "
          + "message, details) VALUES (?, ?, ?, ?, ?)", new String[] {"id"})) {
        st.setLong(1, at);
        st.setString(2, kind);
        st.setString(3, actor);
        st.setString(4, message.length() > 4000 ? message.substring(0, 4000) : message);
        st.setString(5, json);
        st.executeUpdate();
        try (ResultSet keys = st.getGeneratedKeys()) {
          keys.next();
          return new Event(keys.getLong(1), at, kind, actor, message, safe);
        }
      }
    });
  }

  /** The newest events first, optionally only kinds starting with {@code kindPrefix}. */
  @SuppressWarnings("unchecked")
  public Future<List<Event>> recent(int limit, String kindPrefix) {
    return db.tx(c -> {
      String sql = "SELECT id, at, kind, actor, message, details FROM events"
          + (kindPrefix == null ? "" : " WHERE kind LIKE ?") + " ORDER BY id DESC LIMIT ?";
      try (PreparedStatement st = c.prepareStatement(sql)) {
        int i = 1;
        if (kindPrefix != null) {
          st.setString(i++, kindPrefix.replace("%", "") + "%");
        }
        st.setInt(i, limit);
        List<Event> out = new ArrayList<>();
        try (ResultSet rs = st.executeQuery()) {
          while (rs.next()) {
            out.add(new Event(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                rs.getString(5), Json.decode(rs.getString(6), Map.class)));
          }
        }
        return out;
      }
    });
  }
}
