package dev.trainerd.store.cluster;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.trainerd.errors.TrainerdException;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's PostgreSQL: a small connection pool, and the schema migrated by Flyway (from
 * {@code db/migration} on the class path) when a replica starts. Replicas starting together are
 * safe: Flyway serialises migrations with a database lock.
 */
public final class Database implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Database.class);

  private final HikariDataSource pool;

  private Database(HikariDataSource pool) {
    this.pool = pool;
  }

  /** Connects, migrates the schema and returns the pool. */
  public static Database open(PostgresSettings settings) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(settings.jdbcUrl());
    config.setUsername(settings.user());
    config.setPassword(settings.password());
    config.setMaximumPoolSize(settings.poolSize());
    config.setMinimumIdle(Math.min(2, settings.poolSize()));
    config.setPoolName("trainerd-postgres");
    config.setConnectionTimeout(10_000);
    // Fail start-up at once when the database is unreachable, rather than at the first request.
    config.setInitializationFailTimeout(10_000);
    HikariDataSource pool = new HikariDataSource(config);
    try {
      var result =
          Flyway.configure().dataSource(pool).locations("classpath:db/migration").load().migrate();
      log.info("PostgreSQL schema at version {} ({} migrations applied now)", result.targetSchemaVersion, result.migrationsExecuted);
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
    return new Database(pool);
  }

  /** The pooled data source. */
  public DataSource dataSource() {
    return pool;
  }

  /** Work in one transaction. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  /**
   * Runs {@code work} in a transaction (READ COMMITTED), committing when it returns and rolling
   * back when it throws. Database errors become {@link TrainerdException.Unavailable}: the client
   * may retry, on this replica or another.
   */
  public <T> T transaction(Work<T> work) {
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new TrainerdException.Unavailable(
          "DATABASE_UNAVAILABLE", "the cluster database is unavailable; retry shortly", e);
    }
  }

  @Override
  public void close() {
    pool.close();
  }
}
