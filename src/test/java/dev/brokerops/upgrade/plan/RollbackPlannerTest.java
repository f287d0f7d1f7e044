package dev.brokerops.upgrade.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brokerops.upgrade.api.FailurePolicy;
import dev.brokerops.upgrade.api.MajorUpgradePolicy;
import dev.brokerops.upgrade.api.Phase;
import dev.brokerops.upgrade.api.RunStatus;
import dev.brokerops.upgrade.api.RunType;
import dev.brokerops.upgrade.api.StepName;
import dev.brokerops.upgrade.api.StepStatus;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The way back: rollout before migrate-down, the upgrade path in reverse, and verification. */
class RollbackPlannerTest {

  private static final List<String> RELEASED = List.of("1.0.0", "1.1.0", "1.2.0", "2.0.0", "2.1.0");

  private static List<String> stepsWithImages(RunStatus run) {
    return run.getSteps().stream()
        .filter(step -> step.getName() != StepName.Preflight)
        .map(
            step ->
                step.getName()
                    + "@"
                    + step.getImage().substring(step.getImage().lastIndexOf(':') + 1))
        .toList();
  }

  @Test
  void aDowngradeAcrossAMajorWalksTheUpgradePathBackwards() {
    VersionPath path =
        HopPlanner.plan(
            Version.of("2.1.0"),
            Version.of("1.0.0"),
            MajorUpgradePolicy.RequireLatestPatch,
            true,
            RELEASED);

    assertThat(path)
        .isEqualTo(
            new VersionPath.Hops(
                RunType.Rollback, List.of(Version.of("1.2.0"), Version.of("1.0.0"))));
  }

  @Test
  void aDowngradeAcrossAMajorWithoutTheListIsBlockedSayingWhatToSet() {
    VersionPath path =
        HopPlanner.plan(
            Version.of("2.1.0"),
            Version.of("1.0.0"),
            MajorUpgradePolicy.RequireLatestPatch,
            true,
            List.of());

    assertThat(path)
        .isInstanceOfSatisfying(
            VersionPath.Blocked.class,
            blocked -> {
              assertThat(blocked.reason()).isEqualTo("RollbackPathUnknown");
              assertThat(blocked.message())
                  .contains("backwards", "spec.versionPolicy.availableVersions");
            });
  }

