package dev.brokerops.referencebroker;

import static dev.brokerops.referencebroker.BrokerImageRunner.environment;
import static dev.brokerops.referencebroker.BrokerImageRunner.run;
import static dev.brokerops.referencebroker.BrokerImageRunner.serve;
import static dev.brokerops.referencebroker.BrokerImageRunner.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.brokerops.bench.postgres.PostgresDatabase;
import dev.brokerops.bench.postgres.PostgresExtension;
import dev.brokerops.referencebroker.BrokerImageRunner.Exited;
import dev.brokerops.referencebroker.BrokerImageRunner.RunningBroker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The manual no-downtime procedure by hand, on real processes: 1.2.0 runs; 2.0.0's db-migrate;
 * 2.0.0 starts with auto-migrate off while 1.2.0 still writes; 1.2.0 stops; the final db-migrate.
 * The rows 1.2.0 wrote meanwhile stay unmigrated until that final step.
 */
@ExtendWith(PostgresExtension.class)
class SideBySideWritersIT {

  private static final Duration PATIENCE = Duration.ofMinutes(2);

  @Test
  void aNewVersionStartedBeforeTheSchemaMigrationFailsItsWrites(PostgresDatabase database) {
    Map<String, String> environment = with(environment(database), "WRITES_PER_SECOND", "40");
    assertThat(run("1.2.0", "db-migrate", environment).exitCode()).isZero();

    try (RunningBroker tooEarly =
        serve("2.0.0", with(environment, ServeCommand.AUTO_MIGRATE_ENV, "false"))) {
      await().atMost(PATIENCE).until(() -> tooEarly.counters().errors() >= 5);
      assertThat(tooEarly.counters().acknowledged()).isZero();
      assertThat(tooEarly.counters().lastError()).contains("content_sha256");
      assertThat(tooEarly.stop().exitCode()).isZero();
    }
  }

  @Test
  void oldAndNewWritersShareTheExpandedSchemaAndTheFinalDataMigrationFixesTheOldRows(
      PostgresDatabase database) {
    Map<String, String> environment = with(environment(database), "WRITES_PER_SECOND", "40");
    BrokerDatabaseInspector inspector = BrokerDatabaseInspector.of(database);

    try (RunningBroker oldBroker = serve("1.2.0", environment)) {
      await().atMost(PATIENCE).until(() -> oldBroker.counters().acknowledged() >= 20);

      Exited schemaMigration = run("2.0.0", "db-migrate", environment);
      assertThat(schemaMigration.exitCode()).as("%s", schemaMigration).isZero();
      long oldRowsWhenSchemaMigrated = oldBroker.counters().acknowledged();

      WriterCounters oldFinal;
      WriterCounters newFinal;
      try (RunningBroker newBroker =
          serve("2.0.0", with(environment, ServeCommand.AUTO_MIGRATE_ENV, "false"))) {
        // Both write side by side until each has written a good number of rows after the schema
        // change.
        await()
            .atMost(PATIENCE)
            .until(
                () ->
                    newBroker.counters().acknowledged() >= 40
                        && oldBroker.counters().acknowledged() >= oldRowsWhenSchemaMigrated + 40);
        assertThat(oldBroker.counters().errors()).isZero();
        assertThat(newBroker.counters().errors()).isZero();

        Exited oldStopped = oldBroker.stop();
        assertThat(oldStopped.exitCode()).as("%s", oldStopped).isZero();
        oldFinal = RunningBroker.finalCounters(oldStopped);

        // The rollout is over, the final db-migrate has not run: 1.2.0's late rows lack the digest.
        long unmigratedBeforeFinalStep = inspector.unmigratedRows();
        assertThat(unmigratedBeforeFinalStep).isGreaterThanOrEqualTo(40);

        Exited newStopped = newBroker.stop();
        assertThat(newStopped.exitCode()).as("%s", newStopped).isZero();
        newFinal = RunningBroker.finalCounters(newStopped);
        assertThat(inspector.unmigratedRows())
            .as("2.0.0 wrote only rows in the new shape")
            .isEqualTo(unmigratedBeforeFinalStep);
      }

      assertThat(oldFinal.errors()).as("1.2.0 errors, last: %s", oldFinal.lastError()).isZero();
      assertThat(newFinal.errors()).as("2.0.0 errors, last: %s", newFinal.lastError()).isZero();
      assertThat(inspector.lostRows(List.of(oldFinal, newFinal))).isZero();
      assertThat(inspector.publicationsByWriterVersion())
          .containsEntry("1.2.0", oldFinal.acknowledged())
          .containsEntry("2.0.0", newFinal.acknowledged());

      Exited finalDataMigration = run("2.0.0", "db-migrate", environment);
      assertThat(finalDataMigration.exitCode()).as("%s", finalDataMigration).isZero();
      assertThat(inspector.unmigratedRows()).isZero();
      assertThat(inspector.rowsWithWrongContentDigest()).isZero();
      assertThat(inspector.lostRows(List.of(oldFinal, newFinal))).isZero();
    }
  }
}
