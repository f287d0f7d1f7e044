package dev.brokerops.upgrade.plan;

import dev.brokerops.upgrade.api.BrokerUpgradeSpec;
import dev.brokerops.upgrade.api.BrokerUpgradeStatus;
import dev.brokerops.upgrade.api.Phase;
import dev.brokerops.upgrade.api.PlannedRun;
import dev.brokerops.upgrade.api.RunStatus;
import dev.brokerops.upgrade.api.StepName;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Builds the part of status people read from what a pass found: phase, step, and the Ready,
 * Progressing, Degraded and Stalled conditions.
 */
final class StatusAggregator {

  /** Blocks that lift by themselves: the run starts when the cluster gets there, nobody acts. */
  private static final Set<String> WAITS_BY_ITSELF = Set.of("RolloutInProgress");

  private StatusAggregator() {}

  /**
   * Whether the broker is where Ready needs it, besides having no run in flight: the Deployment
   * runs the target, its rollout is complete with every replica available, and the last run to it
   * finished its data migration.
   */
  record BrokerState(boolean ready, String reason, String message) {

    static BrokerState atTarget(String deployment, String version) {
      return new BrokerState(
          true, "AtTargetVersion", "Deployment " + deployment + " runs " + version);
    }

    static BrokerState notReady(String reason, String message) {
      return new BrokerState(false, reason, message);
    }
  }

  /**
   * Sets phase, step and conditions on {@code status}; returns the notice a newly blocked run
   * deserves (a Warning, once per reason and message).
   */
  static Optional<Notice> settle(
      BrokerUpgradeStatus status,
      BrokerUpgradeStatus previous,
      BrokerUpgradeSpec spec,
      Verdict verdict,
      BrokerState broker,
      long generation,
      Instant now) {
    RunStatus run = status.getRun();
    boolean inFlight = run != null && run.inFlight();
    Phase phase = verdict.blocked() ? Phase.Blocked : inFlight ? Phase.Running : verdict.phase();
    status.setPhase(phase);
    status.setStep(
        inFlight ? run.currentStep().map(step -> step.getName().name()).orElse(null) : null);

    boolean ready = !inFlight && !verdict.degraded() && broker.ready();
    String readyReason =
        ready
            ? broker.reason()
            : inFlight
                ? "RunInProgress"
                : verdict.degraded() ? verdict.degradedReason() : broker.reason();
    String readyMessage =
        ready || !inFlight && !verdict.degraded()
            ? broker.message()
            : "Deployment "
                + spec.getDeployment()
                + " runs "
                + status.getCurrentVersion()
                + ", target is "
                + spec.getVersion()
                + (phase == Phase.Blocked ? "" : " (phase " + phase + ")");
    List<Condition> conditions = status.getConditions();
    conditions =
        StatusConditions.set(
            conditions,
            StatusConditions.condition(
                StatusConditions.READY, ready, readyReason, readyMessage, generation),
            now);
    boolean progressing = inFlight && !verdict.blocked();
    conditions =
        StatusConditions.set(
            conditions,
            StatusConditions.condition(
                StatusConditions.PROGRESSING,
                progressing,
                progressing ? "RunInProgress" : inFlight ? "RunHeld" : "NoRunInProgress",
                inFlight
                    ? "run "
                        + run.getId()
                        + " ("
                        + run.getType()
                        + " "
                        + run.getFrom()
                        + " → "
                        + run.getTo()
                        + "): step "
                        + status.getStep()
                        + downtimeNote(run)
                        + nextRunNote(status)
                    : "no run in progress" + nextRunNote(status),
                generation),
            now);
    boolean degraded = verdict.degraded();
    conditions =
        StatusConditions.set(
            conditions,
            StatusConditions.abnormal(
                StatusConditions.DEGRADED,
                degraded,
                verdict.degradedReason(),
                verdict.degradedMessage(),
                generation),
            now);
    boolean stalled = degraded && !WAITS_BY_ITSELF.contains(verdict.degradedReason());
    conditions =
        StatusConditions.set(
            conditions,
            StatusConditions.abnormal(
                StatusConditions.STALLED,
                stalled,
                verdict.degradedReason(),
                verdict.degradedMessage(),
                generation),
            now);
    status.setConditions(conditions);

    if (!verdict.blocked()) {
      return Optional.empty();
    }
    boolean news =
        StatusConditions.newlyTrue(
            previous.getConditions(),
            StatusConditions.DEGRADED,
            verdict.degradedReason(),
            verdict.degradedMessage());
    return news
        ? Optional.of(Notice.warning(verdict.degradedReason(), verdict.degradedMessage()))
        : Optional.empty();
  }

  /** A run on a Deployment that cannot upgrade without downtime says so while it runs. */
  private static String downtimeNote(RunStatus run) {
    return run.getSteps().stream()
        .filter(step -> step.getName() == StepName.Preflight)
        .filter(step -> Preflight.NOT_ZERO_DOWNTIME.equals(step.getReason()))
        .map(step -> step.getMessage())
        .filter(message -> message != null && message.contains(Preflight.DOWNTIME_NOTE))
        .map(message -> "; " + message.substring(message.indexOf(Preflight.DOWNTIME_NOTE)))
        .findFirst()
        .orElse("");
  }

  private static String nextRunNote(BrokerUpgradeStatus status) {
    PlannedRun next = status.getNextRun();
    return next == null
        ? ""
        : "; next: "
            + next.getFrom()
            + " → "
            + next.getTo()
            + ", waiting for "
            + next.getWaitingFor();
  }
}
