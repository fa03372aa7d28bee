package dev.trainerd.store.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real PostgreSQL for the cluster tests. With {@code TRAINERD_TEST_PG_URL},
 * {@code TRAINERD_TEST_PG_USER} and {@code TRAINERD_TEST_PG_PASSWORD} set (as {@code .ci/run}
 * does) it uses that server, and fails when it cannot be reached. Without them it starts a
 * throwaway one through {@code .ci/pg-throwaway} when PostgreSQL is installed, and skips the
 * tests (with the reason) only when it is not. Each {@link #newDatabase} is a fresh database, so
 * tests never see each other's rows.
 */
public final class TestPostgres implements AutoCloseable {
  private final String url;
  private final String user;
  private final String password;
  private final Path throwaway;

  private TestPostgres(String url, String user, String password, Path throwaway) {
    this.url = url;
    this.user = user;
    this.password = password;
    this.throwaway = throwaway;
  }

  /** The configured server, a throwaway one, or a skipped test. */
  public static TestPostgres obtain() throws IOException, InterruptedException {
    String url = System.getenv("TRAINERD_TEST_PG_URL");
    if (url != null && !url.isBlank()) {
      TestPostgres pg =
          new TestPostgres(url, System.getenv("TRAINERD_TEST_PG_USER"), System.getenv("TRAINERD_TEST_PG_PASSWORD"), null);
      try (Connection c = pg.connect(url)) {
        return pg; // reachable
      } catch (SQLException e) {
        throw new IllegalStateException("TRAINERD_TEST_PG_URL is set but " + url + " cannot be reached: " + e.getMessage(), e);
      }
    }
    if (!installed()) {
      Assumptions.abort(
          "cluster tests skipped: no PostgreSQL here (TRAINERD_TEST_PG_URL unset and no initdb);"
              + " .ci/run installs Debian's postgresql and starts one");
    }
    Path script = projectRoot().resolve(".ci").resolve("pg-throwaway");
    Path dir = Files.createTempDirectory("trainerd-pg-");
    Process p = new ProcessBuilder(script.toString(), "start", dir.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("could not start a throwaway PostgreSQL with " + script + ":\n" + out);
    }
    Map<String, String> settings = new HashMap<>();
    for (String line : out.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        settings.put(line.substring(0, eq), line.substring(eq + 1).strip());
      }
    }
    return new TestPostgres(
        settings.get("TRAINERD_TEST_PG_URL"), settings.get("TRAINERD_TEST_PG_USER"),
        settings.get("TRAINERD_TEST_PG_PASSWORD"), dir);
  }

  private static boolean installed() {
    try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
      if (versions.anyMatch(v -> Files.isExecutable(v.resolve("bin").resolve("initdb")))) {
        return true;
      }
    } catch (IOException e) {
      // Not Debian's layout; look on the PATH.
    }
    return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
        .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, "initdb")));
  }

  private static Path projectRoot() {
    String root = System.getProperty("trainerd.project.root");
    return root != null ? Path.of(root) : Path.of("..").toAbsolutePath().normalize();
  }

  /** A new empty database on the server and the settings that reach it. */
  public PostgresSettings newDatabase() throws SQLException {
    String name = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    try (Connection c = connect(url); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    int slash = url.lastIndexOf('/');
    int query = url.indexOf('?', slash);
    String dbUrl = url.substring(0, slash + 1) + name + (query < 0 ? "" : url.substring(query));
    return new PostgresSettings(dbUrl, user, password, 4);
  }

  /** A plain connection to a database of this server. */
  public Connection connect(String jdbcUrl) throws SQLException {
    return DriverManager.getConnection(jdbcUrl, user, password);
  }

  /** The password, for handing to a server process through its environment. */
  public String password() {
    return password;
  }

  @Override
  public void close() throws IOException, InterruptedException {
    if (throwaway != null) {
      Path script = projectRoot().resolve(".ci").resolve("pg-throwaway");
      new ProcessBuilder(script.toString(), "stop", throwaway.toString()).inheritIO().start().waitFor(60, TimeUnit.SECONDS);
    }
  }
}
