package dev.brokerops.upgrade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brokerops.upgrade.api.BrokerUpgrade;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReconcileWatchdogTest {

  private final MovableClock clock = new MovableClock();
  private final ReconcileWatchdog watchdog = new ReconcileWatchdog(clock, Duration.ofSeconds(300));

  @Test
  void quietWithNothingRunning() {
    clock.advance(Duration.ofHours(1));

    assertThat(watchdog.stuckReconciliation()).isEmpty();
  }

  @Test
  void quietWhileAReconciliationIsWithinTheLimit() {
    watchdog.reconciliationExecutionStarted(upgrade("team-a", "pactflow"), Map.of());
    clock.advance(Duration.ofSeconds(300));

    assertThat(watchdog.stuckReconciliation()).isEmpty();
  }

  @Test
  void reportsAReconciliationRunningPastTheLimit() {
    watchdog.reconciliationExecutionStarted(upgrade("team-a", "pactflow"), Map.of());
    clock.advance(Duration.ofSeconds(301));

    assertThat(watchdog.stuckReconciliation())
        .contains(
            "reconciliation of BrokerUpgrade team-a/pactflow running for 301 s (limit 300 s)");
  }

  @Test
  void forgetsAFinishedReconciliation() {
    watchdog.reconciliationExecutionStarted(upgrade("team-a", "pactflow"), Map.of());
    clock.advance(Duration.ofSeconds(10));
    // JOSDK hands the finish callback the resource as updated by the reconciliation.
    BrokerUpgrade updated = upgrade("team-a", "pactflow");
    updated.getMetadata().setResourceVersion("42");
    watchdog.reconciliationExecutionFinished(updated, Map.of());
    clock.advance(Duration.ofHours(1));

    assertThat(watchdog.stuckReconciliation()).isEmpty();
  }

  @Test
  void reportsTheOldestOfSeveralStuckReconciliations() {
    watchdog.reconciliationExecutionStarted(upgrade("team-a", "first"), Map.of());
    clock.advance(Duration.ofSeconds(100));
    watchdog.reconciliationExecutionStarted(upgrade("team-b", "second"), Map.of());
    clock.advance(Duration.ofSeconds(500));

    assertThat(watchdog.stuckReconciliation())
        .hasValueSatisfying(reason -> assertThat(reason).contains("team-a/first", "600 s"));
  }

  @Test
  void timesEachReconciliationOfAResourceAfresh() {
    BrokerUpgrade upgrade = upgrade("team-a", "pactflow");
    watchdog.reconciliationExecutionStarted(upgrade, Map.of());
    clock.advance(Duration.ofSeconds(200));
    watchdog.reconciliationExecutionFinished(upgrade, Map.of());
    watchdog.reconciliationExecutionStarted(upgrade, Map.of());
    clock.advance(Duration.ofSeconds(200));

    assertThat(watchdog.stuckReconciliation()).isEmpty();
  }

  @Test
  void aFinishWithoutAStartIsHarmless() {
    // JOSDK calls the finish callback even when it skipped a resource gone from its cache.
    watchdog.reconciliationExecutionFinished(upgrade("team-a", "gone"), Map.of());
    watchdog.reconciliationExecutionStarted(upgrade("team-a", "pactflow"), Map.of());
    clock.advance(Duration.ofSeconds(301));

    assertThat(watchdog.stuckReconciliation())
        .hasValueSatisfying(r -> assertThat(r).contains("team-a/pactflow"));
  }

  @Test
  void rejectsALimitThatIsNotPositive() {
    assertThatThrownBy(() -> new ReconcileWatchdog(clock, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static BrokerUpgrade upgrade(String namespace, String name) {
    BrokerUpgrade upgrade = new BrokerUpgrade();
    upgrade.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
    return upgrade;
  }
}
