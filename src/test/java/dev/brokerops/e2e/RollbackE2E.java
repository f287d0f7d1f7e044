package dev.brokerops.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.brokerops.bench.Bench;
import dev.brokerops.bench.Kubectl;
import dev.brokerops.referencebroker.ReferenceBrokerImages;
import dev.brokerops.referencebroker.WriterCounters;
import dev.brokerops.upgrade.api.BrokerUpgrade;
import dev.brokerops.upgrade.api.Phase;
import dev.brokerops.upgrade.api.PlannedRun;
import dev.brokerops.upgrade.api.RunType;
import dev.brokerops.upgrade.api.StepName;
import dev.brokerops.upgrade.api.StepStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PactFlow's rollback with writers running: the older version rolls out first (it runs on the newer
 * schema, as in any rolling upgrade), then the newer image migrates the database down, then the
 * older image's db-version proves where it is.
 */
class RollbackE2E {

  @RegisterExtension
  @Order(1)
  static final Bench bench = Bench.full();

  @RegisterExtension
  @Order(2)
  static final OperatorProcess operator = OperatorProcess.forClass(bench);

  @Test
  void aDowngradeIsRefusedUntilAllowedThenRollsBackAMajorWithZeroFailedWrites() {
    String namespace = bench.createNamespace("rollback");
    BrokerFixture broker = BrokerFixture.deploy(bench, namespace, "2.0.0", 3);
    BrokerUpgrades upgrades = new BrokerUpgrades(bench, namespace);
    long generation = broker.deployment().getMetadata().getGeneration();

    upgrades.apply("1.2.0", "");

    await("refused")
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                upgrades.get().getStatus() != null
                    && upgrades.get().getStatus().getPhase() == Phase.Blocked);
    assertThat(upgrades.condition("Degraded").orElseThrow().getMessage())
        .contains("spec.allowDowngrade: true");
    assertThat(upgrades.jobsOf(StepName.FindMigrationTarget)).as("nothing ran").isEmpty();
    assertThat(broker.deployment().getMetadata().getGeneration()).isEqualTo(generation);

    upgrades.apply("1.2.0", "allowDowngrade: true\n");

