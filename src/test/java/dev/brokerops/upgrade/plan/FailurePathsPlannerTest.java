package dev.brokerops.upgrade.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brokerops.upgrade.api.BrokerUpgrade;
import dev.brokerops.upgrade.api.Phase;
import dev.brokerops.upgrade.api.RunStatus;
import dev.brokerops.upgrade.api.StepName;
import dev.brokerops.upgrade.api.StepState;
import dev.brokerops.upgrade.api.StepStatus;
import dev.brokerops.upgrade.jobs.JobSpecFactory;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategyBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The planner on the unhappy paths: what counts as done, what may start, whose Job is whose. */
class FailurePathsPlannerTest {

  private static Condition condition(Decision decision, String type) {
    return StatusConditions.find(decision.status().getConditions(), type).orElseThrow();
  }

  private static List<StepName> stepNames(RunStatus run) {
    return run.getSteps().stream().map(StepStatus::getName).toList();
  }

  /** Upgrades 2.3.0 → 2.4.1 up to a rollout whose new pods never become available. */
  private static ObservedCluster failedRollout() {
    ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.4.1");
    cluster.reconcile();
    cluster.completeJob("dbversion", "20240101");
    cluster.reconcile();
    cluster.completeJob("schema", "");
    cluster.reconcile(); // the Deployment is patched to 2.4.1
    cluster.rolloutInProgress(3);
    cluster.deployment.getStatus().setAvailableReplicas(0);
    cluster.deployment.getStatus().setUpdatedReplicas(1);
    cluster.reconcile();
    cluster.advanceClock(Duration.ofSeconds(901));
    return cluster;
  }

  private static void retry(ObservedCluster cluster, String value) {
    cluster
        .upgrade
        .getMetadata()
        .setAnnotations(new HashMap<>(Map.of(BrokerUpgrade.RETRY_ANNOTATION, value)));
  }

  @Nested
  class DoneMeansDone {

    @Test
    void aRetriedFailedRolloutIsNotReadyUntilTheRolloutAndTheDataMigrationHaveRun() {
      ObservedCluster cluster = failedRollout();
      Decision failed = cluster.reconcile();
      assertThat(failed.status().getPhase()).isEqualTo(Phase.Failed);
      assertThat(condition(failed, "Ready").getStatus()).isEqualTo("False");
      assertThat(cluster.templateImage())
          .as("the template already names the target: no evidence of success")
          .endsWith(":2.4.1");

      retry(cluster, "1");
      Decision retried = cluster.reconcile();

      RunStatus run = retried.status().getRun();
      assertThat(run.getId()).isEqualTo("r2");
      assertThat(run.getFrom()).as("where the failed run came from").isEqualTo("2.3.0");
      assertThat(run.getDatabaseVersionBefore()).isEqualTo("20240101");
      assertThat(stepNames(run))
          .containsExactly(StepName.Preflight, StepName.Rollout, StepName.DataMigration);
      assertThat(retried.status().getPhase()).isEqualTo(Phase.Running);
      assertThat(retried.status().getStep()).isEqualTo("Rollout");
      assertThat(condition(retried, "Ready").getStatus()).isEqualTo("False");
      assertThat(retried.action()).isInstanceOf(Action.Nothing.class);

      cluster.settleRollout();
      Decision data = cluster.reconcile();
      assertThat(((Action.CreateJob) data.action()).job().getMetadata().getName())
          .isEqualTo("pactflow-r2-2-data");
      assertThat(condition(data, "Ready").getStatus()).isEqualTo("False");

      cluster.completeJob("r2-2-data", "");
      Decision done = cluster.reconcile();
      assertThat(done.status().getPhase()).isEqualTo(Phase.Succeeded);
      assertThat(condition(done, "Ready").getStatus()).isEqualTo("True");
    }

