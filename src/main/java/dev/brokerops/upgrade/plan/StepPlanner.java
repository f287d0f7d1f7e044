package dev.brokerops.upgrade.plan;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.brokerops.upgrade.api.BrokerUpgrade;
import dev.brokerops.upgrade.api.BrokerUpgradeSpec;
import dev.brokerops.upgrade.api.BrokerUpgradeStatus;
import dev.brokerops.upgrade.api.FailurePolicy;
import dev.brokerops.upgrade.api.Phase;
import dev.brokerops.upgrade.api.PlannedRun;
import dev.brokerops.upgrade.api.RunResult;
import dev.brokerops.upgrade.api.RunStatus;
import dev.brokerops.upgrade.api.RunSummary;
import dev.brokerops.upgrade.api.RunType;
import dev.brokerops.upgrade.api.StepName;
import dev.brokerops.upgrade.api.StepState;
import dev.brokerops.upgrade.api.StepStatus;
import dev.brokerops.upgrade.api.WayBack;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The pure heart of the operator: from what is observed to the next action and the status that
 * follows.
 *
 * <p>It folds every transition that needs no change to the cluster (a Job found complete, a run
 * finished, the next run planned) into the status, and stops at the first one that does (create a
 * Job, patch the Deployment, delete a stuck Job) or that must wait for the cluster. State lives
 * only in status and in the Jobs found, whose names are derived from the run and step, so a
 * restarted operator continues where it stopped. {@link Preflight} decides whether anything may
 * run, {@link RunFactory} lays out new runs, {@link StatusAggregator} writes what people read.
 */
public final class StepPlanner {

  private static final ObjectMapper COPIER = new ObjectMapper();
  private static final int MAX_TRANSITIONS = 64;

  private StepPlanner() {}

  /** Plans under the default image policy: only the Deployment's own repository. */
  public static Decision plan(Observation observation) {
    return plan(observation, ImagePolicy.DEPLOYMENTS_OWN_REPOSITORY);
  }

  public static Decision plan(Observation observation, ImagePolicy imagePolicy) {
    return new Planning(observation, imagePolicy).decide();
  }

  /**
   * The run trigger of the spec as it is now: a new generation or retry value allows a fresh run.
   */
  public static String triggerOf(BrokerUpgrade upgrade) {
    String retry =
        Optional.ofNullable(upgrade.getMetadata().getAnnotations())
            .map(annotations -> annotations.get(BrokerUpgrade.RETRY_ANNOTATION))
            .orElse(null);
    return "generation="
        + upgrade.getMetadata().getGeneration()
        + (retry == null ? "" : ",retry=" + retry);
  }

  /** Where a pass ends: the one action, how it settles for people, and when to look again. */
  private record Pass(Action action, Verdict verdict, Duration recheckAfter) {}

  /**
   * One planning pass over one observation. The status copy is the aggregate it builds and the
   * notices are what it has to say; everything else is passed as values.
   */
  private static final class Planning {
    private final Observation observed;
    private final ImagePolicy imagePolicy;
    private final BrokerUpgrade upgrade;
    private final BrokerUpgradeSpec spec;
    private final BrokerUpgradeStatus previous;
    private final BrokerUpgradeStatus status;
    private final List<Notice> notices = new ArrayList<>();
    private final Instant now;
    private final long generation;
    private Deployment deployment;
    private BrokerContainer broker;
    private RolloutProgress rollout;

    Planning(Observation observed, ImagePolicy imagePolicy) {
      this.observed = observed;
      this.imagePolicy = imagePolicy;
      this.upgrade = observed.upgrade();
      this.spec = upgrade.getSpec();
      this.previous = upgrade.getStatus() == null ? new BrokerUpgradeStatus() : upgrade.getStatus();
      this.status = COPIER.convertValue(previous, BrokerUpgradeStatus.class);
      this.now = observed.now();
      this.generation = Optional.ofNullable(upgrade.getMetadata().getGeneration()).orElse(0L);
    }

