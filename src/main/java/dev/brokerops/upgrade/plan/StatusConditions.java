package dev.brokerops.upgrade.plan;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Sets standard metav1.Conditions, keeping lastTransitionTime when the status did not flip. */
public final class StatusConditions {

  public static final String READY = "Ready";
  public static final String PROGRESSING = "Progressing";
  public static final String DEGRADED = "Degraded";

  /**
   * kstatus' abnormal-true condition (Flux, kpt, cli-utils): True when nothing will move until a
   * person acts (a run failed or was rolled back, a block that does not lift by itself), so tools
   * waiting on the BrokerUpgrade fail at once instead of at their timeout.
   */
  public static final String STALLED = "Stalled";

  /** The reason of Degraded and Stalled when they are False. */
  public static final String AS_EXPECTED = "AsExpected";

  private StatusConditions() {}

  public static List<Condition> set(List<Condition> previous, Condition wanted, Instant now) {
    List<Condition> result = new ArrayList<>();
    boolean replaced = false;
    for (Condition condition : previous == null ? List.<Condition>of() : previous) {
      if (condition.getType().equals(wanted.getType())) {
        String since =
            Objects.equals(condition.getStatus(), wanted.getStatus())
                ? condition.getLastTransitionTime()
                : now.toString();
        result.add(new ConditionBuilder(wanted).withLastTransitionTime(since).build());
        replaced = true;
      } else {
        result.add(condition);
      }
    }
    if (!replaced) {
      result.add(new ConditionBuilder(wanted).withLastTransitionTime(now.toString()).build());
    }
    return result;
  }

  public static Condition condition(
      String type, boolean status, String reason, String message, long generation) {
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status ? "True" : "False")
        .withReason(reason)
        .withMessage(message == null ? "" : message)
        .withObservedGeneration(generation)
        .build();
  }

  /**
   * A condition that is True only when something is wrong ({@code Degraded}, {@code Stalled}): the
   * reason and message say what when it is, {@code AsExpected} and no message when it is not.
   */
  public static Condition abnormal(
      String type, boolean isTrue, String reason, String message, long generation) {
    return condition(
        type, isTrue, isTrue ? reason : AS_EXPECTED, isTrue ? message : "", generation);
  }

  /**
   * True unless {@code type} was already True with this reason and message: the change a person is
   * told of once (a Warning), not on every pass.
   */
  public static boolean newlyTrue(
      List<Condition> before, String type, String reason, String message) {
    Optional<Condition> was = find(before, type);
    return was.isEmpty()
        || !"True".equals(was.get().getStatus())
        || !Objects.equals(was.get().getReason(), reason)
        || !Objects.equals(was.get().getMessage(), message);
  }

  public static Optional<Condition> find(List<Condition> conditions, String type) {
    return conditions == null
        ? Optional.empty()
        : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }
}