    @Test
    void anEarlierRunToTheSameVersionDoesNotVouchForALaterRolloutThatFailed() {
      ObservedCluster cluster =
          ObservedCluster.running("2.0.0", "2.1.0").with(spec -> spec.setAllowDowngrade(true));
      cluster.reconcile();
      cluster.completeJob("r1-1-dbversion", "20240101");
      cluster.reconcile();
      cluster.completeJob("r1-2-schema", "");
      cluster.reconcile();
      cluster.settleRollout();
      cluster.reconcile();
      cluster.completeJob("r1-4-data", "");
      cluster.reconcile(); // r1 reached 2.1.0
      cluster.edit(spec -> spec.setVersion("2.0.0"));
      cluster.reconcile();
      cluster.completeJob("r2-1-target", "20240101");
      cluster.reconcile(); // the Deployment goes back to 2.0.0 first
      cluster.settleRollout();
      cluster.reconcile();
      cluster.completeJob("r2-3-down", "");
      cluster.reconcile();
      cluster.completeJob("r2-4-verify", "20240101");
      cluster.reconcile(); // r2 rolled back to 2.0.0
      cluster.edit(spec -> spec.setVersion("2.1.0"));
      cluster.reconcile();
      cluster.completeJob("r3-1-dbversion", "20240101");
      cluster.reconcile();
      cluster.completeJob("r3-2-schema", "");
      cluster.reconcile(); // r3 patches the Deployment to 2.1.0 ...
      cluster.advanceClock(Duration.ofSeconds(901));
      cluster.edit(spec -> spec.setVersion("2.2.0"));
      cluster.reconcile(); // ... and fails (RolloutTimeout); r4 starts towards 2.2.0
      cluster.failJob("r4-1-dbversion", 1, "boom");
      cluster.reconcile(); // r4 fails before touching the Deployment
      cluster.settleRollout(); // the 2.1.0 pods come up at last, after old pods wrote rows
      cluster.edit(spec -> spec.setVersion("2.1.0"));

      Decision back = cluster.reconcile();

      assertThat(condition(back, "Ready").getStatus()).isEqualTo("False");
      assertThat(stepNames(back.status().getRun()))
          .containsExactly(StepName.Preflight, StepName.Rollout, StepName.DataMigration);
      assertThat(((Action.CreateJob) back.action()).job().getMetadata().getName())
          .isEqualTo("pactflow-r5-2-data");
    }

    @Test
    void aRetriedRolloutThatStillFailsIsFailedAgainNeverReady() {
      ObservedCluster cluster = failedRollout();
      cluster.reconcile();
      retry(cluster, "1");
      cluster.reconcile();
      cluster.advanceClock(Duration.ofSeconds(901));

      Decision again = cluster.reconcile();

      assertThat(again.status().getPhase()).isEqualTo(Phase.Failed);
      assertThat(condition(again, "Ready").getStatus()).isEqualTo("False");
      assertThat(cluster.jobNames()).noneMatch(name -> name.endsWith("-data"));
    }

    @Test
    void aRetriedFailedDataMigrationRunsTheDataMigrationAgain() {
      ObservedCluster cluster = ObservedCluster.upgradingAt(StepName.DataMigration);
      cluster.failJob("r1-4-data", 1, "data migration failed");
      assertThat(cluster.reconcile().status().getPhase()).isEqualTo(Phase.Failed);

      retry(cluster, "1");
      Decision retried = cluster.reconcile();

      assertThat(((Action.CreateJob) retried.action()).job().getMetadata().getName())
          .isEqualTo("pactflow-r2-2-data");
      assertThat(retried.status().getRun().getSteps().get(1).getState())
          .as("the rollout is complete already")
          .isEqualTo(StepState.Succeeded);
    }

    @Test
    void aBrokerAtTheTargetThatIsNotFullyAvailableIsNotReady() {
      ObservedCluster cluster = ObservedCluster.running("2.4.1", "2.4.1");
      cluster.deployment.getStatus().setAvailableReplicas(1);

      Decision decision = cluster.reconcile();

      assertThat(decision.action()).isInstanceOf(Action.Nothing.class);
      assertThat(decision.status().getPhase()).isEqualTo(Phase.Idle);
      assertThat(condition(decision, "Ready").getStatus()).isEqualTo("False");
      assertThat(condition(decision, "Ready").getReason()).isEqualTo("BrokerUnavailable");
      assertThat(condition(decision, "Ready").getMessage()).contains("1 available");

      cluster.deployment.getStatus().setAvailableReplicas(3);
      assertThat(condition(cluster.reconcile(), "Ready").getStatus()).isEqualTo("True");
    }

