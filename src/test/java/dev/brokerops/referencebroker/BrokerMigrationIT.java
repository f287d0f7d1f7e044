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
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Schema migrations apply once, data migrations run every time, db-version reports the newest
 * applied migration.
 */
@ExtendWith(PostgresExtension.class)
class BrokerMigrationIT {

  @Test
  void schemaMigrationsApplyOnceAndDataMigrationsFixRowsAnOlderVersionWrote(
      PostgresDatabase database) {
    Map<String, String> environment = environment(database);
    BrokerDatabaseInspector inspector = BrokerDatabaseInspector.of(database);

    assertThat(dbVersion("1.0.0", environment)).isEqualTo(0);

    // 1.0.0 migrates on start and writes rows without branch and digest.
    WriterCounters oldWriter;
    try (RunningBroker broker = serve("1.0.0", with(environment, "WRITES_PER_SECOND", "50"))) {
      await().atMost(Duration.ofMinutes(1)).until(() -> broker.counters().acknowledged() >= 20);
      Exited stopped = broker.stop();
      assertThat(stopped.exitCode()).as("%s", stopped).isZero();
      oldWriter = RunningBroker.finalCounters(stopped);
    }
    assertThat(oldWriter.errors()).isZero();
    assertThat(dbVersion("1.0.0", environment)).isEqualTo(20240101);
    assertThat(inspector.publicationColumns()).doesNotContain("branch", "content_sha256");

    Exited upgrade = run("2.0.0", "db-migrate", environment);
    assertThat(upgrade.exitCode()).as("%s", upgrade).isZero();
    assertThat(inspector.appliedMigrations())
        .containsExactly(20240101L, 20240601L, 20241001L, 20250312L);
    assertThat(dbVersion("2.0.0", environment)).isEqualTo(20250312);
    assertThat(inspector.lostRows(oldWriter.writerId(), oldWriter.acknowledged())).isZero();
    assertThat(inspector.unmigratedRows()).isZero();
    assertThat(inspector.rowsWithWrongContentDigest()).isZero();

    // Rows in the old shape appear after the upgrade (as a 1.x pod would write them during a
    // rollout) ...
    Exited oldShapeWriter =
        run("1.2.0", "db-migrate", environment); // 1.2.0 tolerates the newer schema
    assertThat(oldShapeWriter.exitCode()).as("%s", oldShapeWriter).isZero();
    try (RunningBroker broker =
        serve(
            "1.2.0",
            with(
                with(environment, "WRITES_PER_SECOND", "50"),
                ServeCommand.AUTO_MIGRATE_ENV,
                "false"))) {
      await().atMost(Duration.ofMinutes(1)).until(() -> broker.counters().acknowledged() >= 10);
      assertThat(broker.stop().exitCode()).isZero();
    }
    long unmigrated = inspector.unmigratedRows();
    assertThat(unmigrated).isGreaterThanOrEqualTo(10);

    // ... and the next db-migrate applies no schema migration but fixes them all.
    Exited again = run("2.0.0", "db-migrate", environment);
    assertThat(again.exitCode()).as("%s", again).isZero();
    assertThat(again.stderr())
        .contains("Applied 0 schema migration(s)")
        .contains("Data migration 'fill missing content_sha256' fixed " + unmigrated + " row(s)");
    assertThat(inspector.appliedMigrations())
        .containsExactly(20240101L, 20240601L, 20241001L, 20250312L);
    assertThat(inspector.unmigratedRows()).isZero();
    assertThat(inspector.rowsWithWrongContentDigest()).isZero();
  }

  @Test
  void dbVersionPrintsOnlyTheNewestAppliedMigrationNumber(PostgresDatabase database) {
    Map<String, String> environment = environment(database);
    Exited empty = run("2.1.0", "db-version", environment);
    assertThat(empty.exitCode()).as("%s", empty).isZero();
    assertThat(empty.stdout()).isEqualTo("0\n");

    for (String tag : ReferenceBrokerImages.tags()) {
      Exited migrate = run(tag, "db-migrate", environment);
      assertThat(migrate.exitCode()).as("%s", migrate).isZero();
      assertThat(migrate.stdout()).as("db-migrate of %s keeps stdout clean", tag).isEmpty();

      Exited version = run(tag, "db-version", environment);
      assertThat(version.exitCode()).as("%s", version).isZero();
      assertThat(version.stdout())
          .as("db-version of %s", tag)
          .isEqualTo(ReferenceBrokerImages.newestMigrationNumber(tag) + "\n");
    }
  }

  static long dbVersion(String tag, Map<String, String> environment) {
    Exited version = run(tag, "db-version", environment);
    assertThat(version.exitCode()).as("%s", version).isZero();
    assertThat(version.stdout()).matches("[0-9]+\n");
    return Long.parseLong(version.stdout().strip());
  }
}