    Decision decide() {
      status.setObservedGeneration(generation);
      status.setTargetVersion(spec.getVersion());
      Optional<BrokerContainer.Lookup> container =
          observed.deployment().map(found -> BrokerContainer.find(found, spec.getContainer()));
      container
          .filter(BrokerContainer.Lookup.Found.class::isInstance)
          .map(found -> ((BrokerContainer.Lookup.Found) found).container().tag())
          .ifPresent(status::setCurrentVersion);
      Pass pass;
      StatusAggregator.BrokerState brokerState;
      Preflight.Result preflight = Preflight.check(observed, container, imagePolicy);
      if (preflight instanceof Preflight.Result.Passed passed) {
        deployment = passed.deployment();
        broker = passed.broker();
        rollout = RolloutProgress.of(deployment, observed.replicaSets(), observed.deploymentPods());
        pass = advance();
        if (pass.action() instanceof Action.RolloutDeployment rollout) {
          // The status is what holds once the action is done: the Deployment then runs the new
          // image, and saying so now spares a status write when its next event shows it.
          status.setCurrentVersion(BrokerContainer.tagOf(rollout.image()));
        }
        brokerState = brokerState();
      } else {
        Verdict blocked = ((Preflight.Result.Blocked) preflight).verdict();
        pass = new Pass(Action.NOTHING, blocked, null);
        brokerState =
            StatusAggregator.BrokerState.notReady(
                blocked.degradedReason(), blocked.degradedMessage());
      }
      StatusAggregator.settle(status, previous, spec, pass.verdict(), brokerState, generation, now)
          .ifPresent(notices::add);
      return new Decision(
          pass.action(), status, List.copyOf(notices), Optional.ofNullable(pass.recheckAfter()));
    }

    /** Ready needs the Deployment at the target, rolled out, every replica available, finished. */
    private StatusAggregator.BrokerState brokerState() {
      String name = spec.getDeployment();
      if (!broker.tag().equals(spec.getVersion())) {
        return StatusAggregator.BrokerState.notReady(
            "NotAtTargetVersion",
            "Deployment " + name + " runs " + broker.tag() + ", target is " + spec.getVersion());
      }
      if (CompletionEvidence.of(status, broker, spec.getProcedure().getAutoMigrateEnv())
          .isPresent()) {
        return StatusAggregator.BrokerState.notReady(
            "DataMigrationPending",
            "Deployment "
                + name
                + " runs "
                + broker.tag()
                + " but no run of this BrokerUpgrade has migrated the data after rolling it out");
      }
      if (!rollout.done()) {
        return StatusAggregator.BrokerState.notReady(
            "BrokerUnavailable",
            "Deployment "
                + name
                + " runs "
                + broker.tag()
                + " but is not fully available: "
                + rollout.summary());
      }
      return StatusAggregator.BrokerState.atTarget(name, spec.getVersion());
    }

    private PassContext pass() {
      return new PassContext(
          observed, deployment, broker, rollout, status, new StepBook(notices, now));
    }

    // ---- Runs ----

    private Pass advance() {
      for (int transitions = 0; transitions < MAX_TRANSITIONS; transitions++) {
        RunStatus run = status.getRun();
        if (run == null || !run.inFlight()) {
          Optional<Verdict> held = startRunIfDue();
          if (held.isPresent()) {
            return new Pass(Action.NOTHING, held.get(), null);
          }
          continue;
        }
        Optional<StepStatus> current = run.currentStep();
        if (current.isEmpty()) {
          finishRun(run, RunResult.Succeeded);
          continue;
        }
        StepStatus step = current.get();
        if (step.getState() == StepState.Failed) {
          finishRun(run, RunResult.Failed);
          startAutomaticRollback(run, step);
          continue;
        }
        noteNewTargetWhileInFlight(run);
        StepResult result;
        if (step.getName() == StepName.Rollout) {
          Optional<Verdict> cannotRoll = Preflight.deploymentCannotRoll(deployment);
          if (cannotRoll.isPresent()) {
            return new Pass(Action.NOTHING, cannotRoll.get(), null);
          }
          result = RolloutStepPlanner.advance(pass(), run, step);
        } else {
          result = JobStepPlanner.advance(pass(), run, run.getSteps().indexOf(step), step);
        }
        if (result.blockedBy() != null) {
          return new Pass(Action.NOTHING, result.blockedBy(), null);
        }
        if (result.action() != null) {
          Verdict verdict = Verdict.IDLE;
          if (result.progress() == StepResult.Progress.CONTINUE
              && run.currentStep()
                  .filter(failed -> failed.getState() == StepState.Failed)
                  .isPresent()) {
            // The action cleans up after the failure; the run ends now, whatever follows waits
            // for the next pass.
            finishRun(run, RunResult.Failed);
            startAutomaticRollback(run, step);
            if (!status.getRun().inFlight()) {
              verdict = verdictAfterFailure(status.getRun());
            }
          }
          return new Pass(result.action(), verdict, result.recheckAfter());
        }
        if (result.progress() == StepResult.Progress.WAIT) {
          return new Pass(Action.NOTHING, Verdict.IDLE, result.recheckAfter());
        }
      }
      throw new IllegalStateException(
          "planner did not settle after " + MAX_TRANSITIONS + " transitions");
    }

