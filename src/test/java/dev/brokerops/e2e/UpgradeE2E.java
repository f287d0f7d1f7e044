package dev.brokerops.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brokerops.bench.Bench;
import dev.brokerops.bench.Kubectl;
import dev.brokerops.referencebroker.ReferenceBrokerImages;
import dev.brokerops.referencebroker.WriterCounters;
import dev.brokerops.upgrade.api.BrokerUpgrade;
import dev.brokerops.upgrade.api.StepName;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PactFlow's no-downtime upgrade, run by the operator on the bench against the reference broker.
 */
class UpgradeE2E {

  @RegisterExtension
  @Order(1)
  static final Bench bench = Bench.full();

  @RegisterExtension
  @Order(2)
  static final OperatorProcess operator = OperatorProcess.forClass(bench);

  @Test
  void minorUpgradeRunsTheStepsInOrderWithNoDowntime() {
    upgradesWithNoDowntime("1.0.0", "1.1.0");
  }

  @Test
  void majorUpgradeFromTheNewestPatchRunsTheStepsInOrderWithNoDowntime() {
    upgradesWithNoDowntime("1.2.0", "2.0.0");
  }

  private void upgradesWithNoDowntime(String from, String to) {
    String namespace = bench.createNamespace("upgrade");
    BrokerFixture broker = BrokerFixture.deploy(bench, namespace, from, 3);

    BrokerUpgrades upgrades = new BrokerUpgrades(bench, namespace);
    // a major upgrade needs the list that proves `from` is the newest patch of its major
    upgrades.applyWithAvailableVersions(to);
    Kubectl.Result waited = upgrades.waitReady(300);
    assertThat(waited.exitCode())
        .as(waited.output() + "\noperator log: " + operator.log())
        .isZero();

    // the Deployment runs the target with auto-migrate off
    assertThat(broker.runningVersion()).isEqualTo(to);
    assertThat(
            broker.deployment().getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("PACTFLOW_DATABASE_AUTO_MIGRATE");
              assertThat(e.getValue()).isEqualTo("false");
            });

    // the steps ran in order: Job creation and the Deployment's change prove it
    Job record = onlyJob(upgrades, StepName.RecordDatabaseVersion);
    Job schema = onlyJob(upgrades, StepName.SchemaMigration);
    Job data = onlyJob(upgrades, StepName.DataMigration);
    Instant schemaDone = Instant.parse(schema.getStatus().getCompletionTime());
    Instant deploymentChanged = newestReplicaSetCreated(namespace);
    assertThat(created(record)).isBeforeOrEqualTo(created(schema));
    assertThat(Instant.parse(record.getStatus().getCompletionTime()))
        .isBeforeOrEqualTo(created(schema));
    assertThat(deploymentChanged)
        .as("the Deployment is untouched until the schema migration completed")
        .isAfterOrEqualTo(schemaDone);
    assertThat(created(data)).isAfterOrEqualTo(deploymentChanged);
    assertThat(schema.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo(ReferenceBrokerImages.image(to));
    assertThat(record.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo(ReferenceBrokerImages.image(from));

    BrokerUpgrade upgrade = upgrades.get();
    assertThat(upgrade.getStatus().getRun().getDatabaseVersionBefore())
        .isEqualTo(String.valueOf(ReferenceBrokerImages.newestMigrationNumber(from)));
    assertThat(upgrade.getStatus().getCurrentVersion()).isEqualTo(to);

    Kubectl.Result listed = upgrades.kubectl().run("get", "bu", "-n", namespace);
    assertThat(listed.output())
        .containsPattern("NAME\\s+DEPLOYMENT\\s+CURRENT\\s+TARGET\\s+PHASE\\s+STEP\\s+AGE")
        .containsPattern(
            "pactflow\\s+pactflow\\s+"
                + to.replace(".", "\\.")
                + "\\s+"
                + to.replace(".", "\\.")
                + "\\s+Succeeded");

    // no downtime: no failed write, no lost row, no row left in the old shape
    List<WriterCounters> writers = broker.stopWritersAndAssertNoDowntime();
    assertThat(writers).as("old and new replicas wrote").hasSizeGreaterThanOrEqualTo(6);
  }

  private static Job onlyJob(BrokerUpgrades upgrades, StepName step) {
    List<Job> jobs = upgrades.jobsOf(step);
    assertThat(jobs).as("Jobs of step " + step).hasSize(1);
    return jobs.get(0);
  }

  private static Instant created(Job job) {
    return Instant.parse(job.getMetadata().getCreationTimestamp());
  }

  private Instant newestReplicaSetCreated(String namespace) {
    return bench.client().apps().replicaSets().inNamespace(namespace).list().getItems().stream()
        .map(ReplicaSet::getMetadata)
        .map(m -> Instant.parse(m.getCreationTimestamp()))
        .max(Comparator.naturalOrder())
        .orElseThrow();
  }
}
