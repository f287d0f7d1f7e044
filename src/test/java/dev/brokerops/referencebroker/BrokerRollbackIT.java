package dev.brokerops.referencebroker;

import static dev.brokerops.referencebroker.BrokerImageRunner.environment;
import static dev.brokerops.referencebroker.BrokerImageRunner.run;
import static dev.brokerops.referencebroker.BrokerImageRunner.serve;
import static dev.brokerops.referencebroker.BrokerImageRunner.shell;
import static dev.brokerops.referencebroker.BrokerImageRunner.with;
import static dev.brokerops.referencebroker.BrokerMigrationIT.dbVersion;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.brokerops.bench.postgres.PostgresDatabase;
import dev.brokerops.bench.postgres.PostgresExtension;
import dev.brokerops.referencebroker.BrokerImageRunner.Exited;
import dev.brokerops.referencebroker.BrokerImageRunner.RunningBroker;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The seed's rollback: find the older image's newest migration, migrate down with the newer image,
 * run the older one.
 */
@ExtendWith(PostgresExtension.class)
class BrokerRollbackIT {

  @Test
  void migratingDownRestoresTheOlderSchemaAndTheOlderVersionRunsOnIt(PostgresDatabase database) {
    Map<String, String> environment = environment(database);
    BrokerDatabaseInspector inspector = BrokerDatabaseInspector.of(database);
    Exited upgrade = run("2.1.0", "db-migrate", environment);
    assertThat(upgrade.exitCode()).as("%s", upgrade).isZero();
    WriterCounters newWriter = writeAFew("2.1.0", environment);
    long rowsBefore = inspector.publicationCount();
    assertThat(rowsBefore).isGreaterThanOrEqualTo(newWriter.acknowledged()).isPositive();

    // Step 1, with the older image: its newest migration number (the operator's fixed selection).
    String target =
        shell(
                "ls "
                    + ReferenceBrokerImages.migrationsDirectory(BrokerImageRunner.image("1.2.0"))
                    + " | grep -E '^[0-9]+_' | sort | tail -n 1 | cut -d '_' -f1")
            .strip();
    assertThat(target).isEqualTo("20241001");

    // Step 2, with the currently deployed image.
    Exited down = run("2.1.0", "db-migrate", with(environment, MigrateCommand.TARGET_ENV, target));
    assertThat(down.exitCode()).as("%s", down).isZero();
    assertThat(down.stderr())
        .contains(
            "Migrated down 20260115_pact_sha_lookup.sql",
            "Migrated down 20250312_add_content_sha256.sql");
    assertThat(dbVersion("2.1.0", environment)).isEqualTo(20241001);
    assertThat(inspector.appliedMigrations()).containsExactly(20240101L, 20240601L, 20241001L);
    assertThat(inspector.publicationColumns()).contains("branch").doesNotContain("content_sha256");
    assertThat(inspector.publicationCount()).as("rows survive the rollback").isEqualTo(rowsBefore);

    // Step 3: the older version runs on it, without migrating, without errors.
    WriterCounters oldWriter =
        writeAFew("1.2.0", with(environment, ServeCommand.AUTO_MIGRATE_ENV, "false"));
    assertThat(inspector.lostRows(oldWriter.writerId(), oldWriter.acknowledged())).isZero();
    assertThat(inspector.unmigratedRows()).isZero();

    // Migrating down again to the same target changes nothing; migrating up to it again neither.
    Exited again = run("2.1.0", "db-migrate", with(environment, MigrateCommand.TARGET_ENV, target));
    assertThat(again.exitCode()).as("%s", again).isZero();
    assertThat(inspector.appliedMigrations()).containsExactly(20240101L, 20240601L, 20241001L);

    // Rolling forward again re-applies the reverted migrations and fixes the rows 1.2.0 wrote
    // meanwhile.
    Exited forward = run("2.1.0", "db-migrate", environment);
    assertThat(forward.exitCode()).as("%s", forward).isZero();
    assertThat(dbVersion("2.1.0", environment)).isEqualTo(20260115);
    assertThat(inspector.unmigratedRows()).isZero();
    assertThat(inspector.rowsWithWrongContentDigest()).isZero();
    assertThat(inspector.lostRows(java.util.List.of(newWriter, oldWriter))).isZero();
  }

  @Test
  void aTargetBetweenAppliedMigrationsMigratesUpToItOnly(PostgresDatabase database) {
    Map<String, String> environment = environment(database);
    BrokerDatabaseInspector inspector = BrokerDatabaseInspector.of(database);

    Exited up =
        run("2.1.0", "db-migrate", with(environment, MigrateCommand.TARGET_ENV, "20240601"));

    assertThat(up.exitCode()).as("%s", up).isZero();
    assertThat(inspector.appliedMigrations()).containsExactly(20240101L, 20240601L);
    assertThat(inspector.publicationColumns()).doesNotContain("branch", "content_sha256");
  }

  /**
   * Runs a version's docker-entrypoint until it acknowledged a few writes, stops it and checks it
   * ended cleanly.
   */
  static WriterCounters writeAFew(String tag, Map<String, String> environment) {
    try (RunningBroker broker = serve(tag, with(environment, "WRITES_PER_SECOND", "50"))) {
      await().atMost(Duration.ofMinutes(1)).until(() -> broker.counters().acknowledged() >= 10);
      Exited stopped = broker.stop();
      assertThat(stopped.exitCode()).as("%s", stopped).isZero();
      WriterCounters counters = RunningBroker.finalCounters(stopped);
      assertThat(counters.errors()).as("%s writer errors: %s", tag, counters.lastError()).isZero();
      assertThat(counters.stopped()).isTrue();
      return counters;
    }
  }
}
