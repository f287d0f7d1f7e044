package dev.brokerops.referencebroker;

import static dev.brokerops.referencebroker.BrokerImageRunner.environment;
import static dev.brokerops.referencebroker.BrokerImageRunner.start;
import static dev.brokerops.referencebroker.BrokerMigrationIT.dbVersion;
import static org.assertj.core.api.Assertions.assertThat;

import dev.brokerops.bench.postgres.PostgresDatabase;
import dev.brokerops.bench.postgres.PostgresExtension;
import dev.brokerops.referencebroker.BrokerImageRunner.Exited;
import dev.brokerops.referencebroker.BrokerImageRunner.Launched;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** db-migrate runs started at once on one database take turns and leave it correct. */
@ExtendWith(PostgresExtension.class)
class ConcurrentMigrateIT {

  @Test
  void concurrentMigrationsOfAnEmptyDatabaseBothSucceed(PostgresDatabase database)
      throws Exception {
    Map<String, String> environment = environment(database);

    List<Launched> launched =
        IntStream.range(0, 3).mapToObj(i -> start("2.1.0", "db-migrate", environment)).toList();
    List<Exited> exits = launched.stream().map(Launched::awaitExit).toList();

    assertThat(exits).allSatisfy(exited -> assertThat(exited.exitCode()).as("%s", exited).isZero());
    // They took turns: one applied every schema migration, the others found nothing left to apply.
    assertThat(exits)
        .filteredOn(exited -> exited.stderr().contains("Applied 5 schema migration(s)"))
        .hasSize(1);
    assertThat(exits)
        .filteredOn(exited -> exited.stderr().contains("Applied 0 schema migration(s)"))
        .hasSize(2);
    assertThat(exits)
        .allSatisfy(
            exited ->
                assertThat(exited.stderr())
                    .contains("Data migration 'fill missing content_sha256'"));
    BrokerDatabaseInspector inspector = BrokerDatabaseInspector.of(database);
    assertThat(inspector.appliedMigrations())
        .containsExactly(20240101L, 20240601L, 20241001L, 20250312L, 20260115L);
    assertThat(dbVersion("2.1.0", environment)).isEqualTo(20260115);
    try (Connection connection = database.connect();
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT count(*), count(DISTINCT version) FROM "
                    + SchemaMigrator.HISTORY_TABLE
                    + " WHERE version IS NOT NULL")) {
      rows.next();
      assertThat(rows.getLong(1)).as("history rows").isEqualTo(5);
      assertThat(rows.getLong(2)).isEqualTo(5);
    }
    assertThat(inspector.publicationColumns()).contains("branch", "content_sha256");
  }
}