    /** Starts the run the spec asks for, if one is due; else says how things stand. */
    private Optional<Verdict> startRunIfDue() {
      Version current = Version.of(broker.tag());
      Version target = Version.of(spec.getVersion());
      RunStatus last = status.getRun();
      VersionPath path =
          HopPlanner.plan(
              current,
              target,
              spec.getVersionPolicy().getMajorUpgrades(),
              spec.isAllowDowngrade(),
              spec.getVersionPolicy().getAvailableVersions());
      boolean lastFailedForThisSpec =
          last != null
              && triggerOf(upgrade).equals(last.getTrigger())
              && (last.getResult() == RunResult.Failed || last.startedAutomatically());
      Optional<CompletionEvidence.Unfinished> unfinished =
          CompletionEvidence.of(status, broker, spec.getProcedure().getAutoMigrateEnv());
      if (lastFailedForThisSpec && !(path instanceof VersionPath.Hops)) {
        status.setNextRun(null);
        return Optional.of(verdictAfterFailure(last));
      }
      if (path instanceof VersionPath.Blocked refused) {
        status.setNextRun(null);
        return Optional.of(Verdict.blocked(refused.reason(), refused.message()));
      }
      VersionPath.Hops hops =
          path instanceof VersionPath.Hops planned
              ? planned
              : new VersionPath.Hops(RunType.Upgrade, List.of());
      if (hops.hops().isEmpty() && unfinished.isEmpty()) {
        status.setNextRun(null);
        boolean lastReachedIt =
            last != null
                && last.getResult() == RunResult.Succeeded
                && !last.startedAutomatically()
                && target.toString().equals(last.getTo());
        return Optional.of(lastReachedIt ? Verdict.SUCCEEDED : Verdict.IDLE);
      }
      // A retry of the same target finishes the version the failed run left half done first;
      // at the target itself, finishing it is the whole run.
      Optional<CompletionEvidence.Unfinished> completeFirst =
          hops.hops().isEmpty()
              ? unfinished
              : unfinished.filter(
                  left -> left.leftBy().isPresent() && target.toString().equals(last.getTo()));
      PlannedRun planned = planned(hops, current, target, completeFirst);
      if (lastFailedForThisSpec) {
        planned.setWaitingFor(
            "run "
                + last.getId()
                + " ended "
                + (last.startedAutomatically() ? "in a rollback" : "failed")
                + "; edit the spec or give annotation "
                + BrokerUpgrade.RETRY_ANNOTATION
                + " a new value to run again");
        status.setNextRun(planned);
        return Optional.of(verdictAfterFailure(last));
      }
      if (spec.isPaused()) {
        planned.setWaitingFor("spec.paused is true");
        status.setNextRun(planned);
        return Optional.of(new Verdict(Phase.Paused, null, null));
      }
      status.setNextRun(null);
      Optional<Verdict> cannotStart = Preflight.deploymentCannotRoll(deployment);
      boolean rollingOutOurOwnChange =
          unfinished.flatMap(CompletionEvidence.Unfinished::leftBy).isPresent();
      if (cannotStart.isEmpty() && !rollingOutOurOwnChange && completeFirst.isEmpty()) {
        cannotStart = Preflight.rolloutInProgress(deployment, rollout);
      }
      if (cannotStart.isPresent()) {
        return cannotStart;
      }
      startRun(hops, current, target, completeFirst);
      return Optional.empty();
    }

