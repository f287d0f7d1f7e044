package dev.brokerops.upgrade.plan;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.brokerops.upgrade.api.BrokerUpgrade;
import dev.brokerops.upgrade.api.BrokerUpgradeStatus;
import dev.brokerops.upgrade.api.Phase;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

/**
 * The API server refused the planner's action: the status to write instead, the Warning to give,
 * and when to try again.
 *
 * <p>The planner's status assumes its action happened (a step Running with its Job, a StepStarted
 * notice). It did not, so what is written is the status as it was, with {@code Degraded} quoting
 * the API server; the next pass plans again from there and retries the same action. The retry delay
 * is a pure function of status: the time since the refusal began (the Degraded condition's
 * lastTransitionTime), at least {@link #MIN_RETRY} and at most {@link #MAX_RETRY}, so it roughly
 * doubles per attempt and survives an operator restart.
 *
 * @param code the HTTP status code, 0 when no response came
 * @param apiMessage the API server's own words (Status.message), or the client's error
 */
public record ActionRefusal(Action action, int code, String apiMessage) {

  public static final Duration MIN_RETRY = Duration.ofSeconds(5);
  public static final Duration MAX_RETRY = Duration.ofMinutes(5);

  private static final ObjectMapper COPIER = new ObjectMapper();

  /** The Degraded reason: which kind of change was refused. */
  public String reason() {
    if (action instanceof Action.CreateJob) {
      return "JobRefused";
    }
    if (action instanceof Action.DeleteJob) {
      return "JobDeletionRefused";
    }
    if (action instanceof Action.RolloutDeployment) {
      return "DeploymentPatchRefused";
    }
    return "ApiRefused";
  }

  /**
   * Names the object and quotes the API server. Stable across attempts (no time, no attempt count),
   * so an unchanged refusal leaves status unchanged and writes nothing.
   */
  public String message() {
    String what = describe(action);
    String quoted = MessageRedactor.redact(apiMessage == null ? "" : apiMessage);
    String head =
        code == 0
            ? "could not reach the API server to " + what
            : "the API server refused to " + what + " (HTTP " + code + ")";
    return head + ": " + quoted + "; the operator retries with backoff, up to every 5 minutes";
  }

  /**
   * What to write, tell and schedule instead of the planner's decision, given the BrokerUpgrade as
   * it was observed.
   */
  public Decision decide(BrokerUpgrade upgrade, Decision planned, Instant now) {
    BrokerUpgradeStatus previous =
        upgrade.getStatus() == null ? new BrokerUpgradeStatus() : upgrade.getStatus();
    BrokerUpgradeStatus status = COPIER.convertValue(previous, BrokerUpgradeStatus.class);
    // What was observed still holds; only the transitions that needed the action are dropped.
    status.setObservedGeneration(planned.status().getObservedGeneration());
    status.setTargetVersion(planned.status().getTargetVersion());
    // ... but a refused rollout left the Deployment running what it ran before, which the planned
    // status (what holds once the action is done) no longer says.
    status.setCurrentVersion(
        action instanceof Action.RolloutDeployment
            ? previous.getCurrentVersion()
            : planned.status().getCurrentVersion());
    // Blocked, as for any cause outside the operator that a person must fix; never Failed: the
    // run goes on by itself once the API server accepts the change.
    status.setPhase(Phase.Blocked);
    long generation = Optional.ofNullable(status.getObservedGeneration()).orElse(0L);
    String reason = reason();
    String message = message();

    List<Condition> conditions =
        StatusConditions.set(
            status.getConditions(),
            StatusConditions.condition(
                StatusConditions.READY,
                false,
                reason,
                "Deployment "
                    + upgrade.getSpec().getDeployment()
                    + " runs "
                    + status.getCurrentVersion()
                    + ", target is "
                    + status.getTargetVersion(),
                generation),
            now);
    conditions =
        StatusConditions.set(
            conditions,
            StatusConditions.condition(
                StatusConditions.PROGRESSING,
                false,
                "RunHeld",
                "held until the API server accepts the next change; see Degraded",
                generation),
            now);
    conditions =
        StatusConditions.set(
            conditions,
            StatusConditions.condition(
                StatusConditions.DEGRADED, true, reason, message, generation),
            now);
    conditions =
        StatusConditions.set(
            conditions,
            StatusConditions.abnormal(
                StatusConditions.STALLED, needsAPerson(), reason, message, generation),
            now);
    status.setConditions(conditions);

    boolean news =
        StatusConditions.newlyTrue(
            previous.getConditions(), StatusConditions.DEGRADED, reason, message);
    List<Notice> notices = news ? List.of(Notice.warning(reason, message)) : List.of();
    Instant since =
        StatusConditions.find(conditions, StatusConditions.DEGRADED)
            .map(Condition::getLastTransitionTime)
            .map(ActionRefusal::parse)
            .orElse(now);
    return new Decision(Action.NOTHING, status, notices, Optional.of(retryAfter(since, now)));
  }

  /**
   * A refusal that stays until somebody changes RBAC, a quota, a policy or the spec; not a
   * conflict, throttling, a missing object the next pass replans around, a server error or no
   * answer at all.
   */
  boolean needsAPerson() {
    return code >= 400 && code < 500 && code != 404 && code != 409 && code != 429;
  }

  /** The time since the refusal began, between {@link #MIN_RETRY} and {@link #MAX_RETRY}. */
  public static Duration retryAfter(Instant refusedSince, Instant now) {
    Duration waited = Duration.between(refusedSince, now);
    if (waited.compareTo(MIN_RETRY) < 0) {
      return MIN_RETRY;
    }
    return waited.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : waited;
  }

  private static Instant parse(String time) {
    try {
      return Instant.parse(time);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static String describe(Action action) {
    if (action instanceof Action.CreateJob create) {
      return "create Job " + create.job().getMetadata().getName();
    }
    if (action instanceof Action.DeleteJob delete) {
      return "delete Job " + delete.name();
    }
    if (action instanceof Action.RolloutDeployment rollout) {
      return "patch Deployment "
          + rollout.deployment()
          + " (image "
          + rollout.image()
          + ", "
          + rollout.envName()
          + "="
          + rollout.envValue()
          + ")";
    }
    return "change the cluster";
  }
}
