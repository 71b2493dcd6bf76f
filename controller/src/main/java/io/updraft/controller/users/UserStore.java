package io.updraft.controller.users;

import io.updraft.controller.api.ApiError;
import io.updraft.controller.db.Database;
import io.vertx.core.Future;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** Users and their hashed passwords, in the controller database. */
public final class UserStore {

  private static final Pattern EMAIL = Pattern.compile("^[^@\\s/]+@[^@\\s/]+$");
  private static final int MIN_PASSWORD = 1;

  private final Database db;
  private final PasswordHasher hasher;
  private final Clock clock;

  public UserStore(Database db, PasswordHasher hasher, Clock clock) {
    this.db = db;
    this.hasher = hasher;
    this.clock = clock;
  }

  /** E-mails compare case-insensitively; they are stored lower-case. */
  public static String normalise(String email) {
    return email == null ? null : email.trim().toLowerCase(Locale.ROOT);
  }

  public Future<User> create(String email, String password, boolean admin) {
    String normalised = normalise(email);
    if (normalised == null || !EMAIL.matcher(normalised).matches()) {
      return Future.failedFuture(ApiError.badRequest("Invalid e-mail address"));
    }
    if (password == null || password.length() < MIN_PASSWORD) {
      return Future.failedFuture(ApiError.badRequest("A password is required"));
    }
    return db.tx(c -> {
      if (find(c, normalised).isPresent()) {
        throw ApiError.badRequest("User " + normalised + " already exists");
      }
      try (PreparedStatement st = c.prepareStatement(
          "INSERT INTO users (email, password_hash, admin, created_at) VALUES (?, ?, ?, ?)",
          new String[] {"id"})) {
        st.setString(1, normalised);
        st.setString(2, hasher.hash(password));
        st.setBoolean(3, admin);
        st.setLong(4, clock.instant().getEpochSecond());
        st.executeUpdate();
        try (ResultSet keys = st.getGeneratedKeys()) {
          keys.next();
          return new User(keys.getLong(1), normalised, admin);
        }
      }
    });
  }

  /** Creates the user, or sets its password and admin flag when it exists (config admins). */
  public Future<User> ensure(String email, String password, boolean admin) {
    String normalised = normalise(email);
    return db.tx(c -> {
      Optional<User> existing = find(c, normalised);
      if (existing.isEmpty()) {
        return null;
      }
      try (PreparedStatement st = c.prepareStatement(
          "UPDATE users SET password_hash = ?, admin = ? WHERE id = ?")) {
        st.setString(1, hasher.hash(password));
        st.setBoolean(2, admin);
        st.setLong(3, existing.get().id());
        st.executeUpdate();
      }
      return new User(existing.get().id(), normalised, admin);
    }).compose(user -> user != null ? Future.succeededFuture(user)
        : create(email, password, admin));
  }

  public Future<Optional<User>> find(String email) {
    return db.tx(c -> find(c, normalise(email)));
  }

  /** The user when the password is right; empty otherwise (unknown user or wrong password). */
  public Future<Optional<User>> authenticate(String email, String password) {
    String normalised = normalise(email);
    return db.tx(c -> {
      try (PreparedStatement st = c.prepareStatement(
          "SELECT id, email, admin, password_hash FROM users WHERE email = ?")) {
        st.setString(1, normalised);
        try (ResultSet rs = st.executeQuery()) {
          if (!rs.next() || password == null || !hasher.matches(password, rs.getString(4))) {
            return Optional.<User>empty();
          }
          return Optional.of(new User(rs.getLong(1), rs.getString(2), rs.getBoolean(3)));
        }
      }
    });
  }

  public Future<Void> setPassword(long userId, String password) {
    if (password == null || password.length() < MIN_PASSWORD) {
      return Future.failedFuture(ApiError.badRequest("A password is required"));
    }
    return db.tx(c -> {
      try (PreparedStatement st = c.prepareStatement(
          "UPDATE users SET password_hash = ? WHERE id = ?")) {
        st.setString(1, hasher.hash(password));
        st.setLong(2, userId);
        st.executeUpdate();
      }
      return null;
    });
  }

  /** Deletes the user and, through the schema, every app it owns. */
  public Future<Boolean> delete(String email) {
    return db.tx(c -> {
      try (PreparedStatement st = c.prepareStatement("DELETE FROM users WHERE email = ?")) {
        st.setString(1, normalise(email));
        return st.executeUpdate() > 0;
      }
    });
  }

  public Future<List<User>> list() {
    return db.tx(c -> {
      List<User> users = new ArrayList<>();
      try (PreparedStatement st = c.prepareStatement(
          "SELECT id, email, admin FROM users ORDER BY email");
          ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          users.add(new User(rs.getLong(1), rs.getString(2), rs.getBoolean(3)));
        }
      }
      return users;
    });
  }

  private static Optional<User> find(Connection c, String email) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(
        "SELECT id, email, admin FROM users WHERE email = ?")) {
      st.setString(1, email);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? Optional.of(new User(rs.getLong(1), rs.getString(2), rs.getBoolean(3)))
            : Optional.empty();
      }
    }
  }
}
