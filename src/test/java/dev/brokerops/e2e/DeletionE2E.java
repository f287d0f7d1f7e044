package dev.brokerops.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.brokerops.bench.Bench;
import dev.brokerops.bench.Kubectl;
import dev.brokerops.referencebroker.BrokerRelease;
import dev.brokerops.referencebroker.ReferenceBroker;
import dev.brokerops.upgrade.api.BrokerUpgrade;
import dev.brokerops.upgrade.jobs.JobSpecFactory;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Deleting a BrokerUpgrade: mid-run it lets the running migration finish and starts nothing more;
 * idle it goes at once.
 */
class DeletionE2E {

  private static final String FINALIZER = "brokerupgrades." + BrokerUpgrade.GROUP + "/finalizer";

  @RegisterExtension
  @Order(1)
  static final Bench bench = Bench.full();

  @RegisterExtension
  @Order(2)
  static final OperatorProcess operator = OperatorProcess.forClass(bench);

  @Test
  void deletedDuringTheSchemaMigrationItWaitsForTheJobAndRunsNoFurtherStep() {
    String namespace = bench.createNamespace("deletion");
    // db-migrate pauses between its schema and its data migrations: a Job to delete under.
    BrokerFixture broker =
        BrokerFixture.deploy(
            bench, namespace, "1.0.0", 1, Map.of(ReferenceBroker.MIGRATION_DELAY_ENV, "20"));
    long generation = broker.deployment().getMetadata().getGeneration();
    BrokerUpgrades upgrades = new BrokerUpgrades(bench, namespace);
    Map<String, Job> jobsSeen = new ConcurrentHashMap<>();
    AtomicReference<Instant> upgradeGoneAt = new AtomicReference<>();
    try (Watch jobs = watchJobs(namespace, jobsSeen);
        Watch gone = watchDeletion(namespace, upgradeGoneAt)) {

      upgrades.apply("1.1.0", "");
      String schemaJob = "pactflow-r1-2-schema";
      await("schema migration Job running")
          .atMost(Duration.ofSeconds(90))
          .until(
              () ->
                  jobsSeen.containsKey(schemaJob)
                      && jobsSeen.get(schemaJob).getStatus() != null
                      && Integer.valueOf(1).equals(jobsSeen.get(schemaJob).getStatus().getReady()));
      assertThat(upgrades.get().getMetadata().getFinalizers()).contains(FINALIZER);

      Kubectl.Result deleted =
          upgrades
              .kubectl()
              .run("delete", "bu", BrokerUpgrades.NAME, "-n", namespace, "--wait=false");
      assertThat(deleted.exitCode()).as(deleted.output()).isZero();

      await("a Warning says what is left")
          .atMost(Duration.ofSeconds(10))
          .until(() -> !upgrades.events("DeletedMidRun").isEmpty());
      Event warning = upgrades.events("DeletedMidRun").get(0);
      assertThat(warning.getType()).isEqualTo("Warning");
      assertThat(warning.getMessage())
          .contains(
              "Completed: Preflight (1.1.0), RecordDatabaseVersion (1.1.0).",
              "Running: SchemaMigration (1.1.0), Job " + schemaJob,
              "Not run: Rollout (1.1.0), DataMigration (1.1.0).",
              "not killed",
              "Deployment pactflow runs 1.0.0");
      assertThat(upgrades.get().getMetadata().getDeletionTimestamp())
          .as("Terminating, not gone")
          .isNotNull();
      assertThat(upgrades.kubectl().run("get", "bu", "-n", namespace).output())
          .contains(BrokerUpgrades.NAME);
      Job orphaned =
          bench.client().batch().v1().jobs().inNamespace(namespace).withName(schemaJob).get();
      assertThat(orphaned.getMetadata().getOwnerReferences())
          .as("no garbage collection can reach the running Job")
          .isEmpty();

      await("BrokerUpgrade gone once the Job has finished")
          .atMost(Duration.ofSeconds(90))
          .until(() -> upgradeGoneAt.get() != null);

      Job finished = jobsSeen.get(schemaJob);
      assertThat(finished.getStatus().getConditions())
          .as("the migration ran to its end: " + finished.getStatus())
          .anyMatch(c -> c.getType().equals("Complete") && c.getStatus().equals("True"))
          .noneMatch(c -> c.getType().equals("Failed") && c.getStatus().equals("True"));
      assertThat(upgradeGoneAt.get())
          .isAfterOrEqualTo(Instant.parse(finished.getStatus().getCompletionTime()));
      assertThat(broker.inspector().newestAppliedMigration())
          .isEqualTo(BrokerRelease.V1_1_0.newestMigrationNumber());
      assertThat(jobsSeen.keySet())
          .as("no further step ran")
          .containsExactlyInAnyOrder("pactflow-r1-1-dbversion", schemaJob);
      assertThat(broker.deployment().getMetadata().getGeneration()).isEqualTo(generation);
      assertThat(broker.runningVersion()).isEqualTo("1.0.0");
      await("the end is told too")
          .atMost(Duration.ofSeconds(10))
          .until(() -> !upgrades.events("JobFinishedAfterDeletion").isEmpty());
      assertThat(upgrades.events("JobFinishedAfterDeletion").get(0).getMessage())
          .contains("Job " + schemaJob + " completed", "Deployment pactflow runs 1.0.0");
    }
    broker.stopWriters();
  }

  @Test
  void anIdleBrokerUpgradeIsDeletedAtOnce() {
    String namespace = bench.createNamespace("idle");
    BrokerFixture broker = BrokerFixture.deploy(bench, namespace, "1.0.0", 1);
    BrokerUpgrades upgrades = new BrokerUpgrades(bench, namespace);
    upgrades.apply("1.0.0", "");
    assertThat(upgrades.waitReady(60).exitCode()).isZero();
    assertThat(upgrades.get().getMetadata().getFinalizers()).contains(FINALIZER);

    Instant start = Instant.now();
    Kubectl.Result deleted =
        upgrades
            .kubectl()
            .run("delete", "bu", BrokerUpgrades.NAME, "-n", namespace, "--timeout=30s");

    assertThat(deleted.exitCode()).as(deleted.output()).isZero();
    assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(10));
    assertThat(upgrades.get()).isNull();
    assertThat(upgrades.events("DeletedMidRun")).isEmpty();
    broker.stopWriters();
  }

  /** Every migration Job of the BrokerUpgrade, as last seen: kept after the Job is deleted. */
  private static Watch watchJobs(String namespace, Map<String, Job> seen) {
    return bench
        .client()
        .batch()
        .v1()
        .jobs()
        .inNamespace(namespace)
        .withLabel(JobSpecFactory.LABEL_UPGRADE, BrokerUpgrades.NAME)
        .watch(
            new Watcher<>() {
              @Override
              public void eventReceived(Action action, Job job) {
                if (action != Action.DELETED) {
                  seen.put(job.getMetadata().getName(), job);
                }
              }

              @Override
              public void onClose(WatcherException cause) {}
            });
  }

  private static Watch watchDeletion(String namespace, AtomicReference<Instant> goneAt) {
    return bench
        .client()
        .resources(BrokerUpgrade.class)
        .inNamespace(namespace)
        .watch(
            new Watcher<>() {
              @Override
              public void eventReceived(Action action, BrokerUpgrade upgrade) {
                if (action == Action.DELETED) {
                  goneAt.compareAndSet(null, Instant.now());
                }
              }

              @Override
              public void onClose(WatcherException cause) {}
            });
  }
}
