package dev.brokerops.upgrade.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brokerops.upgrade.api.BrokerUpgradeStatus;
import dev.brokerops.upgrade.api.Phase;
import io.fabric8.kubernetes.api.model.Condition;
import org.junit.jupiter.api.Test;

/**
 * {@code Stalled}, kstatus' abnormal-true condition: True exactly when nothing moves until a person
 * acts, so Flux and other kstatus readers fail at once instead of at their timeout, and never while
 * the operator is still getting somewhere by itself.
 */
class StalledConditionTest {

  @Test
  void aRunningUpgradeIsNotStalled() {
    ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.4.1");

    Decision decision = cluster.reconcile();

    assertThat(decision.status().getPhase()).isEqualTo(Phase.Running);
    assertThat(stalled(decision.status()).getStatus()).isEqualTo("False");
    assertThat(stalled(decision.status()).getReason()).isEqualTo("AsExpected");
  }

  @Test
  void aFailedRunIsStalledWithTheFailureAsReason() {
    ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.4.1");
    cluster.reconcile();
    cluster.completeJob("dbversion", "20240101");
    cluster.reconcile();
    cluster.failJob("schema", 3, "relation already exists");

    BrokerUpgradeStatus status = cluster.reconcileUntilQuiet().status();

    assertThat(status.getPhase()).isEqualTo(Phase.Failed);
    assertThat(stalled(status).getStatus()).isEqualTo("True");
    assertThat(stalled(status).getReason()).isEqualTo("StepFailed");
    assertThat(stalled(status).getMessage()).contains("relation already exists");
  }

  @Test
  void aBlockThatNeedsAPersonIsStalledOneThatLiftsByItselfIsNot() {
    ObservedCluster paused = ObservedCluster.running("2.3.0", "2.4.1");
    paused.deployment.getSpec().setPaused(true);
    assertThat(stalled(paused.reconcile().status()).getStatus()).isEqualTo("True");

    ObservedCluster waiting = ObservedCluster.running("2.3.0", "2.4.1");
    waiting.rolloutInProgress(2);
    BrokerUpgradeStatus status = waiting.reconcile().status();
    assertThat(status.getPhase()).isEqualTo(Phase.Blocked);
    assertThat(stalled(status).getStatus())
        .as("somebody else's rollout ends by itself, and the run starts then")
        .isEqualTo("False");
  }

  @Test
  void aRefusalStallsWhenAPersonMustLiftItNotWhenTheApiServerMerelyDidNotAnswer() {
    ObservedCluster cluster = ObservedCluster.running("2.3.0", "2.4.1");
    Decision planned = StepPlanner.plan(cluster.observation());

    BrokerUpgradeStatus forbidden =
        new ActionRefusal(planned.action(), 403, "exceeded quota")
            .decide(cluster.upgrade, planned, cluster.now)
            .status();
    BrokerUpgradeStatus unreachable =
        new ActionRefusal(planned.action(), 0, "connection refused")
            .decide(cluster.upgrade, planned, cluster.now)
            .status();

    assertThat(stalled(forbidden).getStatus()).isEqualTo("True");
    assertThat(stalled(forbidden).getReason()).isEqualTo("JobRefused");
    assertThat(stalled(unreachable).getStatus()).isEqualTo("False");
  }

  private static Condition stalled(BrokerUpgradeStatus status) {
    return StatusConditions.find(status.getConditions(), StatusConditions.STALLED).orElseThrow();
  }
}