  @Test
  void eachHopRollsOutTheOlderImageBeforeTheNewerOneMigratesDownThenVerifies() {
    ObservedCluster cluster =
        ObservedCluster.running("2.1.0", "1.0.0")
            .with(
                spec -> {
                  spec.setAllowDowngrade(true);
                  spec.getVersionPolicy().setAvailableVersions(RELEASED);
                });

    Decision decision = cluster.reconcile();

    RunStatus run = decision.status().getRun();
    assertThat(run.getType()).isEqualTo(RunType.Rollback);
    assertThat(run.getPlan()).containsExactly("1.2.0", "1.0.0");
    assertThat(stepsWithImages(run))
        .containsExactly(
            "FindMigrationTarget@1.2.0",
            "Rollout@1.2.0",
            "MigrateDown@2.1.0",
            "VerifyDatabaseVersion@1.2.0",
            "FindMigrationTarget@1.0.0",
            "Rollout@1.0.0",
            "MigrateDown@1.2.0",
            "VerifyDatabaseVersion@1.0.0");

    cluster.completeJob("r1-1-target", "20240601");
    Decision rollout = cluster.reconcile();
    assertThat(rollout.action())
        .as("the Deployment goes back before the database does")
        .isInstanceOfSatisfying(
            Action.RolloutDeployment.class, patch -> assertThat(patch.image()).endsWith(":1.2.0"));
    assertThat(cluster.jobNames()).noneMatch(name -> name.endsWith("-down"));

    cluster.rolloutInProgress(1); // a 2.1.0 pod still terminating: it could still write
    assertThat(cluster.reconcile().action()).isInstanceOf(Action.Nothing.class);
    assertThat(cluster.jobNames()).noneMatch(name -> name.endsWith("-down"));

    cluster.settleRollout();
    Decision down = cluster.reconcile();
    var downJob = ((Action.CreateJob) down.action()).job();
    assertThat(downJob.getMetadata().getName()).isEqualTo("pactflow-r1-3-down");
    assertThat(downJob.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
        .anyMatch(
            env ->
                env.getName().equals("PACTFLOW_DATABASE_MIGRATION_TARGET")
                    && env.getValue().equals("20240601"));

    cluster.completeJob("r1-3-down", "");
    cluster.reconcile();
    cluster.completeJob("r1-4-verify", "20240601");
    Decision secondHop = cluster.reconcile();
    assertThat(((Action.CreateJob) secondHop.action()).job().getMetadata().getName())
        .isEqualTo("pactflow-r1-5-target");
  }

  @Test
  void aDatabaseNotAtTheTargetAfterMigratingDownFailsTheRun() {
    ObservedCluster cluster =
        ObservedCluster.running("2.4.1", "2.3.0").with(spec -> spec.setAllowDowngrade(true));
    cluster.reconcile();
    cluster.completeJob("target", "20240101");
    cluster.reconcile();
    cluster.settleRollout();
    cluster.reconcile();
    cluster.completeJob("down", "");
    cluster.reconcile();
    cluster.completeJob("verify", "20250312");

    Decision decision = cluster.reconcile();

    assertThat(decision.status().getPhase()).isEqualTo(Phase.Failed);
    StepStatus verify = decision.status().getRun().getSteps().get(4);
    assertThat(verify.getReason()).isEqualTo("DatabaseVersionMismatch");
    assertThat(verify.getMessage()).contains("20250312", "expected 20240101");
  }

  @Test
  void aRolloutThatNeverBecomesAvailableRollsBackToTheRecordedDatabaseVersion() {
    ObservedCluster cluster =
        ObservedCluster.running("2.3.0", "2.4.1")
            .with(spec -> spec.setOnFailure(FailurePolicy.Rollback));
    cluster.reconcile();
    cluster.completeJob("dbversion", "20240101");
    cluster.reconcile();
    cluster.completeJob("schema", "");
    cluster.reconcile();
    cluster.rolloutInProgress(3);
    cluster.deployment.getStatus().setAvailableReplicas(0);
    cluster.reconcile();
    cluster.advanceClock(Duration.ofSeconds(901));

    Decision rollback = cluster.reconcile();

    RunStatus run = rollback.status().getRun();
    assertThat(run.getType()).isEqualTo(RunType.Rollback);
    assertThat(run.startedAutomatically()).isTrue();
    assertThat(run.getDatabaseVersionBefore()).isEqualTo("20240101");
    assertThat(stepsWithImages(run))
        .containsExactly(
            "FindMigrationTarget@2.3.0",
            "Rollout@2.3.0",
            "MigrateDown@2.4.1",
            "VerifyDatabaseVersion@2.3.0");
    assertThat(rollback.notices()).anyMatch(notice -> notice.reason().equals("RollbackStarted"));

    cluster.completeJob("r2-0-target", "20240101");
    cluster.reconcile();
    cluster.settleRollout();
    cluster.reconcile();
    cluster.completeJob("r2-2-down", "");
    cluster.reconcile();
    cluster.completeJob("r2-3-verify", "20240101");
    Decision rolledBack = cluster.reconcile();

    assertThat(rolledBack.status().getPhase()).isEqualTo(Phase.RolledBack);
    assertThat(cluster.reconcile().action()).as("never loops").isInstanceOf(Action.Nothing.class);
  }

  /**
   * Found by PlannerInvariantsTest: a run that only finishes the version the Deployment already ran
   * came from that version, so there is nothing older to go back to; an empty rollback that
   * "succeeded" vouched for the data migration that had just failed, and Ready went True.
   */
  @Test
  void aFailedDataMigrationOfTheVersionAlreadyRunningHasNothingToRollBackTo() {
    // A BrokerUpgrade re-created after one was deleted between the rollout and the data
    // migration: the template says 2.4.1 with auto-migrate off, and nothing says the data is.
    ObservedCluster cluster =
        ObservedCluster.running("2.4.1", "2.4.1")
            .with(spec -> spec.setOnFailure(FailurePolicy.Rollback));
    var container = cluster.deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    List<EnvVar> env = new ArrayList<>(container.getEnv());
    env.add(new EnvVar("PACTFLOW_DATABASE_AUTO_MIGRATE", "false", null));
    container.setEnv(env);
    cluster.settleRollout();
    cluster.reconcile();
    cluster.failJob("r1-2-data", 1, "data migration failed");

    Decision failed = cluster.reconcile();
    cluster.edit(spec -> spec.setOnFailure(FailurePolicy.Halt));
    Decision edited = cluster.reconcile();

    assertThat(failed.status().getPhase()).isEqualTo(Phase.Failed);
    assertThat(failed.status().getHistory())
        .noneMatch(summary -> summary.getType() == RunType.Rollback);
    assertThat(
            StatusConditions.find(edited.status().getConditions(), StatusConditions.READY)
                .orElseThrow()
                .getStatus())
        .as("the data migration has still not run")
        .isEqualTo("False");
    assertThat(((Action.CreateJob) edited.action()).job().getMetadata().getName())
        .as("the spec edit starts a run that runs it")
        .isEqualTo("pactflow-r2-2-data");
  }

  @Test
  void aSuccessfulUpgradeKeepsTheWayBackInStatus() {
    ObservedCluster cluster = ObservedCluster.upgradingAt(StepName.DataMigration);
    cluster.completeJob("data", "");

    Decision done = cluster.reconcile();

    assertThat(done.status().getPhase()).isEqualTo(Phase.Succeeded);
    assertThat(done.status().getWayBack())
        .satisfies(
            wayBack -> {
              assertThat(wayBack.getVersion()).isEqualTo("2.3.0");
              assertThat(wayBack.getDatabaseVersion()).isEqualTo("20240101");
              assertThat(wayBack.getUpgradedTo()).isEqualTo("2.4.1");
              assertThat(wayBack.getRun()).isEqualTo("r1");
            });
  }
}
