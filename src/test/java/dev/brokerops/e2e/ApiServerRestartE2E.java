package dev.brokerops.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.brokerops.bench.Bench;
import dev.brokerops.referencebroker.WriterCounters;
import dev.brokerops.upgrade.api.BrokerUpgrade;
import dev.brokerops.upgrade.api.RunResult;
import dev.brokerops.upgrade.api.StepName;
import dev.brokerops.upgrade.api.StepState;
import dev.brokerops.upgrade.api.StepStatus;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The API server goes away and comes back in the middle of a run (a control-plane upgrade does
 * that): the operator, the controllers and the node reconnect by themselves, and the run finishes
 * as if nothing happened.
 */
class ApiServerRestartE2E {

  @RegisterExtension
  @Order(1)
  static final Bench bench = Bench.full();

  @RegisterExtension
  @Order(2)
  static final OperatorProcess operator = OperatorProcess.forClass(bench);

  @Test
  void apiServerRestartedDuringTheRolloutTheRunFinishesWithNoStepTwiceAndNoDowntime() {
    Instant testStart = Instant.now();
    String namespace = bench.createNamespace("apirestart");
    BrokerFixture broker = BrokerFixture.deploy(bench, namespace, "1.0.0", 3);
    long generationBefore = broker.deployment().getMetadata().getGeneration();
    BrokerUpgrades upgrades = new BrokerUpgrades(bench, namespace);

    upgrades.apply("1.1.0", "");
    await("the Rollout step")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(20))
        // and its StepStarted line logged (notices follow the status patch), so that the count
        // below is about steps started, not about a line the restart interrupted
        .until(
            () ->
                StepName.Rollout.name().equals(currentStep(upgrades))
                    && upgrades.logged(operator, "StepStarted").stream()
                        .anyMatch(m -> m.contains(" step Rollout (")));
    Instant restartStart = Instant.now();
    Duration restart = bench.restartApiServer();
    Instant restartEnd = Instant.now();

    assertThat(upgrades.waitReady(300).exitCode()).as(operator.log().toString()).isZero();
    Duration run = Duration.between(restartStart, Instant.now());

    BrokerUpgrade upgrade = upgrades.get();
    assertThat(upgrade.getStatus().getCurrentVersion()).isEqualTo("1.1.0");
    assertThat(broker.runningVersion()).isEqualTo("1.1.0");
    assertThat(upgrade.getStatus().getRun().getSteps())
        .allSatisfy(s -> assertThat(s.getState()).isEqualTo(StepState.Succeeded));
    StepStatus rollout =
        upgrade.getStatus().getRun().getSteps().stream()
            .filter(s -> s.getName() == StepName.Rollout)
            .findFirst()
            .orElseThrow();
    assertThat(Instant.parse(rollout.getFinishedAt()))
        .as("the rollout was still in progress when the API server went away")
        .isAfterOrEqualTo(restartStart.truncatedTo(ChronoUnit.SECONDS));
    assertThat(upgrade.getStatus().getHistory())
        .singleElement()
        .satisfies(r -> assertThat(r.getResult()).isEqualTo(RunResult.Succeeded));

    // exactly one Job per step, each run once; the Deployment changed once
    upgrades.assertEachJobStepRanOnce();
    Job data = upgrades.jobsOf(StepName.DataMigration).get(0);
    assertThat(Instant.parse(data.getMetadata().getCreationTimestamp()))
        .as("the operator saw the rollout end through the restarted API server")
        .isAfterOrEqualTo(restartEnd.truncatedTo(ChronoUnit.SECONDS));
    assertThat(broker.deployment().getMetadata().getGeneration())
        .as("the Deployment was changed once")
        .isEqualTo(generationBefore + 1);
    List<String> started = upgrades.logged(operator, "StepStarted");
    assertThat(started)
        .as("each step started once")
        .hasSize(4)
        .doesNotHaveDuplicates()
        .anyMatch(m -> m.contains(" step DataMigration ("));

    // no downtime: no failed write, no lost row, no row left in the old shape
    List<WriterCounters> writers = broker.stopWritersAndAssertNoDowntime();
    assertThat(writers).as("old and new replicas wrote").hasSizeGreaterThanOrEqualTo(6);
    System.out.printf(
        "API server restart during the rollout: %d ms until /readyz; Ready %d ms after the restart"
            + " began; test %d ms wall%n",
        restart.toMillis(), run.toMillis(), Duration.between(testStart, Instant.now()).toMillis());
  }

  private static String currentStep(BrokerUpgrades upgrades) {
    BrokerUpgrade upgrade = upgrades.get();
    return upgrade == null || upgrade.getStatus() == null ? null : upgrade.getStatus().getStep();
  }
}
