package dev.brokerops.referencebroker;

import static dev.brokerops.referencebroker.BrokerImageRunner.PROCESS_TIMEOUT;
import static dev.brokerops.referencebroker.BrokerImageRunner.environment;
import static dev.brokerops.referencebroker.BrokerImageRunner.run;
import static dev.brokerops.referencebroker.BrokerImageRunner.serve;
import static dev.brokerops.referencebroker.BrokerImageRunner.startServing;
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
 * The faulty release fails only where it should: db-migrate, db-version and a migration back down
 * work, but its server's heartbeat answers 503 for as long as it runs, on a database 2.0.0 serves.
 */
@ExtendWith(PostgresExtension.class)
class FaultyReleaseIT {

  private static final String FAULTY = ReferenceBrokerImages.FAULTY_TAG;
  private static final String BASE = "2.0.0";

  /** Several periods of a readiness probe: a heartbeat that ever answered 200 would be seen. */
  private static final Duration WATCHED = Duration.ofSeconds(5);

  @Test
  void migratesUpAndDownLikeAWorkingReleaseButItsHeartbeatNeverAnswers200(
      PostgresDatabase database) {
    Map<String, String> environment = environment(database);
    assertMigrated(run(BASE, "db-migrate", environment));
    long baseVersion = dbVersion(BASE, environment);
    assertThat(baseVersion).isEqualTo(ReferenceBrokerImages.newestMigrationNumber(BASE));

    assertMigrated(run(FAULTY, "db-migrate", environment));
    assertThat(dbVersion(FAULTY, environment))
        .as("db-version after the faulty release's db-migrate")
        .isEqualTo(ReferenceBrokerImages.newestMigrationNumber(FAULTY))
        .isGreaterThan(baseVersion);

    // As the operator's rollout runs it: on the migrated schema, with auto-migrate off.
    Map<String, String> rolledOut = with(environment, ServeCommand.AUTO_MIGRATE_ENV, "false");
    try (RunningBroker faulty = startServing(FAULTY, rolledOut)) {
      await(FAULTY + " serving")
          .atMost(PROCESS_TIMEOUT)
          .pollInterval(Duration.ofMillis(200))
          .failFast(FAULTY + " exited during start-up", () -> !faulty.isAlive())
          .until(() -> faulty.heartbeatStatus() != -1);
      await(FAULTY + " heartbeat failing all along")
          .during(WATCHED)
          .atMost(WATCHED.plusSeconds(5))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> faulty.isAlive() && faulty.heartbeatStatus() == 503);
      assertThat(faulty.heartbeatBody()).contains("never becomes ready");

      Exited stopped = faulty.stop();
      assertThat(stopped.exitCode()).as("%s", stopped).isZero();
      WriterCounters counters = RunningBroker.finalCounters(stopped);
      assertThat(counters.attempted()).as("writes of a broker that is never ready").isZero();
    }
    assertThat(BrokerDatabaseInspector.of(database).publicationsByWriterVersion())
        .doesNotContainKey(FAULTY);

    // The same database and environment are fine: the base release serves them and is ready.
    try (RunningBroker base = serve(BASE, rolledOut)) {
      assertThat(base.heartbeatStatus()).isEqualTo(200);
      assertThat(base.stop().exitCode()).isZero();
    }

    assertMigrated(
        run(
            FAULTY,
            "db-migrate",
            with(environment, MigrateCommand.TARGET_ENV, Long.toString(baseVersion))));
    assertThat(dbVersion(BASE, environment))
        .as("db-version after migrating down from the faulty release")
        .isEqualTo(baseVersion);
  }

  private static void assertMigrated(Exited migrate) {
    assertThat(migrate.exitCode()).as("%s", migrate).isZero();
  }
}
