package dev.brokerops.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.brokerops.bench.Bench;
import dev.brokerops.upgrade.api.BrokerUpgrade;
import dev.brokerops.upgrade.api.Phase;
import dev.brokerops.upgrade.api.RunResult;
import dev.brokerops.upgrade.api.StepName;
import dev.brokerops.upgrade.api.StepState;
import dev.brokerops.upgrade.api.StepStatus;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A failed rollout retried: Ready is earned by a complete rollout and the data migration after it,
 * never by a Deployment template that already names the target.
 */
class DoneMeansDoneE2E {

  @RegisterExtension
  @Order(1)
  static final Bench bench = Bench.full();

  @RegisterExtension
  @Order(2)
  static final OperatorProcess operator = OperatorProcess.forClass(bench);

  @Test
  void aRetriedFailedRolloutFinishesTheRolloutAndTheDataMigrationBeforeItIsReady() {
    String namespace = bench.createNamespace("retried");
    BrokerFixture broker = BrokerFixture.deploy(bench, namespace, "1.2.0", 3);
    // A short progress deadline: its ProgressDeadlineExceeded is still on the Deployment when the
    // retry starts, and must not fail the retry at once.
    BrokerConfigFault config = BrokerConfigFault.install(bench, broker, 10);
    BrokerUpgrades upgrades = new BrokerUpgrades(bench, namespace);
    config.breakIt(); // the new pods of the upgrade will crash

    upgrades.apply(
        "2.0.0",
        "versionPolicy:\n  availableVersions: "
            + BrokerUpgrades.ALL_VERSIONS
            + "\nrollout:\n  timeoutSeconds: 120\n");

    await("the rollout fails")
        .atMost(Duration.ofMinutes(2))
        .until(() -> phase(upgrades) == Phase.Failed);
    BrokerUpgrade failed = upgrades.get();
    StepStatus failedRollout = step(failed, StepName.Rollout);
    assertThat(failedRollout.getState()).isEqualTo(StepState.Failed);
    assertThat(failedRollout.getReason()).isEqualTo("ProgressDeadlineExceeded");
    assertThat(broker.runningVersion()).as("the template names the target").isEqualTo("2.0.0");
    assertThat(upgrades.conditionIs("Ready", "False")).isTrue();
    assertThat(upgrades.conditionIs("Degraded", "True")).isTrue();
    assertThat(upgrades.waitReady(3).exitCode())
        .as("kubectl wait does not pass on a broken broker")
        .isNotZero();
    assertThat(upgrades.jobsOf(StepName.DataMigration)).isEmpty();

    // What a person does: fix the configuration, then ask for a retry.
    config.fix();
    Instant retried = Instant.now();
    assertThat(
            upgrades
                .kubectl()
                .run(
                    "annotate",
                    "bu/" + BrokerUpgrades.NAME,
                    "-n",
                    namespace,
                    BrokerUpgrade.RETRY_ANNOTATION + "=1",
                    "--overwrite")
                .succeeded())
        .isTrue();
    await("the retry starts")
        .atMost(Duration.ofSeconds(30))
        .until(() -> !"r1".equals(upgrades.get().getStatus().getRun().getId()));
    assertThat(upgrades.conditionIs("Ready", "False"))
        .as("not Ready while the retry runs")
        .isTrue();

    assertThat(upgrades.waitReady(240).exitCode()).as(operator.log().toString()).isZero();
    BrokerUpgrade done = upgrades.get();
    assertThat(done.getStatus().getPhase()).isEqualTo(Phase.Succeeded);
    assertThat(done.getStatus().getRun().getId()).isEqualTo("r2");
    assertThat(done.getStatus().getRun().getSteps())
        .extracting(StepStatus::getName)
        .containsExactly(StepName.Preflight, StepName.Rollout, StepName.DataMigration);
    assertThat(done.getStatus().getHistory())
        .extracting(run -> run.getId() + "/" + run.getResult())
        .containsExactly("r2/" + RunResult.Succeeded, "r1/" + RunResult.Failed);
    List<Job> dataMigrations = upgrades.jobsOf(StepName.DataMigration);
    assertThat(dataMigrations).hasSize(1);
    Instant rolledOut = Instant.parse(step(done, StepName.Rollout).getFinishedAt());
    assertThat(Instant.parse(dataMigrations.get(0).getMetadata().getCreationTimestamp()))
        .as("the data migration comes after the retried rollout finished")
        .isAfterOrEqualTo(rolledOut.minusSeconds(1))
        .isAfter(retried);
    assertThat(upgrades.jobsOf(StepName.SchemaMigration))
        .as("the schema migration that succeeded is not run again")
        .hasSize(1);

    broker.stopWritersAndAssertNoDowntime();
  }

  private static Phase phase(BrokerUpgrades upgrades) {
    BrokerUpgrade upgrade = upgrades.get();
    return upgrade.getStatus() == null ? null : upgrade.getStatus().getPhase();
  }

  private static StepStatus step(BrokerUpgrade upgrade, StepName name) {
    return upgrade.getStatus().getRun().getSteps().stream()
        .filter(step -> step.getName() == name)
        .reduce((first, second) -> second)
        .orElseThrow();
  }
}
