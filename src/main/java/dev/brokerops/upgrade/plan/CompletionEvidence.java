package dev.brokerops.upgrade.plan;

import dev.brokerops.upgrade.api.BrokerUpgradeStatus;
import dev.brokerops.upgrade.api.RunResult;
import dev.brokerops.upgrade.api.RunStatus;
import dev.brokerops.upgrade.api.RunSummary;
import dev.brokerops.upgrade.api.RunType;
import dev.brokerops.upgrade.api.StepName;
import dev.brokerops.upgrade.api.StepState;
import java.util.Optional;

/**
 * Whether the version a Deployment's template names is known to be finished: rolled out and its
 * data migrated afterwards. The template naming a version is never evidence of that by itself: a
 * failed rollout leaves the template at the target with no data migration run.
 */
final class CompletionEvidence {

  private CompletionEvidence() {}

  /**
   * A version the template names whose procedure is not known to be finished.
   *
   * @param leftBy the failed run that rolled the Deployment to it, or empty when the operator did
   *     not (the BrokerUpgrade was re-created, or somebody else set the image)
   */
  record Unfinished(String version, Optional<RunStatus> leftBy) {}

  /**
   * The template's version if it is not known to be finished. Known finished: a run of this
   * BrokerUpgrade to it succeeded and no later run rolled it again; or no run of this BrokerUpgrade
   * put it there and its pods migrate on start (auto-migrate not off), which is how the broker runs
   * before the operator ever touched it.
   */
  static Optional<Unfinished> of(
      BrokerUpgradeStatus status, BrokerContainer broker, String autoMigrateEnv) {
    String version = broker.tag();
    RunStatus last = status.getRun();
    if (last != null && last.inFlight()) {
      return Optional.empty();
    }
    if (last != null && leftHopUnfinished(last, version)) {
      return Optional.of(new Unfinished(version, Optional.of(last)));
    }
    // Only the newest run that may have rolled the Deployment out to this version speaks for it: an
    // older success says nothing about a later rollout to the same version (after a rollback) that
    // failed before its data migration. History is newest first.
    boolean reachedBySucceededRun =
        status.getHistory().stream()
            .filter(run -> mayHaveRolledOut(run, version))
            .findFirst()
            .filter(run -> run.getResult() == RunResult.Succeeded && version.equals(run.getTo()))
            .isPresent();
    if (reachedBySucceededRun) {
      return Optional.empty();
    }
    boolean migratesOnStart = broker.env(autoMigrateEnv).filter("false"::equals).isEmpty();
    return migratesOnStart
        ? Optional.empty()
        : Optional.of(new Unfinished(version, Optional.empty()));
  }

  /**
   * Whether a run could have rolled the Deployment out to this version: it was the run's target, or
   * a hop on an upgrade's way up. History keeps no steps, so a run that failed before that hop
   * counts too; that costs at most one more data migration.
   */
  private static boolean mayHaveRolledOut(RunSummary run, String version) {
    if (version.equals(run.getTo())) {
      return true;
    }
    if (run.getType() != RunType.Upgrade) {
      return false;
    }
    Optional<Version> hop = Version.parse(version);
    Optional<Version> from = Optional.ofNullable(run.getFrom()).flatMap(Version::parse);
    Optional<Version> to = Optional.ofNullable(run.getTo()).flatMap(Version::parse);
    return hop.isPresent()
        && from.isPresent()
        && to.isPresent()
        && hop.get().isNewerThan(from.get())
        && to.get().isNewerThan(hop.get());
  }

  /**
   * The failed run rolled the Deployment to this hop but never finished it: an upgrade hop's data
   * migration, or a rollback hop's migrate-down and verification, did not succeed after the
   * rollout.
   */
  private static boolean leftHopUnfinished(RunStatus failed, String version) {
    StepName finishing =
        failed.getType() == RunType.Upgrade
            ? StepName.DataMigration
            : StepName.VerifyDatabaseVersion;
    boolean rolloutStarted =
        failed.getSteps().stream()
            .anyMatch(
                step ->
                    step.getName() == StepName.Rollout
                        && version.equals(step.getHop())
                        && step.getState() != StepState.Pending);
    boolean finished =
        failed.getSteps().stream()
            .anyMatch(
                step ->
                    step.getName() == finishing
                        && version.equals(step.getHop())
                        && step.getState() == StepState.Succeeded);
    return rolloutStarted && !finished;
  }
}
