package dev.brokerops.upgrade.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusConditionsTest {

  private static final Instant EARLIER = Instant.parse("2026-01-01T10:00:00Z");
  private static final Instant LATER = Instant.parse("2026-01-01T11:00:00Z");

  @Test
  void keepsTheTransitionTimeWhileTheStatusStaysTheSame() {
    List<Condition> first =
        StatusConditions.set(
            List.of(),
            StatusConditions.condition("Ready", false, "RunInProgress", "step SchemaMigration", 1),
            EARLIER);

    List<Condition> second =
        StatusConditions.set(
            first,
            StatusConditions.condition("Ready", false, "RunInProgress", "step Rollout", 2),
            LATER);

    assertThat(second)
        .singleElement()
        .satisfies(
            condition -> {
              assertThat(condition.getLastTransitionTime()).isEqualTo(EARLIER.toString());
              assertThat(condition.getMessage()).isEqualTo("step Rollout");
              assertThat(condition.getObservedGeneration()).isEqualTo(2L);
            });
  }

  @Test
  void stampsTheTimeWhenTheStatusFlips() {
    List<Condition> first =
        StatusConditions.set(
            List.of(), StatusConditions.condition("Ready", false, "RunInProgress", "", 1), EARLIER);

    List<Condition> second =
        StatusConditions.set(
            first, StatusConditions.condition("Ready", true, "AtTargetVersion", "", 1), LATER);

    assertThat(second)
        .singleElement()
        .satisfies(
            condition -> {
              assertThat(condition.getStatus()).isEqualTo("True");
              assertThat(condition.getLastTransitionTime()).isEqualTo(LATER.toString());
            });
  }
}
