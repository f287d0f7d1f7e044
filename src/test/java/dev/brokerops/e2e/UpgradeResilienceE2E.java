package dev.brokerops.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.brokerops.bench.Bench;
import dev.brokerops.referencebroker.ReferenceBrokerImages;
import dev.brokerops.upgrade.api.BrokerUpgrade;
import dev.brokerops.upgrade.api.RunResult;
import dev.brokerops.upgrade.api.RunSummary;
import dev.brokerops.upgrade.api.StepName;
import dev.brokerops.upgrade.api.StepState;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A run survives what happens to real operators: being killed mid-step, and a new version mid-run.
 */
class UpgradeResilienceE2E {

  private static final List<StepName> UPGRADE_STEPS =
      List.of(
          StepName.RecordDatabaseVersion,
          StepName.SchemaMigration,
          StepName.Rollout,
          StepName.DataMigration);

  @RegisterExtension
  @Order(1)
  static final Bench bench = Bench.full();

  @RegisterExtension
  @Order(2)
  static final OperatorProcess operator = OperatorProcess.forClass(bench);

  @Test
  void operatorKilledDuringEachStepFinishesTheRunWithoutRunningAStepTwice() {
    String namespace = bench.createNamespace("killed");
    BrokerFixture broker = BrokerFixture.deploy(bench, namespace, "1.2.0", 3);
    long generationBefore = broker.deployment().getMetadata().getGeneration();
    BrokerUpgrades upgrades = new BrokerUpgrades(bench, namespace);

    upgrades.applyWithAvailableVersions("2.0.0");
    List<StepName> killedDuring = new ArrayList<>();
    for (StepName step : UPGRADE_STEPS) {
      await("step " + step)
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(20))
          // and its StepStarted line logged: notices follow the status patch, so a kill between
          // the two loses that one line (never duplicates it); this test counts them
          .until(
              () ->
                  step.name().equals(currentStep(upgrades))
                      && upgrades.logged(operator, "StepStarted").stream()
                          .anyMatch(m -> m.contains(" step " + step.name() + " (")));
      operator.kill();
      killedDuring.add(step);
      operator.restart();
    }

    assertThat(upgrades.waitReady(300).exitCode()).as(operator.log().toString()).isZero();
    assertThat(killedDuring).containsExactlyElementsOf(UPGRADE_STEPS);
    upgrades.assertEachJobStepRanOnce();
    assertThat(broker.deployment().getMetadata().getGeneration())
        .as("the Deployment was changed once")
        .isEqualTo(generationBefore + 1);
    BrokerUpgrade upgrade = upgrades.get();
    assertThat(upgrade.getStatus().getRun().getSteps())
        .allSatisfy(s -> assertThat(s.getState()).isEqualTo(StepState.Succeeded));
    assertThat(upgrade.getStatus().getHistory())
        .singleElement()
        .satisfies(run -> assertThat(run.getResult()).isEqualTo(RunResult.Succeeded));
    assertThat(upgrades.logged(operator, "StepStarted"))
        .as("each step started once")
        .hasSize(UPGRADE_STEPS.size());

    broker.stopWritersAndAssertNoDowntime();
  }

  @Test
  void aVersionBumpDuringARunIsQueuedThenRunsOnceTheRunHasFinished() {
    String namespace = bench.createNamespace("bumped");
    BrokerFixture broker = BrokerFixture.deploy(bench, namespace, "1.0.0", 2);
    BrokerUpgrades upgrades = new BrokerUpgrades(bench, namespace);

    upgrades.apply("1.1.0", "");
    await()
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> StepName.SchemaMigration.name().equals(currentStep(upgrades)));
    upgrades.apply("1.2.0", ""); // what a GitOps tool does when the next bump lands in git

    await("the new target shown as planned while the run goes on")
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              var status = upgrades.get().getStatus();
              return status.getNextRun() != null
                  && "1.2.0".equals(status.getNextRun().getTo())
                  && "1.1.0".equals(status.getRun().getTo());
            });
    assertThat(upgrades.waitReady(300).exitCode()).as(operator.log().toString()).isZero();

    BrokerUpgrade upgrade = upgrades.get();
    assertThat(upgrade.getStatus().getCurrentVersion()).isEqualTo("1.2.0");
    assertThat(upgrade.getStatus().getHistory())
        .extracting(RunSummary::getFrom, RunSummary::getTo, RunSummary::getResult)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("1.1.0", "1.2.0", RunResult.Succeeded),
            org.assertj.core.groups.Tuple.tuple("1.0.0", "1.1.0", RunResult.Succeeded));
    List<Job> schema = upgrades.jobsOf(StepName.SchemaMigration);
    assertThat(schema)
        .extracting(j -> j.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .containsExactly(
            ReferenceBrokerImages.image("1.1.0"), ReferenceBrokerImages.image("1.2.0"));
    Job firstRunData = upgrades.jobsOf(StepName.DataMigration).get(0);
    assertThat(Instant.parse(schema.get(1).getMetadata().getCreationTimestamp()))
        .as("the second run started after the first had finished")
        .isAfterOrEqualTo(Instant.parse(firstRunData.getStatus().getCompletionTime()));
    assertThat(broker.runningVersion()).isEqualTo("1.2.0");
  }

  private static String currentStep(BrokerUpgrades upgrades) {
    BrokerUpgrade upgrade = upgrades.get();
    return upgrade == null || upgrade.getStatus() == null ? null : upgrade.getStatus().getStep();
  }
}
