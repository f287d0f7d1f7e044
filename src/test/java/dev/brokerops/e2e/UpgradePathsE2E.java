package dev.brokerops.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.brokerops.bench.Bench;
import dev.brokerops.referencebroker.ReferenceBrokerImages;
import dev.brokerops.upgrade.api.Phase;
import dev.brokerops.upgrade.api.StepName;
import dev.brokerops.upgrade.api.StepState;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Which paths the operator takes, and which it refuses: major hops, unprovable paths, missing tags.
 */
class UpgradePathsE2E {

  @RegisterExtension
  @Order(1)
  static final Bench bench = Bench.full();

  @RegisterExtension
  @Order(2)
  static final OperatorProcess operator = OperatorProcess.forClass(bench);

  @Test
  void majorUpgradeWithAvailableVersionsHopsThroughTheNewestPreviousPatch() {
    String namespace = bench.createNamespace("hops");
    BrokerFixture broker = BrokerFixture.deploy(bench, namespace, "1.0.0", 3);
    BrokerUpgrades upgrades = new BrokerUpgrades(bench, namespace);

    upgrades.applyWithAvailableVersions("2.1.0");

    assertThat(upgrades.waitReady(400).exitCode()).as(operator.log().toString()).isZero();
    var run = upgrades.get().getStatus().getRun();
    assertThat(run.getPlan()).containsExactly("1.2.0", "2.1.0");
    assertThat(upgrades.jobsOf(StepName.SchemaMigration))
        .extracting(UpgradePathsE2E::imageOf)
        .containsExactly(
            ReferenceBrokerImages.image("1.2.0"), ReferenceBrokerImages.image("2.1.0"));
    assertThat(upgrades.jobsOf(StepName.DataMigration))
        .extracting(UpgradePathsE2E::imageOf)
        .containsExactly(
            ReferenceBrokerImages.image("1.2.0"), ReferenceBrokerImages.image("2.1.0"));
    // the second hop's schema migration starts only after the first hop's data migration
    Job firstData = upgrades.jobsOf(StepName.DataMigration).get(0);
    Job secondSchema = upgrades.jobsOf(StepName.SchemaMigration).get(1);
    assertThat(Instant.parse(secondSchema.getMetadata().getCreationTimestamp()))
        .isAfterOrEqualTo(Instant.parse(firstData.getStatus().getCompletionTime()));
    assertThat(bench.client().apps().replicaSets().inNamespace(namespace).list().getItems())
        .extracting(rs -> rs.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .containsExactlyInAnyOrder(
            ReferenceBrokerImages.image("1.0.0"),
            ReferenceBrokerImages.image("1.2.0"),
            ReferenceBrokerImages.image("2.1.0"));
    assertThat(broker.runningVersion()).isEqualTo("2.1.0");

    broker.stopWritersAndAssertNoDowntime();
  }

  @Test
  void majorUpgradeWithoutAvailableVersionsIsBlockedWithAMessageThatSaysWhatToSet() {
    String namespace = bench.createNamespace("blocked");
    BrokerFixture broker = BrokerFixture.deploy(bench, namespace, "1.0.0", 1);
    long generation = broker.deployment().getMetadata().getGeneration();
    BrokerUpgrades upgrades = new BrokerUpgrades(bench, namespace);

    upgrades.apply("2.1.0", "");

    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                upgrades.get().getStatus() != null
                    && upgrades.get().getStatus().getPhase() == Phase.Blocked);
    assertThat(upgrades.condition("Degraded"))
        .hasValueSatisfying(
            degraded -> {
              assertThat(degraded.getStatus()).isEqualTo("True");
              assertThat(degraded.getMessage()).contains("spec.versionPolicy.availableVersions");
            });
    assertThat(upgrades.conditionIs("Ready", "False")).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> !upgrades.warnings().isEmpty());
    assertThat(upgrades.jobsOf(StepName.RecordDatabaseVersion)).isEmpty();
    assertThat(broker.deployment().getMetadata().getGeneration()).isEqualTo(generation);
    assertThat(upgrades.kubectl().run("get", "bu", "-n", namespace).output()).contains("Blocked");
  }

  @Test
  void aTagWithNoImageFailsTheStepWithinAMinuteAndNeverTouchesTheDeployment() {
    String namespace = bench.createNamespace("no-image");
    BrokerFixture broker = BrokerFixture.deploy(bench, namespace, "1.0.0", 1);
    long generation = broker.deployment().getMetadata().getGeneration();
    BrokerUpgrades upgrades = new BrokerUpgrades(bench, namespace);

    upgrades.apply("1.1.1", ""); // a typo: 1.1.1 was never released

    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                !upgrades.jobsOf(StepName.SchemaMigration).isEmpty()
                    || upgrades.get().getStatus() != null
                        && upgrades.get().getStatus().getPhase() == Phase.Failed);
    Instant schemaStarted = Instant.now();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> upgrades.get().getStatus().getPhase() == Phase.Failed);
    assertThat(Duration.between(schemaStarted, Instant.now())).isLessThan(Duration.ofSeconds(60));

    var status = upgrades.get().getStatus();
    var failed =
        status.getRun().getSteps().stream()
            .filter(s -> s.getName() == StepName.SchemaMigration)
            .findFirst()
            .orElseThrow();
    assertThat(failed.getState()).isEqualTo(StepState.Failed);
    assertThat(failed.getJob()).isNotBlank();
    assertThat(failed.getMessage()).contains(ReferenceBrokerImages.image("1.1.1"));
    assertThat(upgrades.condition("Degraded"))
        .hasValueSatisfying(
            degraded -> {
              assertThat(degraded.getStatus()).isEqualTo("True");
              assertThat(degraded.getMessage()).contains(ReferenceBrokerImages.image("1.1.1"));
            });
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                upgrades.warnings().stream()
                    .anyMatch(e -> e.getMessage().contains(failed.getJob())));
    assertThat(broker.deployment().getMetadata().getGeneration())
        .as("the Deployment is never touched")
        .isEqualTo(generation);
    assertThat(broker.runningVersion()).isEqualTo("1.0.0");
  }

  private static String imageOf(Job job) {
    return job.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }
}