    // Back across a major: the way back is the upgrade path reversed, which needs the list.
    await("the path must be proven")
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                upgrades
                    .condition("Degraded")
                    .filter(c -> "RollbackPathUnknown".equals(c.getReason()))
                    .isPresent());
    assertThat(upgrades.condition("Degraded").orElseThrow().getMessage())
        .contains("spec.versionPolicy.availableVersions");
    assertThat(upgrades.jobsOf(StepName.FindMigrationTarget)).as("nothing ran").isEmpty();

    // Paused, the planned rollback waits and shows itself; unpaused, it runs.
    String allowedWithPath =
        "allowDowngrade: true\nversionPolicy:\n  availableVersions: "
            + BrokerUpgrades.ALL_VERSIONS
            + "\n";
    upgrades.apply("1.2.0", allowedWithPath + "paused: true\n");
    await("paused").atMost(Duration.ofSeconds(30)).until(() -> phase(upgrades) == Phase.Paused);
    PlannedRun next = upgrades.get().getStatus().getNextRun();
    assertThat(next.getType()).isEqualTo(RunType.Rollback);
    assertThat(next.getPlan()).containsExactly("1.2.0");
    assertThat(next.getWaitingFor()).isEqualTo("spec.paused is true");
    assertThat(upgrades.jobsOf(StepName.FindMigrationTarget)).as("nothing ran").isEmpty();

    upgrades.apply("1.2.0", allowedWithPath);

    rolledBackWithNoDowntime(upgrades, broker, namespace, List.of("1.2.0"), "2.0.0");
  }

  @Test
  void aRollbackAcrossAMajorWalksTheUpgradePathBackwardsHopByHop() {
    String namespace = bench.createNamespace("rollback-hops");
    BrokerFixture broker = BrokerFixture.deploy(bench, namespace, "2.1.0", 3);
    BrokerUpgrades upgrades = new BrokerUpgrades(bench, namespace);

    upgrades.apply(
        "1.0.0",
        "allowDowngrade: true\nversionPolicy:\n  availableVersions: "
            + BrokerUpgrades.ALL_VERSIONS
            + "\n");

    rolledBackWithNoDowntime(upgrades, broker, namespace, List.of("1.2.0", "1.0.0"), "2.1.0");
  }

  @Test
  void anUpgradeThatNeverBecomesAvailableRollsBackUnderRollbackAndStopsUnderHalt() {
    String namespace = bench.createNamespace("faulty");
    BrokerFixture broker = BrokerFixture.deploy(bench, namespace, "2.0.0", 3);
    BrokerUpgrades upgrades = new BrokerUpgrades(bench, namespace);
    String faulty = ReferenceBrokerImages.FAULTY_TAG;
    long recorded = ReferenceBrokerImages.newestMigrationNumber("2.0.0");

    upgrades.apply(faulty, "onFailure: Rollback\nrollout:\n  timeoutSeconds: 10\n");

    await("rolled back")
        .atMost(Duration.ofMinutes(3))
        .until(() -> phase(upgrades) == Phase.RolledBack);
    BrokerUpgrade rolledBack = upgrades.get();
    assertThat(rolledBack.getStatus().getHistory())
        .extracting(run -> run.getType() + "/" + run.getResult())
        .containsExactly("Rollback/Succeeded", "Upgrade/Failed");
    assertThat(upgrades.condition("Degraded").orElseThrow().getMessage())
        .contains("rolled back to 2.0.0");
    assertThat(upgrades.events("RollbackStarted"))
        .singleElement()
        .satisfies(event -> assertThat(event.getMessage()).contains("step Rollout"));
    assertThat(broker.runningVersion()).isEqualTo("2.0.0");
    await("the faulty pods are gone").atMost(Duration.ofMinutes(1)).until(broker::rolledOut);
    assertThat(broker.inspector().newestAppliedMigration())
        .as("the database is back at the number recorded before the upgrade")
        .isEqualTo(recorded);
    assertThat(rolledBack.getStatus().getRun().getDatabaseVersionBefore())
        .isEqualTo(String.valueOf(recorded));

    // The same failure under Halt: the run stops, and nothing more is touched.
    upgrades.apply(faulty, "onFailure: Halt\nrollout:\n  timeoutSeconds: 10\n");
    await("failed")
        .atMost(Duration.ofMinutes(2))
        .until(
            () ->
                phase(upgrades) == Phase.Failed
                    && !upgrades
                        .get()
                        .getStatus()
                        .getRun()
                        .getId()
                        .equals(rolledBack.getStatus().getRun().getId()));
    long generation = broker.deployment().getMetadata().getGeneration();
    int jobs = bench.client().batch().v1().jobs().inNamespace(namespace).list().getItems().size();
    assertThat(upgrades.get().getStatus().getRun().getType()).isEqualTo(RunType.Upgrade);
    await("nothing more happens")
        .during(Duration.ofSeconds(5))
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                broker.deployment().getMetadata().getGeneration() == generation
                    && bench
                            .client()
                            .batch()
                            .v1()
                            .jobs()
                            .inNamespace(namespace)
                            .list()
                            .getItems()
                            .size()
                        == jobs
                    && phase(upgrades) == Phase.Failed);
    assertThat(upgrades.conditionIs("Ready", "False")).isTrue();

    List<WriterCounters> writers = broker.stopWritersAndAssertNoDowntime();
    System.out.printf(
        "failed upgrade to %s rolled back: %d writers, 0 failed writes, 0 lost rows%n",
        faulty, writers.size());
  }

  private static Phase phase(BrokerUpgrades upgrades) {
    BrokerUpgrade upgrade = upgrades.get();
    return upgrade == null || upgrade.getStatus() == null ? null : upgrade.getStatus().getPhase();
  }

  private void rolledBackWithNoDowntime(
      BrokerUpgrades upgrades,
      BrokerFixture broker,
      String namespace,
      List<String> hops,
      String from) {
    Kubectl.Result waited = upgrades.waitReady(300);
    assertThat(waited.exitCode())
        .as(waited.output() + "\noperator log: " + operator.log())
        .isZero();
    String target = hops.get(hops.size() - 1);

    BrokerUpgrade upgrade = upgrades.get();
    assertThat(upgrade.getStatus().getRun().getType()).isEqualTo(RunType.Rollback);
    assertThat(upgrade.getStatus().getRun().getPlan()).containsExactlyElementsOf(hops);
    assertThat(upgrade.getStatus().getPhase()).isEqualTo(Phase.Succeeded);
    assertThat(broker.runningVersion()).isEqualTo(target);
    assertThat(broker.inspector().newestAppliedMigration())
        .as("the schema is at the older version's number, read from the database")
        .isEqualTo(ReferenceBrokerImages.newestMigrationNumber(target));

    // per hop, in order: find the target, roll out the older image, migrate down, verify
    List<Job> finds = upgrades.jobsOf(StepName.FindMigrationTarget);
    List<Job> downs = upgrades.jobsOf(StepName.MigrateDown);
    List<Job> verifies = upgrades.jobsOf(StepName.VerifyDatabaseVersion);
    assertThat(finds).hasSize(hops.size());
    assertThat(downs).hasSize(hops.size());
    assertThat(verifies).hasSize(hops.size());
    String newer = from;
    for (int hop = 0; hop < hops.size(); hop++) {
      String older = hops.get(hop);
      assertThat(imageOf(finds.get(hop))).isEqualTo(ReferenceBrokerImages.image(older));
      assertThat(imageOf(downs.get(hop))).isEqualTo(ReferenceBrokerImages.image(newer));
      assertThat(imageOf(verifies.get(hop))).isEqualTo(ReferenceBrokerImages.image(older));
      Instant olderRolledOut = replicaSetOf(namespace, older);
      assertThat(olderRolledOut)
          .as("the older image rolls out after its migration target was found")
          .isAfterOrEqualTo(completed(finds.get(hop)));
      StepStatus rollout = step(upgrade, StepName.Rollout, older);
      assertThat(created(downs.get(hop)))
          .as("the newer image migrates down only after the rollout to the older one is done")
          .isAfterOrEqualTo(Instant.parse(rollout.getFinishedAt()).minusSeconds(1))
          .isAfterOrEqualTo(olderRolledOut);
      assertThat(created(verifies.get(hop))).isAfterOrEqualTo(completed(downs.get(hop)));
      assertThat(step(upgrade, StepName.VerifyDatabaseVersion, older).getOutput())
          .isEqualTo(String.valueOf(ReferenceBrokerImages.newestMigrationNumber(older)));
      newer = older;
    }

    List<WriterCounters> writers = broker.stopWritersAndAssertNoDowntime();
    long acknowledged = writers.stream().mapToLong(WriterCounters::acknowledged).sum();
    System.out.printf(
        "rollback %s -> %s: %d writers, %d acknowledged writes, 0 failed writes, 0 lost rows%n",
        from, String.join(" -> ", hops), writers.size(), acknowledged);
  }

  private static StepStatus step(BrokerUpgrade upgrade, StepName name, String hop) {
    return upgrade.getStatus().getRun().getSteps().stream()
        .filter(step -> step.getName() == name && hop.equals(step.getHop()))
        .findFirst()
        .orElseThrow();
  }

  /** When the ReplicaSet that runs {@code version} with auto-migrate off was created. */
  private static Instant replicaSetOf(String namespace, String version) {
    List<ReplicaSet> sets =
        bench.client().apps().replicaSets().inNamespace(namespace).list().getItems().stream()
            .filter(
                rs ->
                    rs.getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getImage()
                        .equals(ReferenceBrokerImages.image(version)))
            .toList();
    assertThat(sets).as("a ReplicaSet running " + version).hasSize(1);
    return Instant.parse(sets.get(0).getMetadata().getCreationTimestamp());
  }

  private static String imageOf(Job job) {
    return job.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }

  private static Instant created(Job job) {
    return Instant.parse(job.getMetadata().getCreationTimestamp());
  }

  private static Instant completed(Job job) {
    return Instant.parse(job.getStatus().getCompletionTime());
  }
}
