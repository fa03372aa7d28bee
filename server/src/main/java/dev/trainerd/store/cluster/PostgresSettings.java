package dev.trainerd.store.cluster;

import java.util.Objects;

/**
 * Where the cluster's PostgreSQL is.
 *
 * @param jdbcUrl for example {@code jdbc:postgresql://db:5432/trainerd}
 * @param user the role trainerd connects as; it must be allowed to create tables in the database
 *     (the schema is migrated at start-up)
 * @param password the role's password (from an environment variable or a file, never a flag)
 * @param poolSize most connections this replica holds
 */
public record PostgresSettings(String jdbcUrl, String user, String password, int poolSize) {
  public PostgresSettings {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException("the PostgreSQL URL must start with jdbc:postgresql:, was " + jdbcUrl);
    }
    if (poolSize < 2 || poolSize > 100) {
      throw new IllegalArgumentException("PostgreSQL pool size must be in [2, 100], was " + poolSize);
    }
  }

  /** Never prints the password. */
  @Override
  public String toString() {
    return "PostgresSettings[" + jdbcUrl + ", user " + user + ", pool " + poolSize + "]";
  }
}