    @Test
    void aDeploymentAtTheTargetWithAutoMigrateOffAndNoRecordOfItsDataMigrationGetsOne() {
      // A BrokerUpgrade re-created after one was deleted between the rollout and the data
      // migration: the template says 2.4.1 with auto-migrate off, and nothing says the data is.
      ObservedCluster cluster = ObservedCluster.running("2.4.1", "2.4.1");
      var container = cluster.deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
      List<EnvVar> env = new ArrayList<>(container.getEnv());
      env.add(new EnvVar("PACTFLOW_DATABASE_AUTO_MIGRATE", "false", null));
      container.setEnv(env);

      Decision decision = cluster.reconcile();

      assertThat(stepNames(decision.status().getRun()))
          .containsExactly(StepName.Preflight, StepName.Rollout, StepName.DataMigration);
      assertThat(((Action.CreateJob) decision.action()).job().getMetadata().getName())
          .isEqualTo("pactflow-r1-2-data");
      assertThat(condition(decision, "Ready").getStatus()).isEqualTo("False");
    }
  }

  @Nested
  class PreflightBeforeTouchingAnything {

    @Test
    void aPausedDeploymentBlocksTheRunSayingSo() {
      ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.4.1");
      cluster.deployment.getSpec().setPaused(true);

      Decision decision = cluster.reconcile();

      assertThat(decision.action()).isInstanceOf(Action.Nothing.class);
      assertThat(decision.status().getPhase()).isEqualTo(Phase.Blocked);
      assertThat(condition(decision, "Degraded").getReason()).isEqualTo("DeploymentPaused");
      assertThat(condition(decision, "Degraded").getMessage())
          .contains("spec.paused: true", "kubectl rollout resume deployment/pactflow");
      assertThat(decision.notices()).anyMatch(notice -> notice.warning());

      cluster.deployment.getSpec().setPaused(false);
      assertThat(cluster.reconcile().action()).isInstanceOf(Action.CreateJob.class);
    }

    @Test
    void aDeploymentPausedMidRunHoldsTheRolloutWithoutPatchingIt() {
      ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.4.1");
      cluster.reconcile();
      cluster.completeJob("dbversion", "20240101");
      cluster.reconcile();
      cluster.deployment.getSpec().setPaused(true);
      cluster.completeJob("schema", "");

      Decision decision = cluster.reconcile();

      assertThat(decision.action()).isInstanceOf(Action.Nothing.class);
      assertThat(decision.status().getPhase()).isEqualTo(Phase.Blocked);
      assertThat(decision.status().getRun().inFlight()).isTrue();
      assertThat(condition(decision, "Degraded").getReason()).isEqualTo("DeploymentPaused");
    }

    @Test
    void aRolloutAlreadyInProgressIsWaitedForNeverRunOver() {
      ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.4.1");
      cluster.rolloutInProgress(2); // somebody else's change is rolling out

      Decision decision = cluster.reconcile();

      assertThat(decision.action()).isInstanceOf(Action.Nothing.class);
      assertThat(decision.status().getPhase()).isEqualTo(Phase.Blocked);
      assertThat(condition(decision, "Degraded").getReason()).isEqualTo("RolloutInProgress");
      assertThat(condition(decision, "Degraded").getMessage()).contains("2 old pod(s) left");

      cluster.settleRollout();
      Decision started = cluster.reconcile();
      assertThat(started.action()).isInstanceOf(Action.CreateJob.class);
      assertThat(condition(started, "Degraded").getStatus()).isEqualTo("False");
    }

    @Test
    void aStaleProgressDeadlineExceededFromAnEarlierRolloutIsNotThisRunsFailure() {
      ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.4.1");
      cluster.reconcile();
      cluster.completeJob("dbversion", "20240101");
      cluster.reconcile();
      cluster.completeJob("schema", "");
      cluster.reconcile(); // patched
      cluster.rolloutInProgress(2);
      cluster
          .deployment
          .getStatus()
          .setConditions(
              List.of(
                  new DeploymentConditionBuilder()
                      .withType("Progressing")
                      .withStatus("False")
                      .withReason("ProgressDeadlineExceeded")
                      .withLastUpdateTime(cluster.now.minus(Duration.ofHours(1)).toString())
                      .build()));

      Decision decision = cluster.reconcile();

      assertThat(decision.status().getPhase()).isEqualTo(Phase.Running);
      assertThat(decision.status().getStep()).isEqualTo("Rollout");

      cluster.advanceClock(Duration.ofSeconds(30));
      cluster
          .deployment
          .getStatus()
          .getConditions()
          .get(0)
          .setLastUpdateTime(cluster.now.toString()); // now it is about this rollout
      Decision current = cluster.reconcile();
      assertThat(current.status().getPhase()).isEqualTo(Phase.Failed);
      assertThat(current.status().getRun().getSteps().get(3).getReason())
          .isEqualTo("ProgressDeadlineExceeded");
    }

