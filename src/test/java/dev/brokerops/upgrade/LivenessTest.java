package dev.brokerops.upgrade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brokerops.upgrade.api.BrokerUpgrade;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LivenessTest {

  private static final String JOBS = "brokerupgrade/JobInformer [team-a: not watching]";

  private final MovableClock clock = new MovableClock();
  private final ReconcileWatchdog watchdog = new ReconcileWatchdog(clock, Duration.ofSeconds(300));
  private final AtomicReference<List<String>> unhealthy = new AtomicReference<>(List.of());
  private final Liveness liveness =
      new Liveness(clock, watchdog, unhealthy::get, Duration.ofSeconds(120));

  @Test
  void aliveWhenNothingIsWrong() {
    clock.advance(Duration.ofHours(1));

    assertThat(liveness.problem()).isEmpty();
  }

  @Test
  void aliveWhileEventSourcesAreUnhealthyWithinTheGrace() {
    unhealthy.set(List.of(JOBS));
    assertThat(liveness.problem()).isEmpty();
    clock.advance(Duration.ofSeconds(120));

    assertThat(liveness.problem()).isEmpty();
  }

  @Test
  void hungWhenEventSourcesStayUnhealthyPastTheGrace() {
    unhealthy.set(List.of(JOBS));
    liveness.problem();
    clock.advance(Duration.ofSeconds(121));

    assertThat(liveness.problem())
        .contains("event sources unhealthy for 121 s (grace 120 s): " + JOBS);
  }

  @Test
  void aHealthyCheckStartsTheGraceAgain() {
    unhealthy.set(List.of(JOBS));
    liveness.problem();
    clock.advance(Duration.ofSeconds(100));
    unhealthy.set(List.of());
    assertThat(liveness.problem()).isEmpty();
    unhealthy.set(List.of(JOBS));
    liveness.problem();
    clock.advance(Duration.ofSeconds(100));

    assertThat(liveness.problem()).isEmpty();
  }

  @Test
  void hungWhenAReconciliationIsStuck() {
    watchdog.reconciliationExecutionStarted(upgrade(), Map.of());
    clock.advance(Duration.ofSeconds(301));

    assertThat(liveness.problem())
        .hasValueSatisfying(reason -> assertThat(reason).startsWith("reconciliation of"));
  }

  @Test
  void followsTheUnhealthyStreakWhileAReconciliationIsStuck() {
    watchdog.reconciliationExecutionStarted(upgrade(), Map.of());
    unhealthy.set(List.of(JOBS));
    clock.advance(Duration.ofSeconds(301));
    assertThat(liveness.problem())
        .hasValueSatisfying(r -> assertThat(r).startsWith("reconciliation"));
    watchdog.reconciliationExecutionFinished(upgrade(), Map.of());
    clock.advance(Duration.ofSeconds(121));

    assertThat(liveness.problem())
        .hasValueSatisfying(r -> assertThat(r).startsWith("event sources"));
  }

  @Test
  void readsSecondsFromTheEnvironment() {
    Duration fallback = Duration.ofSeconds(300);

    assertThat(Liveness.seconds("X", null, fallback)).isEqualTo(fallback);
    assertThat(Liveness.seconds("X", " ", fallback)).isEqualTo(fallback);
    assertThat(Liveness.seconds("X", " 60 ", fallback)).isEqualTo(Duration.ofSeconds(60));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-5", "5m", "1.5"})
  void refusesSecondsThatAreNotAPositiveWholeNumber(String value) {
    assertThatThrownBy(
            () -> Liveness.seconds(ReconcileWatchdog.LIMIT_ENV, value, Duration.ofSeconds(300)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(ReconcileWatchdog.LIMIT_ENV)
        .hasMessageContaining(value);
  }

  private static BrokerUpgrade upgrade() {
    BrokerUpgrade upgrade = new BrokerUpgrade();
    upgrade.setMetadata(
        new ObjectMetaBuilder().withNamespace("team-a").withName("pactflow").build());
    return upgrade;
  }
}
