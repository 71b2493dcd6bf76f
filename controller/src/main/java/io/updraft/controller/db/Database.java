package io.updraft.controller.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.updraft.common.files.PrivateFiles;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import org.flywaydb.core.Flyway;

/**
 * The controller's SQL database: a Hikari pool, migrated by Flyway at start. Every query runs
 * on a worker thread through {@link #tx}; the event loop never touches JDBC.
 */
public final class Database implements AutoCloseable {

  /** A unit of work inside one transaction. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  private final Vertx vertx;
  private final HikariDataSource pool;

  private Database(Vertx vertx, HikariDataSource pool) {
    this.vertx = vertx;
    this.pool = pool;
  }

  /** The embedded database's files are {@code <data_dir>/controller.*.db}. */
  static final String H2_NAME = "controller";

  /** Opens the pool and migrates the schema, on a worker thread. */
  public static Future<Database> open(Vertx vertx, DatabaseConfig config, Path dataDir) {
    return vertx.executeBlocking(() -> {
      HikariConfig hikari = new HikariConfig();
      hikari.setJdbcUrl(config.url() != null ? config.url()
          : "jdbc:h2:file:" + dataDir.resolve(H2_NAME).toAbsolutePath()
              + ";DB_CLOSE_ON_EXIT=FALSE");
      if (config.user() != null) {
        hikari.setUsername(config.user());
        hikari.setPassword(config.password());
      }
      hikari.setMaximumPoolSize(config.maxPoolSize());
      hikari.setPoolName("controller-db");
      hikari.setAutoCommit(false);
      HikariDataSource pool = new HikariDataSource(hikari);
      try {
        Flyway.configure().dataSource(pool).locations("classpath:db/migration").load().migrate();
        if (config.url() == null) {
          restrictH2Files(dataDir);
        }
      } catch (RuntimeException | IOException e) {
        pool.close();
        throw e;
      }
      return new Database(vertx, pool);
    });
  }

  /**
   * H2 creates its files with the usual modes (0644), and they hold the token secret and users'
   * service credentials: 0600 once they exist (the data dir is 0700 already, so nothing was
   * reachable meanwhile).
   */
  private static void restrictH2Files(Path dataDir) throws IOException {
    try (var files = Files.list(dataDir)) {
      for (Path file : files.filter(f -> f.getFileName().toString().startsWith(H2_NAME + ".")
          && Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)).toList()) {
        PrivateFiles.restrict(file);
      }
    }
  }

  /** Runs {@code work} in a transaction on a worker thread; rolls back when it throws. */
  public <T> Future<T> tx(Work<T> work) {
    return vertx.executeBlocking(() -> {
      try (Connection connection = pool.getConnection()) {
        try {
          T result = work.run(connection);
          connection.commit();
          return result;
        } catch (SQLException | RuntimeException e) {
          connection.rollback();
          throw e;
        }
      }
    }, false);
  }

  @Override
  public void close() {
    pool.close();
  }
}
