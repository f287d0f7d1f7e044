package dev.brokerops.upgrade.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.brokerops.upgrade.api.BrokerUpgrade;
import dev.brokerops.upgrade.api.FailurePolicy;
import dev.brokerops.upgrade.api.Phase;
import dev.brokerops.upgrade.api.RunResult;
import dev.brokerops.upgrade.api.RunType;
import dev.brokerops.upgrade.api.StepName;
import dev.brokerops.upgrade.api.StepState;
import dev.brokerops.upgrade.api.StepStatus;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StepPlannerTest {

  private static String condition(Decision decision, String type) {
    return StatusConditions.find(decision.status().getConditions(), type)
        .map(Condition::getStatus)
        .orElse("absent");
  }

  private static StepStatus step(ObservedCluster cluster, int index) {
    return cluster.upgrade.getStatus().getRun().getSteps().get(index);
  }

  @Nested
  class AnUpgradeRun {

    @Test
    void startsWithRecordingTheDatabaseVersionUsingTheRunningImage() {
      ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.4.1");

      Decision decision = cluster.reconcile();

      assertThat(decision.action()).isInstanceOf(Action.CreateJob.class);
      var job = ((Action.CreateJob) decision.action()).job();
      assertThat(job.getMetadata().getName()).isEqualTo("pactflow-r1-1-dbversion");
      var container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
      assertThat(container.getImage()).isEqualTo("quay.io/pactflow/enterprise:2.3.0");
      assertThat(container.getCommand()).startsWith("/bin/sh", "-c").endsWith("db-version");
      assertThat(decision.status().getPhase()).isEqualTo(Phase.Running);
      assertThat(decision.status().getStep()).isEqualTo("RecordDatabaseVersion");
      assertThat(decision.status().getRun().getSteps())
          .extracting(StepStatus::getName)
          .containsExactly(
              StepName.Preflight,
              StepName.RecordDatabaseVersion,
              StepName.SchemaMigration,
              StepName.Rollout,
              StepName.DataMigration);
      assertThat(decision.status().getRun().getPlan()).containsExactly("2.4.1");
      assertThat(condition(decision, "Progressing")).isEqualTo("True");
      assertThat(condition(decision, "Ready")).isEqualTo("False");
      assertThat(decision.notices())
          .extracting(Notice::reason)
          .containsExactly("RunStarted", "StepStarted");
    }

    @Test
    void goesThroughEveryStepInOrderAndTouchesTheDeploymentOnlyAfterTheSchemaMigration() {
      ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.4.1");
      cluster.reconcile();
      cluster.completeJob("dbversion", "20240101");

      Decision schema = cluster.reconcile();
      assertThat(schema.status().getRun().getDatabaseVersionBefore()).isEqualTo("20240101");
      assertThat(
              ((Action.CreateJob) schema.action())
                  .job()
                  .getSpec()
                  .getTemplate()
                  .getSpec()
                  .getContainers()
                  .get(0)
                  .getImage())
          .isEqualTo("quay.io/pactflow/enterprise:2.4.1");
      assertThat(cluster.templateImage()).endsWith(":2.3.0");
      assertThat(cluster.reconcile().action())
          .isInstanceOf(Action.Nothing.class); // schema migration runs

      cluster.completeJob("schema", "");
      Decision rollout = cluster.reconcile();
      assertThat(rollout.action())
          .isEqualTo(
              new Action.RolloutDeployment(
                  "pactflow",
                  "broker",
                  "quay.io/pactflow/enterprise:2.4.1",
                  "PACTFLOW_DATABASE_AUTO_MIGRATE",
                  "false"));

      cluster.rolloutInProgress(1);
      Decision waiting = cluster.reconcile();
      assertThat(waiting.action()).isInstanceOf(Action.Nothing.class);
      assertThat(waiting.status().getStep()).isEqualTo("Rollout");
      assertThat(waiting.recheckAfter()).contains(Duration.ofSeconds(900));

      cluster.settleRollout();
      Decision data = cluster.reconcile();
      assertThat(((Action.CreateJob) data.action()).job().getMetadata().getName())
          .isEqualTo("pactflow-r1-4-data");

      cluster.completeJob("data", "");
      Decision done = cluster.reconcile();
      assertThat(done.action()).isInstanceOf(Action.Nothing.class);
      assertThat(done.status().getPhase()).isEqualTo(Phase.Succeeded);
      assertThat(done.status().getCurrentVersion()).isEqualTo("2.4.1");
      assertThat(done.status().getStep()).isNull();
      assertThat(done.status().getRun().getResult()).isEqualTo(RunResult.Succeeded);
      assertThat(done.status().getRun().getSteps())
          .extracting(StepStatus::getState)
          .containsOnly(StepState.Succeeded);
      assertThat(done.status().getHistory())
          .singleElement()
          .satisfies(
              entry -> {
                assertThat(entry.getFrom()).isEqualTo("2.3.0");
                assertThat(entry.getTo()).isEqualTo("2.4.1");
                assertThat(entry.getResult()).isEqualTo(RunResult.Succeeded);
              });
      assertThat(condition(done, "Ready")).isEqualTo("True");
      assertThat(condition(done, "Progressing")).isEqualTo("False");
      assertThat(condition(done, "Degraded")).isEqualTo("False");
      assertThat(cluster.jobNames())
          .containsExactly("pactflow-r1-1-dbversion", "pactflow-r1-2-schema", "pactflow-r1-4-data");
    }

    @Test
    void aSettledStatusIsAFixedPoint() throws Exception {
      ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.4.1");
      cluster.reconcile();
      cluster.advanceClock(Duration.ofSeconds(5));
      ObjectMapper json = new ObjectMapper();
      String before = json.writeValueAsString(cluster.upgrade.getStatus());

      Decision again = cluster.reconcile();

      assertThat(json.writeValueAsString(again.status())).isEqualTo(before);
      assertThat(again.notices()).isEmpty();
    }

    @Test
    void waitsForThePodOutputBeforeRecordingTheDatabaseVersion() {
      ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.4.1");
      cluster.reconcile();
      var job = cluster.job("dbversion");
      cluster.jobs.set(
          0,
          new io.fabric8.kubernetes.api.model.batch.v1.JobBuilder(job)
              .withNewStatus()
              .addNewCondition()
              .withType("Complete")
              .withStatus("True")
              .endCondition()
              .endStatus()
              .build());

      cluster.podWaiting("dbversion", "ContainerCreating"); // its final state not seen yet

      Decision decision = cluster.reconcile();

      assertThat(decision.action()).isInstanceOf(Action.Nothing.class);
      assertThat(step(cluster, 1).getState()).isEqualTo(StepState.Running);

      cluster.jobPods.clear(); // the pod is gone: its output can never be read
      Decision lost = cluster.reconcile();

      assertThat(step(cluster, 1).getState()).isEqualTo(StepState.Failed);
      assertThat(step(cluster, 1).getReason()).isEqualTo("JobOutputLost");
      assertThat(lost.status().getPhase()).isEqualTo(Phase.Failed);
    }

    @Test
    void keepsAnOldPodThatIsStillTerminatingCountedAsNotDone() {
      ObservedCluster cluster = ObservedCluster.upgradingAt(StepName.Rollout);
      cluster.rolloutInProgress(1); // all 3 new replicas available, one old pod terminating

      Decision decision = cluster.reconcile();

      assertThat(decision.status().getStep()).isEqualTo("Rollout");
      assertThat(decision.action()).isInstanceOf(Action.Nothing.class);
    }

    @Test
    void failsTheRolloutWhenItsTimeoutPasses() {
      ObservedCluster cluster = ObservedCluster.upgradingAt(StepName.Rollout);
      cluster.rolloutInProgress(2);
      cluster.reconcile();
      cluster.advanceClock(Duration.ofSeconds(901));

      Decision decision = cluster.reconcile();

      assertThat(decision.status().getPhase()).isEqualTo(Phase.Failed);
      assertThat(step(cluster, 3).getReason()).isEqualTo("RolloutTimeout");
      assertThat(step(cluster, 3).getMessage()).contains("900s", "2 old pod(s) left");
    }
  }

  /** Every Job step against every state its Job can be observed in. */
  @ParameterizedTest(name = "{0} with Job {1} → {2}, step {3}")
  @MethodSource("jobStepTable")
  void aJobStepFollowsItsJob(
      StepName step,
      String jobState,
      Class<? extends Action> expectedAction,
      StepState expectedStepState) {
    ObservedCluster cluster = ObservedCluster.upgradingAt(step);
    String suffix =
        switch (step) {
          case RecordDatabaseVersion -> "dbversion";
          case SchemaMigration -> "schema";
          default -> "data";
        };
    switch (jobState) {
      case "missing" -> cluster.jobs.removeIf(job -> job.getMetadata().getName().endsWith(suffix));
      case "running" -> {}
      case "complete" -> cluster.completeJob(suffix, "20240101");
      case "failed" -> cluster.failJob(suffix, 3, "PG::ConnectionBad: password=hunter2 rejected");
      default -> cluster.podWaiting(suffix, jobState);
    }
    int index =
        cluster.upgrade.getStatus().getRun().getSteps().stream()
            .map(StepStatus::getName)
            .toList()
            .indexOf(step);

    Decision decision = cluster.reconcile();

    assertThat(decision.action()).isInstanceOf(expectedAction);
    StepStatus observed = decision.status().getRun().getSteps().get(index);
    assertThat(observed.getState()).isEqualTo(expectedStepState);
    if (expectedStepState == StepState.Failed) {
      assertThat(decision.status().getPhase()).isEqualTo(Phase.Failed);
      assertThat(observed.getJob()).endsWith(suffix);
      assertThat(observed.getMessage()).doesNotContain("hunter2");
      assertThat(condition(decision, "Degraded")).isEqualTo("True");
      assertThat(decision.notices())
          .anyMatch(notice -> notice.warning() && notice.reason().equals("StepFailed"));
    }
  }

  static Stream<Arguments> jobStepTable() {
    return Stream.of(
            StepName.RecordDatabaseVersion, StepName.SchemaMigration, StepName.DataMigration)
        .flatMap(
            step ->
                Stream.of(
                    // deleted (by hand, or by a TTL) before its end was seen: never re-run on a
                    // guess
                    Arguments.of(step, "missing", Action.Nothing.class, StepState.Failed),
                    Arguments.of(step, "running", Action.Nothing.class, StepState.Running),
                    Arguments.of(step, "ErrImagePull", Action.Nothing.class, StepState.Running),
                    Arguments.of(
                        step,
                        "complete",
                        step == StepName.SchemaMigration
                            ? Action.RolloutDeployment.class
                            : step == StepName.RecordDatabaseVersion
                                ? Action.CreateJob.class
                                : Action.Nothing.class,
                        StepState.Succeeded),
                    Arguments.of(step, "failed", Action.Nothing.class, StepState.Failed),
                    Arguments.of(
                        step, "ImagePullBackOff", Action.DeleteJob.class, StepState.Failed),
                    Arguments.of(
                        step, "InvalidImageName", Action.DeleteJob.class, StepState.Failed),
                    Arguments.of(
                        step,
                        "CreateContainerConfigError",
                        Action.DeleteJob.class,
                        StepState.Failed)));
  }

  @Nested
  class Resuming {

    @Test
    void adoptsAJobCreatedBeforeTheOperatorWasKilledInsteadOfCreatingASecond() {
      ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.4.1");
      cluster.reconcile();
      cluster.completeJob("dbversion", "20240101");
      var statusBeforeSchema =
          new ObjectMapper()
              .convertValue(
                  cluster.upgrade.getStatus(), dev.brokerops.upgrade.api.BrokerUpgradeStatus.class);
      cluster
          .reconcile(); // creates the schema Job ... and the status patch is lost with the operator
      cluster.upgrade.setStatus(statusBeforeSchema);

      Decision decision = cluster.reconcile();

      assertThat(decision.action()).isInstanceOf(Action.Nothing.class);
      assertThat(decision.status().getRun().getSteps().get(2).getState())
          .isEqualTo(StepState.Running);
      assertThat(cluster.jobNames())
          .containsExactly("pactflow-r1-1-dbversion", "pactflow-r1-2-schema");
    }

    @Test
    void doesNotRunACompletedStepAgain() {
      ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.4.1");
      cluster.reconcile();
      cluster.completeJob("dbversion", "20240101");
      cluster.reconcile();

      Decision decision = cluster.reconcile();

      assertThat(decision.action()).isInstanceOf(Action.Nothing.class);
      assertThat(cluster.jobNames()).hasSize(2);
    }
  }

  @Nested
  class Failures {

    @Test
    void haltLeavesTheFailingStepJobAndMessageInStatusAndStartsNothingMore() {
      ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.4.1");
      cluster.reconcile();
      cluster.completeJob("dbversion", "20240101");
      cluster.reconcile();
      cluster.failJob(
          "schema", 1, "could not connect to postgres://pactflow:s3cr3t@db:5432/pactflow");

      Decision decision = cluster.reconcile();

      assertThat(decision.status().getPhase()).isEqualTo(Phase.Failed);
      StepStatus failed = decision.status().getRun().getSteps().get(2);
      assertThat(failed.getJob()).isEqualTo("pactflow-r1-2-schema");
      assertThat(failed.getMessage())
          .contains("exit code 1", "postgres://***:***@db:5432")
          .doesNotContain("s3cr3t");
      Condition degraded =
          StatusConditions.find(decision.status().getConditions(), "Degraded").orElseThrow();
      assertThat(degraded.getReason()).isEqualTo("StepFailed");
      assertThat(degraded.getMessage()).contains("SchemaMigration", "pactflow-r1-2-schema");
      assertThat(cluster.templateImage()).endsWith(":2.3.0");

      assertThat(cluster.reconcile().action()).isInstanceOf(Action.Nothing.class);
      assertThat(cluster.last.status().getNextRun().getWaitingFor())
          .contains(BrokerUpgrade.RETRY_ANNOTATION);
    }

    @Test
    void theRetryAnnotationStartsAFreshRunWithNewJobNames() {
      ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.4.1");
      cluster.reconcile();
      cluster.failJob("dbversion", 1, "boom");
      cluster.reconcile();
      cluster
          .upgrade
          .getMetadata()
          .setAnnotations(new HashMap<>(Map.of(BrokerUpgrade.RETRY_ANNOTATION, "1")));

      Decision decision = cluster.reconcile();

      assertThat(decision.status().getRun().getId()).isEqualTo("r2");
      assertThat(((Action.CreateJob) decision.action()).job().getMetadata().getName())
          .isEqualTo("pactflow-r2-1-dbversion");
      assertThat(decision.status().getHistory()).extracting(h -> h.getId()).containsExactly("r1");
    }

    @Test
    void aSpecEditAlsoStartsAFreshRun() {
      ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.4.1");
      cluster.reconcile();
      cluster.failJob("dbversion", 1, "boom");
      cluster.reconcile();
      cluster.edit(spec -> spec.getJobs().setActiveDeadlineSeconds(600L));

      assertThat(cluster.reconcile().status().getRun().getId()).isEqualTo("r2");
    }

    @Test
    void rollbackPolicyRollsBackAfterAFailedSchemaMigration() {
      ObservedCluster cluster =
          ObservedCluster.running("2.3.0", "2.4.1")
              .with(spec -> spec.setOnFailure(FailurePolicy.Rollback));
      cluster.reconcile();
      cluster.completeJob("dbversion", "20240101");
      cluster.reconcile();
      cluster.failJob("schema", 1, "migration 20260101 failed");

      Decision decision = cluster.reconcile();

      var run = decision.status().getRun();
      assertThat(run.getType()).isEqualTo(RunType.Rollback);
      assertThat(run.startedAutomatically()).isTrue();
      assertThat(run.getTo()).isEqualTo("2.3.0");
      assertThat(run.getSteps())
          .extracting(StepStatus::getName)
          .containsExactly(
              StepName.FindMigrationTarget,
              StepName.Rollout,
              StepName.MigrateDown,
              StepName.VerifyDatabaseVersion);
      assertThat(run.getSteps())
          .extracting(StepStatus::getImage)
          .containsExactly(
              "quay.io/pactflow/enterprise:2.3.0",
              "quay.io/pactflow/enterprise:2.3.0",
              "quay.io/pactflow/enterprise:2.4.1",
              "quay.io/pactflow/enterprise:2.3.0");
      assertThat(((Action.CreateJob) decision.action()).job().getMetadata().getName())
          .isEqualTo("pactflow-r2-0-target");

      cluster.completeJob("target", "20240101");
      // the Deployment still runs 2.3.0, with auto-migrate as before: the rollout sets it off
      assertThat(cluster.reconcile().action()).isInstanceOf(Action.RolloutDeployment.class);
      cluster.settleRollout();
      Decision down = cluster.reconcile();
      var downJob =
          ((Action.CreateJob) down.action())
              .job()
              .getSpec()
              .getTemplate()
              .getSpec()
              .getContainers()
              .get(0);
      assertThat(downJob.getImage()).endsWith(":2.4.1");
      assertThat(downJob.getEnv())
          .anyMatch(
              env ->
                  env.getName().equals("PACTFLOW_DATABASE_MIGRATION_TARGET")
                      && env.getValue().equals("20240101"));

      cluster.completeJob("down", "");
      Decision verify = cluster.reconcile();
      assertThat(((Action.CreateJob) verify.action()).job().getMetadata().getName())
          .isEqualTo("pactflow-r2-3-verify");
      cluster.completeJob("verify", "20240101");
      Decision rolledBack = cluster.reconcile();
      assertThat(rolledBack.status().getPhase()).isEqualTo(Phase.RolledBack);
      assertThat(condition(rolledBack, "Degraded")).isEqualTo("True");
      assertThat(rolledBack.status().getHistory())
          .extracting(h -> h.getType() + "/" + h.getResult())
          .containsExactly("Rollback/Succeeded", "Upgrade/Failed");
      assertThat(cluster.reconcile().action())
          .isInstanceOf(Action.Nothing.class); // no upgrade loop
    }

    @Test
    void rollbackPolicyDoesNothingWhenNoMigrationRan() {
      ObservedCluster cluster =
          ObservedCluster.running("2.3.0", "2.4.1")
              .with(spec -> spec.setOnFailure(FailurePolicy.Rollback));
      cluster.reconcile();
      cluster.completeJob("dbversion", "20240101");
      cluster.reconcile();
      cluster.podWaiting("schema", "ImagePullBackOff");

      cluster.reconcile();
      Decision decision = cluster.reconcile();

      assertThat(decision.status().getPhase()).isEqualTo(Phase.Failed);
      assertThat(decision.status().getRun().getType()).isEqualTo(RunType.Upgrade);
      assertThat(decision.status().getRun().getSteps().get(2).getReason())
          .isEqualTo("ImagePullBackOff");
    }
  }

  @Nested
  class Gates {

    @Test
    void aSecondBrokerUpgradeForTheSameDeploymentIsRefusedNamingTheOwner() {
      ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.4.1");
      cluster.others.add(ObservedCluster.brokerUpgrade("first", "2026-01-01T08:00:00Z", "2.4.0"));

      Decision decision = cluster.reconcile();

      assertThat(decision.action()).isInstanceOf(Action.Nothing.class);
      assertThat(decision.status().getPhase()).isEqualTo(Phase.Blocked);
      Condition degraded =
          StatusConditions.find(decision.status().getConditions(), "Degraded").orElseThrow();
      assertThat(degraded.getReason()).isEqualTo("DeploymentOwnedByOther");
      assertThat(degraded.getMessage()).contains("BrokerUpgrade first");
      assertThat(decision.notices())
          .singleElement()
          .satisfies(notice -> assertThat(notice.warning()).isTrue());
      assertThat(cluster.reconcile().notices()).as("warned once, not on every reconcile").isEmpty();
    }

    @Test
    void theOlderOwnerIsNotDisturbedByALaterClaimant() {
      ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.4.1");
      cluster.others.add(ObservedCluster.brokerUpgrade("later", "2026-01-01T09:30:00Z", "2.4.0"));

      assertThat(cluster.reconcile().action()).isInstanceOf(Action.CreateJob.class);
    }

    @Test
    void aMissingDeploymentBlocks() {
      ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.4.1");
      cluster.deployment = null;

      Decision decision = cluster.reconcile();

      assertThat(decision.status().getPhase()).isEqualTo(Phase.Blocked);
      assertThat(
              StatusConditions.find(decision.status().getConditions(), "Degraded")
                  .orElseThrow()
                  .getMessage())
          .contains("Deployment pactflow not found");
    }

    @Test
    void severalContainersNeedSpecContainer() {
      ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.4.1");
      cluster
          .deployment
          .getSpec()
          .getTemplate()
          .getSpec()
          .getContainers()
          .add(
              new io.fabric8.kubernetes.api.model.ContainerBuilder()
                  .withName("sidecar")
                  .withImage("envoy:1")
                  .build());

      Decision blocked = cluster.reconcile();
      assertThat(blocked.status().getPhase()).isEqualTo(Phase.Blocked);
      assertThat(
              StatusConditions.find(blocked.status().getConditions(), "Degraded")
                  .orElseThrow()
                  .getMessage())
          .contains("set spec.container");

      cluster.edit(spec -> spec.setContainer("broker"));
      assertThat(cluster.reconcile().action()).isInstanceOf(Action.CreateJob.class);
    }

    @Test
    void pausedShowsThePlannedRunAndStartsNothing() {
      ObservedCluster cluster =
          ObservedCluster.running("1.14.0", "2.1.0")
              .with(
                  spec -> {
                    spec.setPaused(true);
                    spec.getVersionPolicy()
                        .setAvailableVersions(List.of("1.14.0", "1.17.3", "2.0.0", "2.1.0"));
                  });

      Decision decision = cluster.reconcile();

      assertThat(decision.action()).isInstanceOf(Action.Nothing.class);
      assertThat(decision.status().getPhase()).isEqualTo(Phase.Paused);
      assertThat(decision.status().getNextRun().getPlan()).containsExactly("1.17.3", "2.1.0");
      assertThat(decision.status().getNextRun().getWaitingFor()).contains("paused");
      assertThat(decision.status().getRun()).isNull();
    }

    @Test
    void aMajorUpgradeIsPlannedAsFullHops() {
      ObservedCluster cluster =
          ObservedCluster.running("1.14.0", "2.1.0")
              .with(
                  spec ->
                      spec.getVersionPolicy()
                          .setAvailableVersions(List.of("1.14.0", "1.17.3", "2.0.0", "2.1.0")));

      Decision decision = cluster.reconcile();

      assertThat(decision.status().getRun().getSteps())
          .extracting(s -> s.getName() + "@" + s.getHop())
          .containsExactly(
              "Preflight@2.1.0",
              "RecordDatabaseVersion@1.17.3",
              "SchemaMigration@1.17.3",
              "Rollout@1.17.3",
              "DataMigration@1.17.3",
              "RecordDatabaseVersion@2.1.0",
              "SchemaMigration@2.1.0",
              "Rollout@2.1.0",
              "DataMigration@2.1.0");
      assertThat(decision.status().getRun().getSteps().get(5).getImage()).endsWith(":1.17.3");
    }

    @Test
    void aMajorUpgradeThatCannotBeProvenIsBlockedSayingWhatToSet() {
      Decision decision = ObservedCluster.running("1.14.0", "2.1.0").reconcile();

      assertThat(decision.status().getPhase()).isEqualTo(Phase.Blocked);
      assertThat(
              StatusConditions.find(decision.status().getConditions(), "Degraded")
                  .orElseThrow()
                  .getMessage())
          .contains("spec.versionPolicy.availableVersions", "majorUpgrades: Allow");
    }

    @Test
    void aDowngradeIsRefusedUnlessAllowedAndThenIsARollback() {
      ObservedCluster cluster = ObservedCluster.running("2.4.1", "2.3.0");
      Decision refused = cluster.reconcile();
      assertThat(refused.status().getPhase()).isEqualTo(Phase.Blocked);
      assertThat(
              StatusConditions.find(refused.status().getConditions(), "Degraded")
                  .orElseThrow()
                  .getMessage())
          .contains("allowDowngrade: true");

      cluster.edit(spec -> spec.setAllowDowngrade(true));
      Decision rollback = cluster.reconcile();
      assertThat(rollback.status().getRun().getType()).isEqualTo(RunType.Rollback);
      var job = ((Action.CreateJob) rollback.action()).job();
      assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
          .endsWith(":2.3.0");
      assertThat(rollback.status().getRun().getSteps())
          .extracting(StepStatus::getName)
          .containsExactly(
              StepName.Preflight,
              StepName.FindMigrationTarget,
              StepName.Rollout,
              StepName.MigrateDown,
              StepName.VerifyDatabaseVersion);
      assertThat(rollback.status().getRun().getSteps().get(3).getImage()).endsWith(":2.4.1");
    }

    @Test
    void atTheTargetVersionNothingRunsAndReadyIsTrue() {
      Decision decision = ObservedCluster.running("2.4.1", "2.4.1").reconcile();

      assertThat(decision.action()).isInstanceOf(Action.Nothing.class);
      assertThat(decision.status().getPhase()).isEqualTo(Phase.Idle);
      assertThat(condition(decision, "Ready")).isEqualTo("True");
      assertThat(decision.status().getObservedGeneration()).isEqualTo(1L);
    }
  }

  @Nested
  class ANewTargetDuringARun {

    @Test
    void doesNotAbortTheRunAndIsPlannedWhenItEnds() {
      ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.4.1");
      cluster.reconcile();
      cluster.completeJob("dbversion", "20240101");
      cluster.reconcile();
      cluster.edit(spec -> spec.setVersion("2.5.0"));

      Decision during = cluster.reconcile();
      assertThat(during.status().getRun().getTo()).isEqualTo("2.4.1");
      assertThat(during.status().getStep()).isEqualTo("SchemaMigration");
      assertThat(during.status().getNextRun().getTo()).isEqualTo("2.5.0");
      assertThat(during.status().getNextRun().getWaitingFor()).contains("run r1 to finish");

      cluster.completeJob("schema", "");
      cluster.reconcile();
      cluster.settleRollout();
      cluster.reconcile();
      cluster.completeJob("data", "");
      Decision next = cluster.reconcile();

      assertThat(next.status().getRun().getId()).isEqualTo("r2");
      assertThat(next.status().getRun().getFrom()).isEqualTo("2.4.1");
      assertThat(next.status().getRun().getTo()).isEqualTo("2.5.0");
      assertThat(next.status().getNextRun()).isNull();
      assertThat(next.status().getHistory()).extracting(h -> h.getId()).containsExactly("r1");
    }
  }

  @Test
  void historyKeepsTheLastTenRuns() {
    ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.4.1");
    for (int attempt = 1; attempt <= 12; attempt++) {
      cluster
          .upgrade
          .getMetadata()
          .setAnnotations(Map.of(BrokerUpgrade.RETRY_ANNOTATION, "" + attempt));
      cluster.reconcile();
      cluster.failJob("r" + attempt + "-1-dbversion", 1, "boom");
      cluster.reconcile();
    }

    assertThat(cluster.last.status().getHistory()).hasSize(10);
    assertThat(cluster.last.status().getHistory().get(0).getId()).isEqualTo("r12");
  }
}
