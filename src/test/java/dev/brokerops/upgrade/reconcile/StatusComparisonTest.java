package dev.brokerops.upgrade.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brokerops.upgrade.api.BrokerUpgradeStatus;
import dev.brokerops.upgrade.api.Phase;
import org.junit.jupiter.api.Test;

/**
 * The reconciler patches status only when it changed; equal content in new objects is no change.
 */
class StatusComparisonTest {

  private static BrokerUpgradeStatus status(Phase phase) {
    BrokerUpgradeStatus status = new BrokerUpgradeStatus();
    status.setPhase(phase);
    status.setObservedGeneration(3L);
    return status;
  }

  @Test
  void equalContentIsTheSameStatus() {
    assertThat(BrokerUpgradeReconciler.sameStatus(status(Phase.Running), status(Phase.Running)))
        .isTrue();
  }

  @Test
  void aDifferentFieldIsAChange() {
    assertThat(BrokerUpgradeReconciler.sameStatus(status(Phase.Running), status(Phase.Failed)))
        .isFalse();
  }

  @Test
  void noStatusYetIsAChangeFromAnyComputedOne() {
    assertThat(BrokerUpgradeReconciler.sameStatus(null, status(Phase.Idle))).isFalse();
  }
}
