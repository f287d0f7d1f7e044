package dev.brokerops.bench.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The PostgreSQL fixture against a real server: fresh databases, authentication, unprivileged
 * embedded server, no orphans.
 */
@ExtendWith(PostgresExtension.class)
class PostgresServerIT {

  @Test
  void createsFreshEmptyDatabasesThatTheirUrlsReach(PostgresDatabase first, PostgresDatabase second)
      throws Exception {
    assertThat(first.name()).isNotEqualTo(second.name());
    try (Connection connection = first.connect();
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE marker (id int)");
      statement.execute("INSERT INTO marker VALUES (1)");
    }
    assertThat(tableCount(first)).isEqualTo(1);
    assertThat(tableCount(second)).isZero();

    for (String scheme : List.of("postgres", "postgresql")) {
      PostgresDatabase parsed = PostgresServer.parseAdminUrl(first.brokerUrl(scheme));
      assertThat(parsed).isEqualTo(first);
      assertThat(tableCount(parsed)).isEqualTo(1);
    }
  }

  @Test
  void rejectsAWrongPassword(PostgresDatabase database) {
    assertThatThrownBy(
            () -> DriverManager.getConnection(database.jdbcUrl(), database.user(), "wrong").close())
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("password authentication failed");
  }

  @Test
  void runsTheEmbeddedServerAsAnUnprivilegedUser(PostgresServer server, PostgresDatabase database)
      throws Exception {
    if (!server.kind().equals("embedded")) {
      return; // nothing to prove about a server someone else runs
    }
    try (Connection connection = database.connect();
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SHOW data_directory")) {
      result.next();
      Path dataDirectory = Path.of(result.getString(1));
      assertThat(Files.getOwner(dataDirectory).getName()).isNotEqualTo("root");
    }
  }

  @Test
  void usesTheServerThatBenchPostgresUrlNames(PostgresServer shared) {
    try (PostgresServer external =
        PostgresServer.start(
            java.util.Map.of(
                PostgresServer.EXTERNAL_URL_ENV, shared.adminDatabase().brokerUrl("postgresql")))) {
      assertThat(external.kind()).isEqualTo("external");
      PostgresDatabase database = external.createDatabase();
      assertThat(database.port()).isEqualTo(shared.adminDatabase().port());
      assertThat(tableCount(database)).isZero();
    }
    assertThat(accepts(shared.adminDatabase()))
        .as("closing an external server leaves it running")
        .isTrue();
  }

  @Test
  void closeStopsTheServer() {
    PostgresServer server = PostgresServer.start();
    PostgresDatabase database = server.createDatabase();
    assertThat(tableCount(database)).isZero();

    server.close();

    assertThatThrownBy(() -> database.connect().close()).isInstanceOf(SQLException.class);
  }

  @Test
  void aKilledJvmLeavesNoServerBehind() throws Exception {
    Process jvm =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                PostgresServer.class.getName())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      String announced;
      try (BufferedReader output =
          new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8))) {
        announced = output.readLine();
      }
      assertThat(announced).startsWith(PostgresServer.EXTERNAL_URL_ENV + "=postgres://");
      PostgresDatabase admin =
          PostgresServer.parseAdminUrl(announced.substring(announced.indexOf('=') + 1));
      assertThat(tableCount(admin)).isZero();

      jvm.destroyForcibly().waitFor();

      await("the orphaned server to stop")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> !accepts(admin));
    } finally {
      jvm.destroyForcibly();
    }
  }

  private static boolean accepts(PostgresDatabase database) {
    try (Connection ignored = database.connect()) {
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  private static int tableCount(PostgresDatabase database) {
    try (Connection connection = database.connect();
        Statement statement = connection.createStatement();
        ResultSet result =
            statement.executeQuery(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")) {
      result.next();
      return result.getInt(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