    @Test
    void aDeploymentThatCannotUpgradeWithoutDowntimeRunsButEveryoneIsTold() {
      ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.4.1");
      cluster.deployment.getSpec().setReplicas(1);
      cluster.deployment.getStatus().setReplicas(1);
      cluster.deployment.getStatus().setUpdatedReplicas(1);
      cluster.deployment.getStatus().setAvailableReplicas(1);
      cluster.deploymentPods.subList(1, cluster.deploymentPods.size()).clear();
      cluster
          .deployment
          .getSpec()
          .setStrategy(new DeploymentStrategyBuilder().withType("Recreate").build());
      cluster
          .deployment
          .getSpec()
          .getTemplate()
          .getSpec()
          .getContainers()
          .get(0)
          .setReadinessProbe(null);

      Decision decision = cluster.reconcile();

      assertThat(decision.action()).isInstanceOf(Action.CreateJob.class);
      assertThat(decision.notices())
          .filteredOn(notice -> notice.reason().equals("NotZeroDowntime"))
          .singleElement()
          .satisfies(
              notice -> {
                assertThat(notice.warning()).isTrue();
                assertThat(notice.message())
                    .contains("1 replica", "Recreate", "no readiness probe");
              });
      assertThat(condition(decision, "Progressing").getMessage())
          .contains("not zero-downtime", "Recreate");
    }

    @Test
    void maxUnavailableEqualToReplicasIsNotZeroDowntime() {
      ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.4.1");
      cluster
          .deployment
          .getSpec()
          .setStrategy(
              new DeploymentStrategyBuilder()
                  .withType("RollingUpdate")
                  .withNewRollingUpdate()
                  .withMaxUnavailable(new IntOrString("100%"))
                  .endRollingUpdate()
                  .build());

      assertThat(cluster.reconcile().notices())
          .anyMatch(notice -> notice.message().contains("maxUnavailable 100%"));
    }

    @Test
    void aDeploymentFitForZeroDowntimeIsNotWarnedAbout() {
      assertThat(ObservedCluster.running("2.3.0", "2.4.1").reconcile().notices())
          .noneMatch(notice -> notice.reason().equals("NotZeroDowntime"));
    }
  }

  @Nested
  class JobsAreAdoptedOnlyWhenTheyAreOurs {

    private Job leftover(String name, String ownerUid, String run, String step) {
      return new JobBuilder()
          .withNewMetadata()
          .withName(name)
          .withNamespace(ObservedCluster.NAMESPACE)
          .addToLabels(JobSpecFactory.LABEL_MANAGED_BY, JobSpecFactory.MANAGED_BY)
          .addToLabels(JobSpecFactory.LABEL_UPGRADE, "pactflow")
          .addToLabels(JobSpecFactory.LABEL_DEPLOYMENT, "pactflow")
          .addToLabels(JobSpecFactory.LABEL_RUN, run)
          .addToLabels(JobSpecFactory.LABEL_STEP, step)
          .addToAnnotations(JobSpecFactory.ANNOTATION_HOP, "2.4.1")
          .withOwnerReferences(
              new OwnerReferenceBuilder()
                  .withKind("BrokerUpgrade")
                  .withName("pactflow")
                  .withUid(ownerUid)
                  .build())
          .endMetadata()
          .withNewSpec()
          .withNewTemplate()
          .withNewSpec()
          .addNewContainer()
          .withName("migration")
          .withImage(ObservedCluster.REPOSITORY + ":2.3.0")
          .endContainer()
          .endSpec()
          .endTemplate()
          .endSpec()
          .build();
    }

