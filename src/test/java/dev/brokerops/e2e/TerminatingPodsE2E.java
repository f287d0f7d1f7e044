package dev.brokerops.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.brokerops.bench.Bench;
import dev.brokerops.bench.Kubectl;
import dev.brokerops.e2e.BrokerFixture.Shutdown;
import dev.brokerops.referencebroker.WriterCounters;
import dev.brokerops.upgrade.api.StepName;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Old pods that drain after SIGTERM go on writing 1.x rows after the Deployment's counters say the
 * rollout is complete: a data migration started at that moment (when {@code kubectl rollout status}
 * returns) leaves their rows unmigrated; the operator's, started once the last old pod is gone,
 * leaves none.
 */
class TerminatingPodsE2E {

  @RegisterExtension static final Bench bench = Bench.full();

  /** Long enough that a data migration Job started when the counters say done ends within it. */
  private static final Shutdown DRAINING = Shutdown.draining(10);

  @Test
  void aDataMigrationStartedWhenTheCountersSayRolledOutLeavesTheDrainingPodsRowsUnmigrated() {
    OperatorProcess.applyCrd(bench);
    String namespace = bench.createNamespace("counters");
    BrokerFixture broker = BrokerFixture.deploy(bench, namespace, "1.2.0", 3, DRAINING);
    BrokerUpgrades upgrades = new BrokerUpgrades(bench, namespace);
    // owns the Jobs the test runs; paused, so that no operator acts on it
    upgrades.apply("2.0.0", "paused: true\n");
    ProcedureByHand steps = new ProcedureByHand(bench, upgrades.get());
    steps.runJob(1, StepName.RecordDatabaseVersion, "1.2.0", "db-version");
    steps.runJob(2, StepName.SchemaMigration, "2.0.0", "db-migrate");

    try (RolloutWatch watch = RolloutWatch.start(bench, namespace)) {
      Instant patched = Instant.now();
      steps.startRollout("2.0.0");
      // what an operator that trusts the Deployment's counters waits for
      Kubectl.Result rolledOut =
          upgrades
              .kubectl()
              .run(
                  "rollout",
                  "status",
                  "deployment/" + BrokerFixture.DEPLOYMENT,
                  "-n",
                  namespace,
                  "--timeout=120s");
      assertThat(rolledOut.exitCode()).as(rolledOut.output()).isZero();
      Instant countersSaidDone = Instant.now();
      assertThat(terminatingBrokerPods(namespace))
          .as("old pods still draining when kubectl rollout status returned")
          .isNotEmpty();

      // its final data migration, started at once
      steps.runJob(4, StepName.DataMigration, "2.0.0", "db-migrate");
      Instant migrated = Instant.now();

      await("every old pod gone")
          .atMost(Duration.ofSeconds(DRAINING.terminationGracePeriodSeconds() + 60))
          .until(() -> watch.lastOldPodGone().isPresent());
      Instant lastOldPodGone = watch.lastOldPodGone().orElseThrow();
      assertThat(lastOldPodGone)
          .as("the last old pod was still draining when the data migration ended")
          .isAfter(migrated);

      long unmigrated = broker.inspector().unmigratedRows();
      assertThat(unmigrated)
          .as("rows the draining 1.2.0 pods wrote after the data migration, in the old shape")
          .isPositive();

      // nothing was lost or failed: the rows are only unmigrated
      List<WriterCounters> writers = broker.stopWriters();
      assertThat(writers).allSatisfy(w -> assertThat(w.errors()).as(w.toString()).isZero());
      assertStoppedWithoutSigkill(writers);
      assertThat(broker.inspector().lostRows(writers)).as("lost rows").isZero();
      System.out.printf(
          "counter-demo: %d unmigrated rows; rollout status returned %d ms after the patch,"
              + " data migration done %d ms later, last old pod gone %d ms after that%n",
          unmigrated,
          Duration.between(patched, countersSaidDone).toMillis(),
          Duration.between(countersSaidDone, migrated).toMillis(),
          Duration.between(migrated, lastOldPodGone).toMillis());
    }
  }

