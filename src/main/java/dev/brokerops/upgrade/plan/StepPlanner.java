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
import dev.brokerops.upgrade.jobs.JobRequest;
import dev.brokerops.upgrade.jobs.JobSpecFactory;
import dev.brokerops.upgrade.jobs.StepCommands;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

  public static Decision plan(Observation observation) {
    return new Planning(observation).decide();
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

  private enum Progress {
    CONTINUE,
    WAIT
  }

  /** What one step's pass came to: go on to the next step or wait, and the action it needs. */
  private record StepResult(
      Progress progress, Action action, Verdict blockedBy, Duration recheckAfter) {

    static final StepResult CONTINUE = new StepResult(Progress.CONTINUE, null, null, null);
    static final StepResult WAIT = new StepResult(Progress.WAIT, null, null, null);

    static StepResult waitFor(Action action) {
      return new StepResult(Progress.WAIT, action, null, null);
    }

    static StepResult blocked(Verdict verdict) {
      return new StepResult(Progress.WAIT, null, verdict, null);
    }
  }

  /** Where a pass ends: the one action, how it settles for people, and when to look again. */
  private record Pass(Action action, Verdict verdict, Duration recheckAfter) {}

  /**
   * One planning pass over one observation. The status copy is the aggregate it builds and the
   * notices are what it has to say; everything else is passed as values.
   */
  private static final class Planning {
    private final Observation observed;
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

    Planning(Observation observed) {
      this.observed = observed;
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
      observed
          .deployment()
          .map(found -> BrokerContainer.find(found, spec.getContainer()))
          .filter(BrokerContainer.Lookup.Found.class::isInstance)
          .map(found -> ((BrokerContainer.Lookup.Found) found).container().tag())
          .ifPresent(status::setCurrentVersion);
      Pass pass;
      StatusAggregator.BrokerState brokerState;
      Preflight.Result preflight = Preflight.check(observed);
      if (preflight instanceof Preflight.Result.Passed passed) {
        deployment = passed.deployment();
        broker = passed.broker();
        rollout = RolloutProgress.of(deployment, observed.replicaSets(), observed.deploymentPods());
        pass = advance();
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
          result = advanceRollout(run, step);
        } else {
          result = advanceJobStep(run, run.getSteps().indexOf(step), step);
        }
        if (result.blockedBy() != null) {
          return new Pass(Action.NOTHING, result.blockedBy(), null);
        }
        if (result.action() != null) {
          Verdict verdict = Verdict.IDLE;
          if (result.progress() == Progress.CONTINUE
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
        if (result.progress() == Progress.WAIT) {
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
      RunStatus run =
          hops.type() == RunType.Upgrade
              ? runs.upgrade(
                  id, hops, current.toString(), target.toString(), completeFirst, preflight)
              : runs.rollback(id, current.toString(), target.toString(), preflight);
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
      RunStatus rollback =
          runFactory()
              .automaticRollback(
                  RunFactory.nextRunId(status, observed.jobs(), upgrade.getMetadata().getName()),
                  failed,
                  broker.tag(),
                  newestMigration.get().getHop());
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

    // ---- Steps that run a Job ----

    private StepResult advanceJobStep(RunStatus run, int index, StepStatus step) {
      JobRequest request = jobRequest(run, index, step);
      String jobName = request.name();
      Optional<Job> job =
          observed.jobs().stream()
              .filter(candidate -> jobName.equals(candidate.getMetadata().getName()))
              .findFirst();
      if (job.isPresent()) {
        Optional<String> notOurs = JobOwnership.mismatch(job.get(), upgrade, request);
        if (notOurs.isPresent()) {
          status.setStep(step.getName().name());
          return StepResult.blocked(
              Verdict.blocked(
                  "JobNotOurs",
                  "Job "
                      + jobName
                      + " exists but is not the Job of run "
                      + run.getId()
                      + " step "
                      + step.getName()
                      + ": "
                      + notOurs.get()
                      + ". It was not adopted and nothing else ran; delete it if it is left"
                      + " over, and the step starts"));
        }
      }
      if (step.getState() == StepState.Pending) {
        boolean busy =
            observed.jobs().stream()
                .filter(candidate -> !jobName.equals(candidate.getMetadata().getName()))
                .filter(
                    candidate -> JobOwnership.migrates(candidate, spec.getDeployment(), upgrade))
                .anyMatch(
                    candidate -> JobOutcome.of(candidate, List.of()) instanceof JobOutcome.Running);
        if (busy) {
          // At most one migration Job at a time for one Deployment.
          status.setStep(step.getName().name());
          return StepResult.WAIT;
        }
        step.setState(StepState.Running);
        step.setJob(jobName);
        step.setStartedAt(now.toString());
        notices.add(
            Notice.normal(
                "StepStarted",
                stepLabel(run, step) + " started: Job " + jobName + " runs " + step.getImage()));
        if (job.isPresent()) {
          return StepResult.CONTINUE;
        }
        return StepResult.waitFor(
            new Action.CreateJob(
                JobSpecFactory.build(upgrade, deployment, broker.container(), request)));
      }
      if (job.isEmpty()) {
        // A step is Running only once its Job was created, and a created Job is in the cache at
        // once: it was deleted, by hand or by its TTL, before its end was seen. Its result is
        // unknown, and a migration is not run twice on a guess.
        failStep(
            run,
            step,
            "JobVanished",
            "Job "
                + jobName
                + " disappeared before the operator saw it finish (deleted, or removed after"
                + " jobs.ttlSecondsAfterFinished); its result is unknown, so the step is not run"
                + " again by itself. Check the database, then retry the run");
        return StepResult.CONTINUE;
      }
      List<Pod> pods = podsOf(jobName);
      JobOutcome outcome = JobOutcome.of(job.get(), pods);
      if (outcome instanceof JobOutcome.Succeeded succeeded) {
        boolean needsOutput =
            step.getName() == StepName.RecordDatabaseVersion
                || step.getName() == StepName.FindMigrationTarget;
        if (needsOutput && succeeded.output().isEmpty()) {
          if (pods.isEmpty()) {
            failStep(
                run,
                step,
                "JobOutputLost",
                "Job "
                    + jobName
                    + " completed but its pod is gone, so its output (the pod's termination"
                    + " message) cannot be read; retry the run");
            return StepResult.CONTINUE;
          }
          return StepResult.WAIT; // the pod's final state arrives on its own event
        }
        String output =
            needsOutput ? succeeded.output().map(MessageRedactor::redact).orElse(null) : null;
        if (step.getName() == StepName.FindMigrationTarget
            && (output == null || !output.matches("[0-9]+"))) {
          failStep(
              run,
              step,
              "NoMigrationNumber",
              "Job " + jobName + " printed \"" + output + "\", not a migration number");
          return StepResult.CONTINUE;
        }
        completeStep(run, step, "Complete", output, summary(step, output));
        if (step.getName() == StepName.RecordDatabaseVersion
            && run.getDatabaseVersionBefore() == null) {
          run.setDatabaseVersionBefore(output);
        }
        return StepResult.CONTINUE;
      }
      if (outcome instanceof JobOutcome.Failed failed) {
        failStep(run, step, "JobFailed", "Job " + jobName + " failed: " + failed.message());
        return StepResult.CONTINUE;
      }
      if (outcome instanceof JobOutcome.Stuck stuck) {
        failStep(
            run,
            step,
            stuck.reason(),
            "Job " + jobName + " deleted: " + MessageRedactor.redact(stuck.message()));
        return new StepResult(Progress.CONTINUE, new Action.DeleteJob(jobName), null, null);
      }
      status.setStep(step.getName().name());
      return StepResult.WAIT;
    }

    private JobRequest jobRequest(RunStatus run, int index, StepStatus step) {
      var procedure = spec.getProcedure();
      List<String> command;
      Map<String, String> env = Map.of();
      switch (step.getName()) {
        case RecordDatabaseVersion ->
            command = StepCommands.capturingOutput(procedure.getVersionCommand());
        case FindMigrationTarget ->
            command = StepCommands.newestMigrationNumber(procedure.getMigrationsDir());
        case MigrateDown -> {
          command = procedure.getMigrateCommand();
          String target =
              run.getSteps().stream()
                  .filter(
                      s ->
                          s.getName() == StepName.FindMigrationTarget
                              && s.getState() == StepState.Succeeded)
                  .map(StepStatus::getOutput)
                  .findFirst()
                  .orElseThrow(
                      () ->
                          new IllegalStateException(
                              "MigrateDown before FindMigrationTarget succeeded"));
          env = Map.of(procedure.getMigrationTargetEnv(), target);
        }
        default -> command = procedure.getMigrateCommand();
      }
      return JobRequest.forStep(
          upgrade.getMetadata().getName(),
          run.getId(),
          index,
          step.getName(),
          step.getHop(),
          step.getImage(),
          command,
          env);
    }

    private List<Pod> podsOf(String jobName) {
      return observed.jobPods().stream()
          .filter(
              pod ->
                  Optional.ofNullable(pod.getMetadata().getOwnerReferences())
                      .orElse(List.of())
                      .stream()
                      .map(OwnerReference::getName)
                      .anyMatch(jobName::equals))
          .toList();
    }

    // ---- The rollout ----

    private StepResult advanceRollout(RunStatus run, StepStatus step) {
      String autoMigrateEnv = spec.getProcedure().getAutoMigrateEnv();
      if (step.getState() == StepState.Pending) {
        step.setState(StepState.Running);
        step.setStartedAt(now.toString());
        notices.add(
            Notice.normal(
                "StepStarted",
                stepLabel(run, step)
                    + " started: Deployment "
                    + spec.getDeployment()
                    + " set to "
                    + step.getImage()
                    + " with "
                    + autoMigrateEnv
                    + "=false"));
      }
      if (!broker.runs(step.getImage(), autoMigrateEnv, "false")) {
        return StepResult.waitFor(
            new Action.RolloutDeployment(
                spec.getDeployment(), broker.name(), step.getImage(), autoMigrateEnv, "false"));
      }
      if (rollout.done()) {
        completeStep(
            run,
            step,
            "RolloutComplete",
            null,
            "Deployment "
                + spec.getDeployment()
                + " runs "
                + step.getImage()
                + ": "
                + rollout.summary());
        return StepResult.CONTINUE;
      }
      Instant stepStarted = Instant.parse(step.getStartedAt());
      // The controller dates its conditions to the second; one from before this step is stale.
      boolean deadlineExceeded =
          rollout
              .deadlineExceededSince()
              .filter(since -> !since.isBefore(stepStarted.truncatedTo(ChronoUnit.SECONDS)))
              .isPresent();
      if (deadlineExceeded) {
        failStep(
            run,
            step,
            "ProgressDeadlineExceeded",
            "Deployment "
                + spec.getDeployment()
                + " exceeded its progress deadline: "
                + rollout.summary());
        return StepResult.CONTINUE;
      }
      Duration timeout = Duration.ofSeconds(spec.getRollout().getTimeoutSeconds());
      Duration elapsed = Duration.between(stepStarted, now);
      if (elapsed.compareTo(timeout) >= 0) {
        failStep(
            run,
            step,
            "RolloutTimeout",
            "rollout of Deployment "
                + spec.getDeployment()
                + " did not finish within "
                + timeout.toSeconds()
                + "s: "
                + rollout.summary());
        return StepResult.CONTINUE;
      }
      // The only timer: nothing in the cluster announces that a timeout passed.
      status.setStep(step.getName().name());
      return new StepResult(Progress.WAIT, null, null, timeout.minus(elapsed));
    }

    // ---- Step bookkeeping ----

    private void completeStep(
        RunStatus run, StepStatus step, String reason, String output, String message) {
      step.setState(StepState.Succeeded);
      step.setFinishedAt(now.toString());
      step.setReason(reason);
      step.setOutput(output);
      step.setMessage(message);
      notices.add(Notice.normal("StepSucceeded", stepLabel(run, step) + " succeeded: " + message));
    }

    private void failStep(RunStatus run, StepStatus step, String reason, String message) {
      step.setState(StepState.Failed);
      step.setFinishedAt(now.toString());
      step.setReason(reason);
      step.setMessage(MessageRedactor.redact(message));
      notices.add(
          Notice.warning("StepFailed", stepLabel(run, step) + " failed: " + step.getMessage()));
    }

    private static String stepLabel(RunStatus run, StepStatus step) {
      return "run " + run.getId() + " step " + step.getName() + " (" + step.getHop() + ")";
    }

    private static String summary(StepStatus step, String output) {
      return switch (step.getName()) {
        case RecordDatabaseVersion -> "database version " + output;
        case FindMigrationTarget -> "newest migration of " + step.getHop() + " is " + output;
        default -> "Job " + step.getJob() + " complete";
      };
    }

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
