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
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
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
 * restarted operator continues where it stopped.
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

  /** One planning pass; mutable only within itself. */
  private static final class Planning {
    private final Observation observed;
    private final BrokerUpgrade upgrade;
    private final BrokerUpgradeSpec spec;
    private final BrokerUpgradeStatus previous;
    private final BrokerUpgradeStatus status;
    private final List<Notice> notices = new ArrayList<>();
    private final Instant now;
    private final long generation;
    private Phase settledPhase = Phase.Idle;
    private String degradedReason;
    private String degradedMessage;
    private boolean blocked;
    private Duration recheckAfter;
    private Action pendingAction;
    private BrokerContainer broker;
    private Deployment deployment;

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
      Action action = preflightThenAdvance();
      settle();
      return new Decision(action, status, List.copyOf(notices), Optional.ofNullable(recheckAfter));
    }

    // ---- Preflight: what must hold before anything runs or continues ----

    private Action preflightThenAdvance() {
      String name = upgrade.getMetadata().getName();
      Optional<BrokerUpgrade> owner =
          observed.claimants().stream()
              .min(
                  Comparator.comparing(
                          (BrokerUpgrade bu) -> bu.getMetadata().getCreationTimestamp(),
                          Comparator.nullsLast(Comparator.naturalOrder()))
                      .thenComparing(bu -> bu.getMetadata().getName()));
      if (owner.isPresent() && !owner.get().getMetadata().getName().equals(name)) {
        return block(
            "DeploymentOwnedByOther",
            "Deployment "
                + spec.getDeployment()
                + " is already managed by"
                + " BrokerUpgrade "
                + owner.get().getMetadata().getName()
                + "; one Deployment has one BrokerUpgrade."
                + " Delete this one or point spec.deployment at another Deployment");
      }
      if (observed.deployment().isEmpty()) {
        return block(
            "DeploymentNotFound",
            "Deployment "
                + spec.getDeployment()
                + " not found in namespace "
                + upgrade.getMetadata().getNamespace());
      }
      deployment = observed.deployment().get();
      BrokerContainer.Lookup lookup = BrokerContainer.find(deployment, spec.getContainer());
      if (lookup instanceof BrokerContainer.Lookup.NotFound notFound) {
        return block(notFound.reason(), notFound.message());
      }
      broker = ((BrokerContainer.Lookup.Found) lookup).container();
      status.setCurrentVersion(broker.tag());
      if (Version.parse(broker.tag()).isEmpty()) {
        return block(
            "CurrentVersionUnknown",
            "container "
                + broker.name()
                + " runs tag "
                + broker.tag()
                + ", which is not MAJOR.MINOR.PATCH; the operator cannot tell which version runs");
      }
      if (Version.parse(spec.getVersion()).isEmpty()) {
        return block(
            "InvalidVersion", "spec.version " + spec.getVersion() + " is not MAJOR.MINOR.PATCH");
      }
      return advance();
    }

    // ---- Runs ----

    private Action advance() {
      for (int transitions = 0; transitions < MAX_TRANSITIONS; transitions++) {
        RunStatus run = status.getRun();
        if (run == null || !run.inFlight()) {
          if (!startRunIfDue()) {
            return Action.NOTHING;
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
        Progress progress =
            step.getName() == StepName.Rollout
                ? advanceRollout(run, step)
                : advanceJobStep(run, run.getSteps().indexOf(step), step);
        if (pendingAction != null) {
          if (progress == Progress.CONTINUE
              && run.currentStep()
                  .filter(failed -> failed.getState() == StepState.Failed)
                  .isPresent()) {
            // The action cleans up after the failure; the run ends now, whatever follows waits for
            // the next pass.
            finishRun(run, RunResult.Failed);
            startAutomaticRollback(run, current.get());
            if (!status.getRun().inFlight()) {
              settleAfterFailure(status.getRun());
            }
          }
          return pendingAction;
        }
        if (progress == Progress.WAIT) {
          return Action.NOTHING;
        }
      }
      throw new IllegalStateException(
          "planner did not settle after " + MAX_TRANSITIONS + " transitions");
    }

    private boolean startRunIfDue() {
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
      if (lastFailedForThisSpec && !(path instanceof VersionPath.Hops)) {
        status.setNextRun(null);
        settleAfterFailure(last);
        return false;
      }
      if (path instanceof VersionPath.AlreadyThere) {
        status.setNextRun(null);
        boolean lastReachedIt =
            last != null
                && last.getResult() == RunResult.Succeeded
                && !last.startedAutomatically()
                && target.toString().equals(last.getTo());
        settledPhase = lastReachedIt ? Phase.Succeeded : Phase.Idle;
        return false;
      }
      if (path instanceof VersionPath.Blocked refused) {
        status.setNextRun(null);
        block(refused.reason(), refused.message());
        return false;
      }
      VersionPath.Hops hops = (VersionPath.Hops) path;
      PlannedRun planned = planned(hops, current, target);
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
        settleAfterFailure(last);
        return false;
      }
      if (spec.isPaused()) {
        planned.setWaitingFor("spec.paused is true");
        status.setNextRun(planned);
        settledPhase = Phase.Paused;
        return false;
      }
      status.setNextRun(null);
      startRun(hops, current, target);
      return true;
    }

    private PlannedRun planned(VersionPath.Hops hops, Version from, Version to) {
      PlannedRun planned = new PlannedRun();
      planned.setType(hops.type());
      planned.setFrom(from.toString());
      planned.setTo(to.toString());
      planned.setPlan(hops.asStrings());
      return planned;
    }

    private void startRun(VersionPath.Hops hops, Version current, Version target) {
      RunStatus run = newRun(hops.type(), current.toString(), target.toString());
      run.setPlan(hops.asStrings());
      StepStatus preflight = new StepStatus(StepName.Preflight, target.toString(), null);
      preflight.setState(StepState.Succeeded);
      preflight.setStartedAt(now.toString());
      preflight.setFinishedAt(now.toString());
      preflight.setReason("PathAllowed");
      preflight.setMessage(
          "Deployment "
              + spec.getDeployment()
              + ", container "
              + broker.name()
              + "; path "
              + current
              + " → "
              + String.join(" → ", hops.asStrings()));
      run.getSteps().add(preflight);
      String repository = repository();
      if (hops.type() == RunType.Upgrade) {
        String before = current.toString();
        for (String hop : hops.asStrings()) {
          run.getSteps()
              .add(new StepStatus(StepName.RecordDatabaseVersion, hop, image(repository, before)));
          run.getSteps().add(new StepStatus(StepName.SchemaMigration, hop, image(repository, hop)));
          run.getSteps().add(new StepStatus(StepName.Rollout, hop, image(repository, hop)));
          run.getSteps().add(new StepStatus(StepName.DataMigration, hop, image(repository, hop)));
          before = hop;
        }
      } else {
        addRollbackSteps(run, repository, target.toString(), current.toString());
      }
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
    }

    private RunStatus newRun(RunType type, String from, String to) {
      RunStatus run = new RunStatus();
      run.setId(nextRunId());
      run.setType(type);
      run.setTrigger(triggerOf(upgrade));
      run.setFrom(from);
      run.setTo(to);
      run.setStartedAt(now.toString());
      return run;
    }

    /**
     * Rollback, as PactFlow documents it: find the older image's newest migration, migrate down,
     * roll out.
     */
    private void addRollbackSteps(
        RunStatus run, String repository, String olderVersion, String migrationsOwner) {
      run.getSteps()
          .add(
              new StepStatus(
                  StepName.FindMigrationTarget, olderVersion, image(repository, olderVersion)));
      run.getSteps()
          .add(
              new StepStatus(
                  StepName.MigrateDown, olderVersion, image(repository, migrationsOwner)));
      run.getSteps()
          .add(new StepStatus(StepName.Rollout, olderVersion, image(repository, olderVersion)));
    }

    private String nextRunId() {
      int highest = 0;
      List<String> ids = new ArrayList<>();
      if (status.getRun() != null) {
        ids.add(status.getRun().getId());
      }
      status.getHistory().forEach(summary -> ids.add(summary.getId()));
      for (String id : ids) {
        if (id != null && id.matches("r[0-9]+")) {
          highest = Math.max(highest, Integer.parseInt(id.substring(1)));
        }
      }
      return "r" + (highest + 1);
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
     * onFailure: Rollback. Only when the failed run may have changed the database: a run that failed before any
     * schema migration ran (for instance its migration image could not be pulled) left nothing to undo.
     */
    private void startAutomaticRollback(RunStatus failed, StepStatus failedStep) {
      if (spec.getOnFailure() != FailurePolicy.Rollback || failed.getType() != RunType.Upgrade) {
        return;
      }
      Optional<StepStatus> newestMigration =
          failed.getSteps().stream()
              .filter(step -> step.getName() == StepName.SchemaMigration)
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
                    + " failed before any schema"
                    + " migration ran; nothing to roll back"));
        return;
      }
      RunStatus rollback = newRun(RunType.Rollback, broker.tag(), failed.getFrom());
      rollback.setAutomatic(true);
      rollback.setTrigger(failed.getTrigger());
      rollback.setPlan(List.of(failed.getFrom()));
      rollback.setDatabaseVersionBefore(failed.getDatabaseVersionBefore());
      addRollbackSteps(rollback, repository(), failed.getFrom(), newestMigration.get().getHop());
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

    private Progress advanceJobStep(RunStatus run, int index, StepStatus step) {
      String jobName =
          dev.brokerops.upgrade.jobs.JobNames.forStep(
              upgrade.getMetadata().getName(), run.getId(), index, step.getName());
      Optional<Job> job =
          observed.jobs().stream()
              .filter(candidate -> jobName.equals(candidate.getMetadata().getName()))
              .findFirst();
      if (step.getState() == StepState.Pending) {
        Optional<Job> busy =
            observed.jobs().stream()
                .filter(candidate -> !jobName.equals(candidate.getMetadata().getName()))
                .filter(
                    candidate -> JobOutcome.of(candidate, List.of()) instanceof JobOutcome.Running)
                .findFirst();
        if (busy.isPresent()) {
          // At most one migration Job at a time for one Deployment.
          status.setStep(step.getName().name());
          return Progress.WAIT;
        }
        step.setState(StepState.Running);
        step.setJob(jobName);
        step.setStartedAt(now.toString());
        notices.add(
            Notice.normal(
                "StepStarted",
                stepLabel(run, step) + " started: Job " + jobName + " runs " + step.getImage()));
        if (job.isPresent()) {
          return Progress.CONTINUE;
        }
        pendingAction = new Action.CreateJob(buildJob(run, index, step));
        return Progress.WAIT;
      }
      if (job.isEmpty()) {
        // Created but not yet in the cache, or deleted by hand: creating again is safe, the name is
        // fixed.
        pendingAction = new Action.CreateJob(buildJob(run, index, step));
        return Progress.WAIT;
      }
      JobOutcome outcome = JobOutcome.of(job.get(), podsOf(jobName));
      if (outcome instanceof JobOutcome.Succeeded succeeded) {
        boolean needsOutput =
            step.getName() == StepName.RecordDatabaseVersion
                || step.getName() == StepName.FindMigrationTarget;
        if (needsOutput && succeeded.output().isEmpty()) {
          return Progress.WAIT; // the pod's final state arrives on its own event
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
          return Progress.CONTINUE;
        }
        completeStep(run, step, "Complete", output, summary(step, output));
        if (step.getName() == StepName.RecordDatabaseVersion
            && run.getDatabaseVersionBefore() == null) {
          run.setDatabaseVersionBefore(output);
        }
        return Progress.CONTINUE;
      }
      if (outcome instanceof JobOutcome.Failed failed) {
        failStep(run, step, "JobFailed", "Job " + jobName + " failed: " + failed.message());
        return Progress.CONTINUE;
      }
      if (outcome instanceof JobOutcome.Stuck stuck) {
        failStep(
            run,
            step,
            stuck.reason(),
            "Job " + jobName + " deleted: " + MessageRedactor.redact(stuck.message()));
        pendingAction = new Action.DeleteJob(jobName);
        return Progress.CONTINUE;
      }
      status.setStep(step.getName().name());
      return Progress.WAIT;
    }

    private Job buildJob(RunStatus run, int index, StepStatus step) {
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
      return JobSpecFactory.build(
          upgrade,
          deployment,
          broker,
          new JobRequest(
              run.getId(), index, step.getName(), step.getHop(), step.getImage(), command, env));
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

    private Progress advanceRollout(RunStatus run, StepStatus step) {
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
        pendingAction =
            new Action.RolloutDeployment(
                spec.getDeployment(), broker.name(), step.getImage(), autoMigrateEnv, "false");
        return Progress.WAIT;
      }
      RolloutProgress progress =
          RolloutProgress.of(deployment, observed.replicaSets(), observed.deploymentPods());
      if (progress.done()) {
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
                + progress.summary());
        return Progress.CONTINUE;
      }
      if (progress.deadlineExceeded()) {
        failStep(
            run,
            step,
            "ProgressDeadlineExceeded",
            "Deployment "
                + spec.getDeployment()
                + " exceeded its progress deadline: "
                + progress.summary());
        return Progress.CONTINUE;
      }
      Duration timeout = Duration.ofSeconds(spec.getRollout().getTimeoutSeconds());
      Duration elapsed = Duration.between(Instant.parse(step.getStartedAt()), now);
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
                + progress.summary());
        return Progress.CONTINUE;
      }
      // The only timer: nothing in the cluster announces that a timeout passed.
      recheckAfter = timeout.minus(elapsed);
      status.setStep(step.getName().name());
      return Progress.WAIT;
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

    private String failureSummary(RunStatus run) {
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

    // ---- Phase and conditions ----

    private Action block(String reason, String message) {
      blocked = true;
      degradedReason = reason;
      degradedMessage = message;
      return Action.NOTHING;
    }

    private void settleAfterFailure(RunStatus last) {
      if (last.startedAutomatically() && last.getResult() == RunResult.Succeeded) {
        settledPhase = Phase.RolledBack;
        degradedReason = "RolledBack";
        RunSummary failed =
            status.getHistory().stream()
                .filter(
                    summary ->
                        summary.getType() == RunType.Upgrade
                            && summary.getResult() == RunResult.Failed)
                .findFirst()
                .orElse(null);
        degradedMessage =
            "the upgrade"
                + (failed == null ? "" : " " + failed.getId() + " to " + failed.getTo())
                + " failed and was rolled back to "
                + last.getTo();
      } else {
        settledPhase = Phase.Failed;
        degradedReason = last.startedAutomatically() ? "RollbackFailed" : "StepFailed";
        degradedMessage = "run " + last.getId() + " failed at " + failureSummary(last);
      }
    }

    private void settle() {
      RunStatus run = status.getRun();
      boolean inFlight = run != null && run.inFlight();
      Phase phase = blocked ? Phase.Blocked : inFlight ? Phase.Running : settledPhase;
      status.setPhase(phase);
      status.setStep(
          inFlight ? run.currentStep().map(step -> step.getName().name()).orElse(null) : null);
      boolean atTarget = Objects.equals(status.getCurrentVersion(), spec.getVersion());

      List<Condition> conditions = status.getConditions();
      // A failed data migration can leave the target version running on unmigrated rows: not Ready.
      boolean ready =
          !inFlight
              && atTarget
              && phase != Phase.Blocked
              && phase != Phase.Failed
              && phase != Phase.RolledBack;
      conditions =
          StatusConditions.set(
              conditions,
              StatusConditions.condition(
                  StatusConditions.READY,
                  ready,
                  ready
                      ? "AtTargetVersion"
                      : inFlight
                          ? "RunInProgress"
                          : degradedReason != null ? degradedReason : "NotAtTargetVersion",
                  ready
                      ? "Deployment " + spec.getDeployment() + " runs " + spec.getVersion()
                      : "Deployment "
                          + spec.getDeployment()
                          + " runs "
                          + status.getCurrentVersion()
                          + ", target is "
                          + spec.getVersion()
                          + (phase == Phase.Blocked ? "" : " (phase " + phase + ")"),
                  generation),
              now);
      boolean progressing = inFlight && !blocked;
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
                          + nextRunNote()
                      : "no run in progress" + nextRunNote(),
                  generation),
              now);
      boolean degraded = blocked || phase == Phase.Failed || phase == Phase.RolledBack;
      conditions =
          StatusConditions.set(
              conditions,
              StatusConditions.condition(
                  StatusConditions.DEGRADED,
                  degraded,
                  degraded ? degradedReason : "AsExpected",
                  degraded ? degradedMessage : "",
                  generation),
              now);
      status.setConditions(conditions);

      if (blocked) {
        Optional<Condition> before =
            StatusConditions.find(previous.getConditions(), StatusConditions.DEGRADED);
        boolean news =
            before.isEmpty()
                || !"True".equals(before.get().getStatus())
                || !Objects.equals(before.get().getReason(), degradedReason)
                || !Objects.equals(before.get().getMessage(), degradedMessage);
        if (news) {
          notices.add(Notice.warning(degradedReason, degradedMessage));
        }
      }
    }

    private String nextRunNote() {
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

    private String repository() {
      return spec.getImage() == null || spec.getImage().isBlank()
          ? broker.repository()
          : spec.getImage();
    }

    private static String image(String repository, String tag) {
      return repository + ":" + tag;
    }
  }
}