    private PlannedRun planned(
        VersionPath.Hops hops,
        Version from,
        Version to,
        Optional<CompletionEvidence.Unfinished> completeFirst) {
      PlannedRun planned = new PlannedRun();
      planned.setType(hops.type());
      planned.setFrom(from.toString());
      planned.setTo(to.toString());
      List<String> plan = new ArrayList<>();
      completeFirst.ifPresent(unfinished -> plan.add(unfinished.version()));
      plan.addAll(hops.asStrings());
      planned.setPlan(plan);
      return planned;
    }

    private void startRun(
        VersionPath.Hops hops,
        Version current,
        Version target,
        Optional<CompletionEvidence.Unfinished> completeFirst) {
      RunFactory runs = runFactory();
      String id = RunFactory.nextRunId(status, observed.jobs(), upgrade.getMetadata().getName());
      List<String> risks = Preflight.downtimeRisks(deployment, broker);
      List<String> path = new ArrayList<>();
      completeFirst.ifPresent(
          unfinished ->
              path.add(unfinished.version() + " (finish its rollout and data migration)"));
      path.addAll(hops.asStrings());
      StepStatus preflight =
          runs.passedPreflight(
              target.toString(),
              "Deployment "
                  + spec.getDeployment()
                  + ", container "
                  + broker.name()
                  + "; path "
                  + current
                  + " → "
                  + String.join(" → ", path),
              risks);
      boolean resumesRollback =
          completeFirst
              .flatMap(CompletionEvidence.Unfinished::leftBy)
              .filter(left -> left.getType() == RunType.Rollback)
              .isPresent();
      RunStatus run =
          resumesRollback
              ? runs.resumedRollback(id, completeFirst.get(), hops, target.toString(), preflight)
              : hops.type() == RunType.Upgrade
                  ? runs.upgrade(
                      id, hops, current.toString(), target.toString(), completeFirst, preflight)
                  : runs.rollback(id, hops, current.toString(), target.toString(), preflight);
      status.setRun(run);
      notices.add(
          Notice.normal(
              "RunStarted",
              "run "
                  + run.getId()
                  + " started: "
                  + run.getType()
                  + " "
                  + run.getFrom()
                  + " → "
                  + String.join(" → ", run.getPlan())));
      if (!risks.isEmpty()) {
        notices.add(
            Notice.warning(
                Preflight.NOT_ZERO_DOWNTIME,
                "run " + run.getId() + " will not be zero-downtime: " + String.join("; ", risks)));
      }
    }

    private RunFactory runFactory() {
      String repository =
          spec.getImage() == null || spec.getImage().isBlank()
              ? broker.repository()
              : spec.getImage();
      return new RunFactory(repository, triggerOf(upgrade), now);
    }

    private void finishRun(RunStatus run, RunResult result) {
      run.setFinishedAt(now.toString());
      run.setResult(result);
      List<RunSummary> history = new ArrayList<>(status.getHistory());
      history.removeIf(summary -> Objects.equals(summary.getId(), run.getId()));
      history.add(0, RunSummary.of(run));
      status.setHistory(
          new ArrayList<>(
              history.subList(0, Math.min(history.size(), BrokerUpgradeStatus.HISTORY_LIMIT))));
      if (result == RunResult.Succeeded && run.getType() == RunType.Upgrade) {
        status.setWayBack(WayBack.of(run));
      }
      if (result == RunResult.Succeeded) {
        notices.add(
            Notice.normal(
                "RunSucceeded",
                "run "
                    + run.getId()
                    + " succeeded: "
                    + run.getType()
                    + " "
                    + run.getFrom()
                    + " → "
                    + run.getTo()));
      } else {
        notices.add(
            Notice.warning("RunFailed", "run " + run.getId() + " failed: " + failureSummary(run)));
      }
    }