    @Test
    void aJobUnderTheStepsNameThatIsNotOursIsNotAdoptedAndNothingRuns() {
      ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.4.1");
      cluster.reconcile(); // r1 records the database version: its Job is created
      cluster.jobs.set(
          0, leftover("pactflow-r1-1-dbversion", "someone-else", "r1", "RecordDatabaseVersion"));

      Decision decision = cluster.reconcile();

      assertThat(decision.action()).isInstanceOf(Action.Nothing.class);
      assertThat(decision.status().getPhase()).isEqualTo(Phase.Blocked);
      assertThat(condition(decision, "Degraded").getReason()).isEqualTo("JobNotOurs");
      assertThat(condition(decision, "Degraded").getMessage())
          .contains("pactflow-r1-1-dbversion", "not owned by this BrokerUpgrade");
    }

    @Test
    void aJobOfAnotherStepOrImageIsNotAdoptedEither() {
      ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.4.1");
      cluster.reconcile();
      Job wrongStep = leftover("pactflow-r1-1-dbversion", "pactflow-uid", "r1", "SchemaMigration");
      cluster.jobs.set(0, wrongStep);

      Decision decision = cluster.reconcile();

      assertThat(condition(decision, "Degraded").getMessage())
          .contains("its step is SchemaMigration");
    }

    @Test
    void aReCreatedBrokerUpgradeNeverReusesTheNameOfAJobLeftByItsPredecessor() {
      ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.4.1");
      cluster.jobs.add(
          leftover("pactflow-r1-1-dbversion", "the-deleted-one", "r1", "RecordDatabaseVersion"));
      cluster.jobs.add(
          leftover("pactflow-r1-2-schema", "the-deleted-one", "r1", "SchemaMigration"));
      cluster.jobs.forEach(
          job ->
              job.setStatus(
                  new io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder()
                      .addNewCondition()
                      .withType("Complete")
                      .withStatus("True")
                      .endCondition()
                      .build()));

      Decision decision = cluster.reconcile();

      assertThat(decision.status().getRun().getId()).isEqualTo("r2");
      assertThat(((Action.CreateJob) decision.action()).job().getMetadata().getName())
          .isEqualTo("pactflow-r2-1-dbversion");
    }
  }

  @Nested
  class OneRunPerDeployment {

    @Test
    void aBrokerUpgradeWithARunInFlightKeepsItsDeploymentFromAnOlderClaimant() {
      ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.4.1");
      BrokerUpgrade running =
          ObservedCluster.brokerUpgrade("newer", "2026-01-01T09:30:00Z", "2.4.1");
      ObservedCluster other = ObservedCluster.running("2.3.0", "2.4.1");
      other.reconcile();
      running.setStatus(other.upgrade.getStatus()); // its run is in flight
      cluster.others.add(running);

      Decision decision = cluster.reconcile();

      assertThat(decision.action()).isInstanceOf(Action.Nothing.class);
      assertThat(decision.status().getPhase()).isEqualTo(Phase.Blocked);
      assertThat(condition(decision, "Degraded").getMessage()).contains("BrokerUpgrade newer");
    }

    @Test
    void noMigrationJobStartsWhileAnotherJobMigratesTheSameDeployment() {
      ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.4.1");
      Job foreign =
          new JobBuilder()
              .withNewMetadata()
              .withName("other-r7-4-data")
              .withNamespace(ObservedCluster.NAMESPACE)
              .addToLabels(JobSpecFactory.LABEL_DEPLOYMENT, "pactflow")
              .endMetadata()
              .withNewSpec()
              .withNewTemplate()
              .withNewSpec()
              .addNewContainer()
              .withName("migration")
              .withImage(ObservedCluster.REPOSITORY + ":2.4.0")
              .endContainer()
              .endSpec()
              .endTemplate()
              .endSpec()
              .build();
      cluster.jobs.add(foreign);

      Decision waiting = cluster.reconcile();

      assertThat(waiting.action()).isInstanceOf(Action.Nothing.class);
      assertThat(waiting.status().getRun().getSteps().get(1).getState())
          .isEqualTo(StepState.Pending);

      foreign.setStatus(
          new io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder()
              .addNewCondition()
              .withType("Complete")
              .withStatus("True")
              .endCondition()
              .build());
      assertThat(cluster.reconcile().action()).isInstanceOf(Action.CreateJob.class);
    }
  }
}
