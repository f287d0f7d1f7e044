package dev.brokerops.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.brokerops.bench.Bench;
import dev.brokerops.referencebroker.ReferenceBrokerImages;
import dev.brokerops.upgrade.api.BrokerUpgrade;
import dev.brokerops.upgrade.api.StepName;
import dev.brokerops.upgrade.jobs.JobRequest;
import dev.brokerops.upgrade.jobs.JobSpecFactory;
import dev.brokerops.upgrade.plan.BrokerContainer;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
    BrokerUpgrade owner = upgrades.get();

    // steps 1 and 2: record the database version, migrate the schema with the target image
    runJob(owner, 1, StepName.RecordDatabaseVersion, "1.2.0", "db-version");
    runJob(owner, 2, StepName.SchemaMigration, "2.0.0", "db-migrate");
    assertThat(broker.inspector().publicationColumns()).contains("content_sha256");

    // step 3: the rollout with auto-migrate off, in one change, as the seed says
    var patched =
        upgrades
            .kubectl()
            .run(
                "patch",
                "deployment",
                BrokerFixture.DEPLOYMENT,
                "-n",
                namespace,
                "--type=strategic",
                "-p",
                """
            {"spec":{"template":{"spec":{"containers":[{"name":"%s","image":"%s",
             "env":[{"name":"PACTFLOW_DATABASE_AUTO_MIGRATE","value":"false"}]}]}}}}
            """
                    .formatted(BrokerFixture.CONTAINER, ReferenceBrokerImages.image("2.0.0")));
    assertThat(patched.exitCode()).as(patched.output()).isZero();
    await("rollout to 2.0.0").atMost(Duration.ofMinutes(2)).until(broker::rolledOut);

    long leftByOldPods = broker.inspector().unmigratedRows();
    assertThat(leftByOldPods)
        .as("rows 1.2.0 pods wrote after the schema migration, in the old shape")
        .isPositive();

    // step 4: the data migration again, after the last old pod is gone
    runJob(owner, 4, StepName.DataMigration, "2.0.0", "db-migrate");
    assertThat(broker.inspector().unmigratedRows()).isZero();

    broker.stopWritersAndAssertNoDowntime();
    System.out.printf("unmigrated rows after steps 1-3: %d; after step 4: 0%n", leftByOldPods);
  }

  /** One step's Job, built the one way the operator builds Jobs, run to completion. */
  private void runJob(BrokerUpgrade owner, int index, StepName step, String tag, String command) {
    var deployment =
        bench
            .client()
            .apps()
            .deployments()
            .inNamespace(owner.getMetadata().getNamespace())
            .withName(BrokerFixture.DEPLOYMENT)
            .get();
    var found = (BrokerContainer.Lookup.Found) BrokerContainer.find(deployment, null);
    Job job =
        JobSpecFactory.build(
            owner,
            deployment,
            found.container().container(),
            JobRequest.forStep(
                owner.getMetadata().getName(),
                "manual",
                index,
                step,
                tag,
                ReferenceBrokerImages.image(tag),
                List.of(command),
                Map.of()));
    bench
        .client()
        .batch()
        .v1()
        .jobs()
        .inNamespace(owner.getMetadata().getNamespace())
        .resource(job)
        .create();
    await(step + " Job complete")
        .atMost(Duration.ofMinutes(1))
        .until(
            () -> {
              Job current =
                  bench
                      .client()
                      .batch()
                      .v1()
                      .jobs()
                      .inNamespace(owner.getMetadata().getNamespace())
                      .withName(job.getMetadata().getName())
                      .get();
              var conditions =
                  current.getStatus() == null ? null : current.getStatus().getConditions();
              if (conditions != null
                  && conditions.stream()
                      .anyMatch(
                          c -> c.getType().equals("Failed") && c.getStatus().equals("True"))) {
                throw new AssertionError(step + " Job failed: " + conditions);
              }
              return conditions != null
                  && conditions.stream()
                      .anyMatch(
                          c -> c.getType().equals("Complete") && c.getStatus().equals("True"));
            });
  }
}