    /*
     * onFailure: Rollback. Only when the failed run may have changed the database: a run that
     * failed before any migration ran (for instance its migration image could not be pulled)
     * left nothing to undo.
     */
    private void startAutomaticRollback(RunStatus failed, StepStatus failedStep) {
      if (spec.getOnFailure() != FailurePolicy.Rollback || failed.getType() != RunType.Upgrade) {
        return;
      }
      Optional<StepStatus> newestMigration =
          failed.getSteps().stream()
              .filter(
                  step ->
                      step.getName() == StepName.SchemaMigration
                          || step.getName() == StepName.DataMigration)
              .filter(
                  step ->
                      step.getState() == StepState.Succeeded
                          || (step.getState() == StepState.Failed
                              && !JobOutcome.HOPELESS_WAITING_REASONS.contains(step.getReason())))
              .reduce((first, second) -> second);
      if (newestMigration.isEmpty()) {
        notices.add(
            Notice.normal(
                "RollbackNotNeeded",
                "run "
                    + failed.getId()
                    + " failed before any schema migration ran; nothing to roll back"));
        return;
      }
      // Back through every version the failed run passed, from the newest whose migrations it
      // may have applied.
      List<String> versionsNewestFirst = new ArrayList<>();
      versionsNewestFirst.add(failed.getFrom());
      for (String hop : failed.getPlan()) {
        if (!versionsNewestFirst.contains(hop)) {
          versionsNewestFirst.add(hop);
        }
        if (hop.equals(newestMigration.get().getHop())) {
          break;
        }
      }
      if (versionsNewestFirst.size() < 2) {
        // A run that only finished the version it came from has no older version to go back to;
        // an empty rollback would succeed at once and vouch for the step that just failed.
        notices.add(
            Notice.normal(
                "RollbackNotNeeded",
                "run "
                    + failed.getId()
                    + " failed at "
                    + failed.getFrom()
                    + ", the version it started from; there is no older version to roll back to"));
        return;
      }
      Collections.reverse(versionsNewestFirst);
      RunStatus rollback =
          runFactory()
              .automaticRollback(
                  RunFactory.nextRunId(status, observed.jobs(), upgrade.getMetadata().getName()),
                  failed,
                  broker.tag(),
                  versionsNewestFirst);
      status.setRun(rollback);
      notices.add(
          Notice.warning(
              "RollbackStarted",
              "run "
                  + rollback.getId()
                  + " rolls back to "
                  + failed.getFrom()
                  + " because run "
                  + failed.getId()
                  + " failed at step "
                  + failedStep.getName()));
    }

    private void noteNewTargetWhileInFlight(RunStatus run) {
      boolean newTarget =
          !Objects.equals(spec.getVersion(), run.getTo()) && !run.startedAutomatically();
      if (!newTarget) {
        status.setNextRun(null);
        return;
      }
      PlannedRun planned = new PlannedRun();
      planned.setFrom(run.getTo());
      planned.setTo(spec.getVersion());
      VersionPath path =
          HopPlanner.plan(
              Version.of(run.getTo()),
              Version.of(spec.getVersion()),
              spec.getVersionPolicy().getMajorUpgrades(),
              spec.isAllowDowngrade(),
              spec.getVersionPolicy().getAvailableVersions());
      if (path instanceof VersionPath.Hops hops) {
        planned.setType(hops.type());
        planned.setPlan(hops.asStrings());
      }
      planned.setWaitingFor(
          "run "
              + run.getId()
              + " to finish: spec.version changed to "
              + spec.getVersion()
              + " while it was in flight; the new target is planned when it ends");
      status.setNextRun(planned);
    }

    // ---- Outcomes ----

    private static String failureSummary(RunStatus run) {
      return run.getSteps().stream()
          .filter(step -> step.getState() == StepState.Failed)
          .findFirst()
          .map(
              step ->
                  "step "
                      + step.getName()
                      + " ("
                      + step.getHop()
                      + ")"
                      + (step.getJob() == null ? "" : ", Job " + step.getJob())
                      + ": "
                      + step.getMessage())
          .orElse("no step failed");
    }

    private Verdict verdictAfterFailure(RunStatus last) {
      if (last.startedAutomatically() && last.getResult() == RunResult.Succeeded) {
        RunSummary failed =
            status.getHistory().stream()
                .filter(
                    summary ->
                        summary.getType() == RunType.Upgrade
                            && summary.getResult() == RunResult.Failed)
                .findFirst()
                .orElse(null);
        return new Verdict(
            Phase.RolledBack,
            "RolledBack",
            "the upgrade"
                + (failed == null ? "" : " " + failed.getId() + " to " + failed.getTo())
                + " failed and was rolled back to "
                + last.getTo());
      }
      return new Verdict(
          Phase.Failed,
          last.startedAutomatically() ? "RollbackFailed" : "StepFailed",
          "run " + last.getId() + " failed at " + failureSummary(last));
    }
  }
}
