package dev.brokerops.upgrade.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.brokerops.upgrade.api.BrokerUpgradeStatus;
import dev.brokerops.upgrade.api.Phase;
import dev.brokerops.upgrade.api.StepName;
import dev.brokerops.upgrade.api.StepState;
import dev.brokerops.upgrade.api.StepStatus;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ActionRefusalTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String QUOTA =
      "jobs.batch \"pactflow-r1-1-dbversion\" is forbidden: exceeded quota: no-jobs, requested:"
          + " count/jobs.batch=1, used: count/jobs.batch=0, limited: count/jobs.batch=0";

  @Test
  void aRefusedFirstJobLeavesNoRunStartedAndQuotesTheApiServer() {
    ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.4.1");
    Decision planned = StepPlanner.plan(cluster.observation());
    assertThat(planned.action()).isInstanceOf(Action.CreateJob.class);

    Decision refused =
        new ActionRefusal(planned.action(), 403, QUOTA)
            .decide(cluster.upgrade, planned, cluster.now);

    BrokerUpgradeStatus status = refused.status();
    assertThat(status.getRun()).as("the run did not start: its first Job does not exist").isNull();
    assertThat(status.getPhase()).isEqualTo(Phase.Blocked);
    assertThat(status.getTargetVersion()).isEqualTo("2.4.1");
    assertThat(status.getCurrentVersion()).isEqualTo("2.3.0");
    assertThat(degraded(status))
        .satisfies(
            degraded -> {
              assertThat(degraded.getStatus()).isEqualTo("True");
              assertThat(degraded.getReason()).isEqualTo("JobRefused");
              assertThat(degraded.getMessage())
                  .contains("create Job pactflow-r1-1-dbversion", "HTTP 403", QUOTA);
            });
    assertThat(condition(status, StatusConditions.READY).getStatus()).isEqualTo("False");
    assertThat(refused.notices())
        .as(
            "one Warning, and none of the planner's notices: RunStarted, StepStarted did not happen")
        .singleElement()
        .satisfies(
            notice -> {
              assertThat(notice.warning()).isTrue();
              assertThat(notice.reason()).isEqualTo("JobRefused");
              assertThat(notice.message()).contains(QUOTA);
            });
    assertThat(refused.action()).isInstanceOf(Action.Nothing.class);
    assertThat(refused.recheckAfter()).contains(ActionRefusal.MIN_RETRY);
  }

  @Test
  void aRefusedRolloutKeepsTheStepsAsTheyWereAndNamesTheDeployment() {
    ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.4.1");
    cluster.reconcile();
    cluster.completeJob("dbversion", "20240101");
    cluster.reconcile();
    cluster.completeJob("schema", "");
    BrokerUpgradeStatus before = copy(cluster.upgrade.getStatus());
    Decision planned = StepPlanner.plan(cluster.observation());
    assertThat(planned.action()).isInstanceOf(Action.RolloutDeployment.class);
    assertThat(planned.status().getCurrentVersion())
        .as("what holds once the patch is done")
        .isEqualTo("2.4.1");

    Decision refused =
        new ActionRefusal(
                planned.action(),
                403,
                "deployments.apps \"pactflow\" is forbidden: ValidatingAdmissionPolicy"
                    + " 'freeze' with binding 'freeze' denied request: change freeze")
            .decide(cluster.upgrade, planned, cluster.now);

    assertThat(refused.status().getRun().getSteps())
        .extracting(StepStatus::getName, StepStatus::getState)
        .as("as before the pass: the schema step's completion is found again on the next pass")
        .isEqualTo(
            before.getRun().getSteps().stream()
                .map(step -> tuple(step.getName(), step.getState()))
                .toList());
    assertThat(step(refused.status(), StepName.Rollout).getState()).isEqualTo(StepState.Pending);
    assertThat(refused.status().getCurrentVersion())
        .as("the Deployment runs what it ran")
        .isEqualTo("2.3.0");
    assertThat(degraded(refused.status()).getReason()).isEqualTo("DeploymentPatchRefused");
    assertThat(degraded(refused.status()).getMessage())
        .contains(
            "patch Deployment pactflow (image quay.io/pactflow/enterprise:2.4.1,"
                + " PACTFLOW_DATABASE_AUTO_MIGRATE=false)",
            "denied request: change freeze");
  }

  @Test
  void theSameRefusalAgainChangesNothingTellsNothingAndWaitsLonger() throws Exception {
    ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.4.1");
    Decision first = refuse(cluster);
    cluster.upgrade.setStatus(first.status());
    cluster.advanceClock(Duration.ofSeconds(40));

    Decision again = refuse(cluster);

    assertThat(JSON.writeValueAsString(again.status()))
        .isEqualTo(JSON.writeValueAsString(first.status()));
    assertThat(again.notices()).isEmpty();
    assertThat(again.recheckAfter()).contains(Duration.ofSeconds(40));
  }

  @Test
  void theRetriedActionAcceptedClearsDegradedByItself() {
    ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.4.1");
    cluster.upgrade.setStatus(refuse(cluster).status());
    cluster.advanceClock(Duration.ofSeconds(5));

    Decision accepted = cluster.reconcile();

    assertThat(accepted.action()).isInstanceOf(Action.CreateJob.class);
    assertThat(accepted.status().getPhase()).isEqualTo(Phase.Running);
    assertThat(degraded(accepted.status()).getStatus()).isEqualTo("False");
    assertThat(accepted.notices()).extracting(Notice::reason).contains("RunStarted", "StepStarted");
  }

  @Test
  void secretsTheApiServerQuotesAreRedacted() {
    ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.4.1");
    Decision planned = StepPlanner.plan(cluster.observation());

    Decision refused =
        new ActionRefusal(
                planned.action(),
                422,
                "Job.batch \"x\" is invalid: spec.template.spec.containers[0].env[0].value:"
                    + " postgres://broker:hunter2@db/pactflow")
            .decide(cluster.upgrade, planned, cluster.now);

    assertThat(degraded(refused.status()).getMessage()).doesNotContain("hunter2").contains("422");
    assertThat(refused.notices().get(0).message()).doesNotContain("hunter2");
  }

  @Test
  void noResponseAtAllSaysTheApiServerWasNotReached() {
    ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.4.1");
    Decision planned = StepPlanner.plan(cluster.observation());

    Decision refused =
        new ActionRefusal(planned.action(), 0, "connect timed out")
            .decide(cluster.upgrade, planned, cluster.now);

    assertThat(degraded(refused.status()).getMessage())
        .startsWith("could not reach the API server to create Job pactflow-r1-1-dbversion")
        .contains("connect timed out");
  }

  @ParameterizedTest(name = "refused {0}s ago → retry in {1}s")
  @CsvSource({"0, 5", "3, 5", "5, 5", "40, 40", "299, 299", "300, 300", "3600, 300"})
  void retryWaitsAsLongAsTheRefusalHasLastedBetweenFiveSecondsAndFiveMinutes(
      long refusedAgo, long retryIn) {
    Instant now = Instant.parse("2026-01-01T10:00:00Z");

    assertThat(ActionRefusal.retryAfter(now.minusSeconds(refusedAgo), now))
        .isEqualTo(Duration.ofSeconds(retryIn));
  }

  private static Decision refuse(ObservedCluster cluster) {
    Decision planned = StepPlanner.plan(cluster.observation());
    return new ActionRefusal(planned.action(), 403, QUOTA)
        .decide(cluster.upgrade, planned, cluster.now);
  }

  private static Condition degraded(BrokerUpgradeStatus status) {
    return condition(status, StatusConditions.DEGRADED);
  }

  private static Condition condition(BrokerUpgradeStatus status, String type) {
    return StatusConditions.find(status.getConditions(), type).orElseThrow();
  }

  private static StepStatus step(BrokerUpgradeStatus status, StepName name) {
    return status.getRun().getSteps().stream()
        .filter(step -> step.getName() == name)
        .findFirst()
        .orElseThrow();
  }

  private static BrokerUpgradeStatus copy(BrokerUpgradeStatus status) {
    return JSON.convertValue(status, BrokerUpgradeStatus.class);
  }
}
