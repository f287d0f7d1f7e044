package dev.brokerops.upgrade.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MidRunDeletionTest {

  @Test
  void anIdleBrokerUpgradeGoesAtOnceAndQuietly() {
    ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.3.0");
    cluster.reconcile();

    MidRunDeletion.Cleanup cleanup = delete(cluster);

    assertThat(cleanup.keepFinalizer()).isFalse();
    assertThat(cleanup.orphan()).isEmpty();
    assertThat(cleanup.delete()).isEmpty();
    assertThat(cleanup.notices()).isEmpty();
  }

  @Test
  void aRunningMigrationIsOrphanedAndWaitedForAndTheWarningSaysWhatIsLeft() {
    ObservedCluster cluster = atSchemaMigration();

    MidRunDeletion.Cleanup cleanup = delete(cluster);

    assertThat(cleanup.orphan())
        .extracting(job -> job.getMetadata().getName())
        .containsExactly("pactflow-r1-2-schema");
    assertThat(cleanup.keepFinalizer()).isTrue();
    assertThat(cleanup.delete()).isEmpty();
    assertThat(cleanup.notices())
        .singleElement()
        .satisfies(
            notice -> {
              assertThat(notice.warning()).isTrue();
              assertThat(notice.reason()).isEqualTo("DeletedMidRun");
              assertThat(notice.message())
                  .contains(
                      "BrokerUpgrade pactflow deleted during run r1 (Upgrade 2.3.0 → 2.4.1).",
                      "Completed: Preflight (2.4.1), RecordDatabaseVersion (2.4.1).",
                      "Running: SchemaMigration (2.4.1), Job pactflow-r1-2-schema.",
                      "Not run: Rollout (2.4.1), DataMigration (2.4.1).",
                      "left to finish (not killed)",
                      "Deployment pactflow runs 2.3.0 and is left as it is.",
                      "create the BrokerUpgrade again with the same spec")
                  .doesNotContain("DataMigration did not run");
            });
  }

  @Test
  void anOrphanedJobStillRunningKeepsTheFinalizerWithoutTellingAgain() {
    ObservedCluster cluster = atSchemaMigration();
    orphan(cluster, "schema");

    MidRunDeletion.Cleanup cleanup = delete(cluster);

    assertThat(cleanup.keepFinalizer()).isTrue();
    assertThat(cleanup.orphan()).isEmpty();
    assertThat(cleanup.notices()).isEmpty();
  }

  @Test
  void theOrphanedJobDoneItIsDeletedTheFinalizerGoesAndTheStepCountsAsCompleted() {
    ObservedCluster cluster = atSchemaMigration();
    orphan(cluster, "schema");
    cluster.completeJob("schema", "");

    MidRunDeletion.Cleanup cleanup = delete(cluster);

    assertThat(cleanup.keepFinalizer()).isFalse();
    assertThat(cleanup.delete())
        .extracting(job -> job.getMetadata().getName())
        .containsExactly("pactflow-r1-2-schema");
    assertThat(cleanup.notices())
        .singleElement()
        .satisfies(
            notice -> {
              assertThat(notice.warning()).isFalse();
              assertThat(notice.reason()).isEqualTo("JobFinishedAfterDeletion");
              assertThat(notice.message())
                  .startsWith("Job pactflow-r1-2-schema completed after BrokerUpgrade pactflow")
                  .contains(
                      "Completed: Preflight (2.4.1), RecordDatabaseVersion (2.4.1),"
                          + " SchemaMigration (2.4.1).",
                      "Not run: Rollout (2.4.1), DataMigration (2.4.1).",
                      "Deployment pactflow runs 2.3.0");
            });
  }

  @Test
  void anOrphanedJobThatFailedIsAWarningWithItsMessage() {
    ObservedCluster cluster = atSchemaMigration();
    orphan(cluster, "schema");
    cluster.failJob("schema", 1, "db-migrate: migration failed: lock timeout");

    MidRunDeletion.Cleanup cleanup = delete(cluster);

    assertThat(cleanup.keepFinalizer()).isFalse();
    assertThat(cleanup.notices())
        .singleElement()
        .satisfies(
            notice -> {
              assertThat(notice.warning()).isTrue();
              assertThat(notice.message())
                  .contains("Job pactflow-r1-2-schema failed (", "lock timeout")
                  .contains("Failed: SchemaMigration (2.4.1).");
            });
  }

  @Test
  void aJobWhosePodCannotStartRunsNoMigrationAndHoldsNothing() {
    ObservedCluster cluster = atSchemaMigration();
    cluster.podWaiting("schema", "ImagePullBackOff");

    MidRunDeletion.Cleanup cleanup = delete(cluster);

    assertThat(cleanup.keepFinalizer()).isFalse();
    assertThat(cleanup.orphan()).isEmpty();
    assertThat(cleanup.notices())
        .singleElement()
        .satisfies(notice -> assertThat(notice.message()).contains("No Job was running."));
  }

  @Test
  void aRunningJobAlreadyBeingDeletedIsReportedAsInterruptedNotAsLeftToFinish() {
    ObservedCluster cluster = atSchemaMigration();
    Job job = cluster.job("schema");
    cluster.jobs.set(
        cluster.jobs.indexOf(job),
        new JobBuilder(job)
            .editMetadata()
            .withDeletionTimestamp("2026-01-01T10:00:01Z")
            .endMetadata()
            .build());

    MidRunDeletion.Cleanup cleanup = delete(cluster);

    assertThat(cleanup.keepFinalizer()).isFalse();
    assertThat(cleanup.orphan()).isEmpty();
    assertThat(cleanup.notices())
        .singleElement()
        .satisfies(
            notice ->
                assertThat(notice.message())
                    .contains("Job pactflow-r1-2-schema was already being deleted", "interrupted")
                    .doesNotContain("not killed", "No Job was running"));
  }

  @Test
  void aJobOfAnEarlierBrokerUpgradeOfTheSameNameIsNotItsConcern() {
    ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.3.0");
    cluster.reconcile();
    Job earlier =
        new JobBuilder()
            .withNewMetadata()
            .withName("pactflow-r1-2-schema")
            .withNamespace(ObservedCluster.NAMESPACE)
            .withOwnerReferences(
                new OwnerReferenceBuilder()
                    .withKind("BrokerUpgrade")
                    .withName("pactflow")
                    .withUid("an-earlier-uid")
                    .build())
            .endMetadata()
            .build();
    cluster.jobs.add(earlier);

    MidRunDeletion.Cleanup cleanup = delete(cluster);

    assertThat(cleanup.keepFinalizer()).isFalse();
    assertThat(cleanup.orphan()).isEmpty();
  }

  @Test
  void deletedDuringTheRolloutItSaysTheFinalDataMigrationDidNotRun() {
    ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.4.1");
    cluster.reconcile();
    cluster.completeJob("dbversion", "20240101");
    cluster.reconcile();
    cluster.completeJob("schema", "");
    cluster.reconcile(); // the Deployment is set to 2.4.1
    cluster.rolloutInProgress(1);

    MidRunDeletion.Cleanup cleanup = delete(cluster);

    assertThat(cleanup.keepFinalizer()).isFalse();
    assertThat(cleanup.notices())
        .singleElement()
        .satisfies(
            notice ->
                assertThat(notice.message())
                    .contains(
                        "Running: Rollout (2.4.1).",
                        "Not run: DataMigration (2.4.1).",
                        "Deployment pactflow runs 2.4.1",
                        "its final DataMigration did not run",
                        "quay.io/pactflow/enterprise:2.4.1"));
  }

  @Test
  void aJobMapsToItsOwnerOrToTheBrokerUpgradeThatOrphanedIt() {
    ObservedCluster cluster = atSchemaMigration();
    assertThat(MidRunDeletion.upgradeNames(cluster.job("schema"))).containsExactly("pactflow");

    orphan(cluster, "schema");

    assertThat(cluster.job("schema").getMetadata().getOwnerReferences()).isEmpty();
    assertThat(MidRunDeletion.upgradeNames(cluster.job("schema"))).containsExactly("pactflow");
  }

  private static ObservedCluster atSchemaMigration() {
    ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.4.1");
    cluster.reconcile();
    cluster.completeJob("dbversion", "20240101");
    cluster.reconcile();
    return cluster;
  }

  /** What DeletionGuard.orphan does to the Job on the API server. */
  private static void orphan(ObservedCluster cluster, String suffix) {
    Job job = cluster.job(suffix);
    Job orphaned =
        new JobBuilder(job)
            .editMetadata()
            .withOwnerReferences(List.of())
            .addToAnnotations(MidRunDeletion.ORPHANED_FROM_ANNOTATION, "pactflow")
            .endMetadata()
            .build();
    cluster.jobs.set(cluster.jobs.indexOf(job), orphaned);
  }

  private static MidRunDeletion.Cleanup delete(ObservedCluster cluster) {
    return MidRunDeletion.plan(
        cluster.upgrade,
        Optional.of(cluster.deployment),
        List.copyOf(cluster.jobs),
        List.copyOf(cluster.jobPods));
  }
}
