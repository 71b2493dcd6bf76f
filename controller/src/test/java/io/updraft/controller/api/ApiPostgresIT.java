package io.updraft.controller.api;

import io.updraft.controller.db.DatabaseConfig;
import io.updraft.controller.db.TestPostgres;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;

/** Every API test again, with the controller on the real PostgreSQL server. */
class ApiPostgresIT extends ApiIT {

  /** Dropped after the class, once every controller using them has stopped. */
  private static final List<TestPostgres> CREATED = new ArrayList<>();

  private TestPostgres postgres;

  @AfterAll
  static void dropDatabases() throws SQLException {
    for (TestPostgres db : CREATED) {
      db.close();
    }
    CREATED.clear();
  }

  /** A fresh database per test, the same one across a restart within the test. */
  @Override
  protected DatabaseConfig database() {
    if (postgres == null) {
      try {
        postgres = TestPostgres.create();
      } catch (SQLException e) {
        throw new IllegalStateException(e.getMessage(), e);
      }
      CREATED.add(postgres);
    }
    return postgres.config();
  }
}
