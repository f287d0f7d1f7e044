package dev.brokerops.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.brokerops.bench.Bench;
import dev.brokerops.upgrade.api.StepName;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Why the procedure has a final data migration: the test drives steps 1-3 itself (no operator runs
 * here), shows the rows old pods wrote during the rollout still in the old shape, then runs step 4
 * and shows them fixed.
 */
class DataMigrationE2E {

  @RegisterExtension static final Bench bench = Bench.full();

  @Test
  void rowsOldPodsWriteDuringTheRolloutStayUnmigratedUntilTheFinalDataMigration() {
    OperatorProcess.applyCrd(bench);
    String namespace = bench.createNamespace("reason");
    BrokerFixture broker = BrokerFixture.deploy(bench, namespace, "1.2.0", 3);
    BrokerUpgrades upgrades = new BrokerUpgrades(bench, namespace);
    // owns the Jobs the test runs; paused, and no operator watches this test anyway
    upgrades.apply("2.0.0", "paused: true\n");
    ProcedureByHand steps = new ProcedureByHand(bench, upgrades.get());

    // steps 1 and 2: record the database version, migrate the schema with the target image
    steps.runJob(1, StepName.RecordDatabaseVersion, "1.2.0", "db-version");
    steps.runJob(2, StepName.SchemaMigration, "2.0.0", "db-migrate");
    assertThat(broker.inspector().publicationColumns()).contains("content_sha256");

    // step 3: the rollout with auto-migrate off, in one change, as the seed says
    steps.startRollout("2.0.0");
    await("rollout to 2.0.0").atMost(Duration.ofMinutes(2)).until(broker::rolledOut);

    long leftByOldPods = broker.inspector().unmigratedRows();
    assertThat(leftByOldPods)
        .as("rows 1.2.0 pods wrote after the schema migration, in the old shape")
        .isPositive();

    // step 4: the data migration again, after the last old pod is gone
    steps.runJob(4, StepName.DataMigration, "2.0.0", "db-migrate");
    assertThat(broker.inspector().unmigratedRows()).isZero();

    broker.stopWritersAndAssertNoDowntime();
    System.out.printf("unmigrated rows after steps 1-3: %d; after step 4: 0%n", leftByOldPods);
  }
}