  @Test
  void
      theOperatorStartsTheDataMigrationOnlyAfterTheLastDrainingPodIsGoneEvenWithoutItsReplicaSet() {
    String namespace = bench.createNamespace("draining");
    BrokerFixture broker = BrokerFixture.deploy(bench, namespace, "1.2.0", 3, DRAINING);
    // No history kept: the old ReplicaSet is deleted while its pods still drain, so the operator
    // must find them without it (by the ReplicaSet name and pod-template-hash they carry).
    bench
        .client()
        .apps()
        .deployments()
        .inNamespace(namespace)
        .withName(BrokerFixture.DEPLOYMENT)
        .edit(
            deployment -> {
              deployment.getSpec().setRevisionHistoryLimit(0);
              return deployment;
            });
    BrokerUpgrades upgrades = new BrokerUpgrades(bench, namespace);

    Duration upgradeTook;
    try (RolloutWatch watch = RolloutWatch.start(bench, namespace);
        OperatorProcess operator = OperatorProcess.start(bench)) {
      Instant applied = Instant.now();
      upgrades.applyWithAvailableVersions("2.0.0");
      Kubectl.Result waited = upgrades.waitReady(300);
      upgradeTook = Duration.between(applied, Instant.now());
      assertThat(waited.exitCode())
          .as(waited.output() + "\noperator log: " + operator.log())
          .isZero();

      Instant countersSaidDone =
          watch
              .countersComplete()
              .orElseThrow(() -> new AssertionError("the counters never said rolled out"));
      // Ready says the run is over; if old pods are still here, the checks below show the cost
      await("every old pod gone")
          .atMost(Duration.ofSeconds(DRAINING.terminationGracePeriodSeconds() + 60))
          .until(() -> watch.lastOldPodGone().isPresent());
      Instant lastOldPodGone = watch.lastOldPodGone().orElseThrow();
      assertThat(Duration.between(countersSaidDone, lastOldPodGone))
          .as("old pods drained on after the counters said rolled out")
          .isGreaterThan(Duration.ofSeconds(DRAINING.drainSeconds() / 2));

      assertThat(watch.oldReplicaSetGone())
          .as("the old ReplicaSet was deleted before its last pod was gone")
          .hasValueSatisfying(gone -> assertThat(gone).isBefore(lastOldPodGone));

      List<Job> dataMigrations = upgrades.jobsOf(StepName.DataMigration);
      assertThat(dataMigrations).hasSize(1);
      Instant created = Instant.parse(dataMigrations.get(0).getMetadata().getCreationTimestamp());
      // creationTimestamp has whole seconds; both clocks are this machine's
      assertThat(created)
          .as("DataMigration Job created after the last old pod was gone")
          .isAfterOrEqualTo(lastOldPodGone.truncatedTo(ChronoUnit.SECONDS));

      List<WriterCounters> writers = broker.stopWritersAndAssertNoDowntime();
      assertThat(writers).as("old and new replicas wrote").hasSizeGreaterThanOrEqualTo(6);
      assertStoppedWithoutSigkill(writers);
      System.out.printf(
          "operator: 0 unmigrated rows, 0 failed writes, %d writers; upgrade took %d ms;"
              + " last of %d old pods gone %d ms after the counters said rolled out;"
              + " DataMigration Job created at %s, last old pod gone at %s%n",
          writers.size(),
          upgradeTook.toMillis(),
          watch.oldPodCount(),
          Duration.between(countersSaidDone, lastOldPodGone).toMillis(),
          created,
          lastOldPodGone);
    }
  }

  /** A writer saves its counters as stopped only once its drain ended on its own. */
  private static void assertStoppedWithoutSigkill(List<WriterCounters> writers) {
    assertThat(writers)
        .allSatisfy(w -> assertThat(w.stopped()).as("stopped cleanly: " + w).isTrue());
  }

  private static List<Pod> terminatingBrokerPods(String namespace) {
    return bench
        .client()
        .pods()
        .inNamespace(namespace)
        .withLabel("app", "pactflow")
        .list()
        .getItems()
        .stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() != null)
        .toList();
  }
}
