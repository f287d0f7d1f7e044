package dev.brokerops.upgrade.plan;

import dev.brokerops.upgrade.api.RunStatus;
import dev.brokerops.upgrade.api.StepName;
import dev.brokerops.upgrade.api.StepState;
import dev.brokerops.upgrade.api.StepStatus;
import dev.brokerops.upgrade.jobs.JobRequest;
import dev.brokerops.upgrade.jobs.JobSpecFactory;
import dev.brokerops.upgrade.jobs.StepCommands;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Moves a step that runs a Job: creates it, adopts it only when it is the step's own, waits while
 * another Job migrates the same Deployment, and reads its outcome and output.
 */
final class JobStepPlanner {

  private JobStepPlanner() {}

  static StepResult advance(PassContext pass, RunStatus run, int index, StepStatus step) {
    JobRequest request = jobRequest(pass, run, index, step);
    String jobName = request.name();
    Optional<Job> job =
        pass.observed().jobs().stream()
            .filter(candidate -> jobName.equals(candidate.getMetadata().getName()))
            .findFirst();
    if (job.isPresent()) {
      Optional<String> notOurs = JobOwnership.mismatch(job.get(), pass.upgrade(), request);
      if (notOurs.isPresent()) {
        pass.status().setStep(step.getName().name());
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
          pass.observed().jobs().stream()
              .filter(candidate -> !jobName.equals(candidate.getMetadata().getName()))
              .filter(
                  candidate ->
                      JobOwnership.migrates(candidate, pass.spec().getDeployment(), pass.upgrade()))
              .anyMatch(
                  candidate -> JobOutcome.of(candidate, List.of()) instanceof JobOutcome.Running);
      if (busy) {
        // At most one migration Job at a time for one Deployment.
        pass.status().setStep(step.getName().name());
        return StepResult.WAIT;
      }
      step.setJob(jobName);
      pass.book().started(run, step, "Job " + jobName + " runs " + step.getImage());
      if (job.isPresent()) {
        return StepResult.CONTINUE;
      }
      return StepResult.waitFor(
          new Action.CreateJob(
              JobSpecFactory.build(
                  pass.upgrade(), pass.deployment(), pass.broker().container(), request)));
    }
    if (job.isEmpty()) {
      // A step is Running only once its Job was created, and a created Job is in the cache at
      // once: it was deleted, by hand or by its TTL, before its end was seen. Its result is
      // unknown, and a migration is not run twice on a guess.
      pass.book()
          .fail(
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
    List<Pod> pods = JobOutcome.podsOf(jobName, pass.observed().jobPods());
    JobOutcome outcome = JobOutcome.of(job.get(), pods);
    if (outcome instanceof JobOutcome.Succeeded succeeded) {
      boolean needsOutput =
          step.getName() == StepName.RecordDatabaseVersion
              || step.getName() == StepName.FindMigrationTarget
              || step.getName() == StepName.VerifyDatabaseVersion;
      if (needsOutput && succeeded.output().isEmpty()) {
        if (pods.isEmpty()) {
          pass.book()
              .fail(
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
        pass.book()
            .fail(
                run,
                step,
                "NoMigrationNumber",
                "Job " + jobName + " printed \"" + output + "\", not a migration number");
        return StepResult.CONTINUE;
      }
      if (step.getName() == StepName.VerifyDatabaseVersion) {
        Optional<String> mismatch = versionMismatch(run, step, output);
        if (mismatch.isPresent()) {
          pass.book().fail(run, step, "DatabaseVersionMismatch", mismatch.get());
          return StepResult.CONTINUE;
        }
      }
      pass.book().complete(run, step, "Complete", output, summary(step, output));
      if (step.getName() == StepName.RecordDatabaseVersion
          && run.getDatabaseVersionBefore() == null) {
        run.setDatabaseVersionBefore(output);
      }
      return StepResult.CONTINUE;
    }
    if (outcome instanceof JobOutcome.Failed failed) {
      pass.book().fail(run, step, "JobFailed", "Job " + jobName + " failed: " + failed.message());
      return StepResult.CONTINUE;
    }
    if (outcome instanceof JobOutcome.Stuck stuck) {
      pass.book()
          .fail(
              run,
              step,
              stuck.reason(),
              "Job " + jobName + " deleted: " + MessageRedactor.redact(stuck.message()));
      return StepResult.failedAndThen(new Action.DeleteJob(jobName));
    }
    pass.status().setStep(step.getName().name());
    return StepResult.WAIT;
  }

  private static JobRequest jobRequest(
      PassContext pass, RunStatus run, int index, StepStatus step) {
    var procedure = pass.spec().getProcedure();
    List<String> command;
    Map<String, String> env = Map.of();
    switch (step.getName()) {
      case RecordDatabaseVersion, VerifyDatabaseVersion ->
          command = StepCommands.capturingOutput(procedure.getVersionCommand());
      case FindMigrationTarget ->
          command = StepCommands.newestMigrationNumber(procedure.getMigrationsDir());
      case MigrateDown -> {
        command = procedure.getMigrateCommand();
        env = Map.of(procedure.getMigrationTargetEnv(), migrationTarget(run, step.getHop()));
      }
      default -> command = procedure.getMigrateCommand();
    }
    return JobRequest.forStep(
        pass.upgrade().getMetadata().getName(),
        run.getId(),
        index,
        step.getName(),
        step.getHop(),
        step.getImage(),
        command,
        env);
  }

  /** The migration number this rollback hop goes down to: what its FindMigrationTarget printed. */
  private static String migrationTarget(RunStatus run, String hop) {
    return run.getSteps().stream()
        .filter(
            s ->
                s.getName() == StepName.FindMigrationTarget
                    && hop.equals(s.getHop())
                    && s.getState() == StepState.Succeeded)
        .map(StepStatus::getOutput)
        .findFirst()
        .orElseThrow(
            () -> new IllegalStateException("MigrateDown before FindMigrationTarget succeeded"));
  }

  /**
   * Why the database is not where this rollback hop should have left it: at its migration target,
   * and at the end of an automatic rollback, at the number recorded before the failed upgrade.
   */
  private static Optional<String> versionMismatch(RunStatus run, StepStatus step, String output) {
    String target = migrationTarget(run, step.getHop());
    if (!target.equals(output)) {
      return Optional.of(
          "db-version of "
              + step.getImage()
              + " printed \""
              + output
              + "\" after migrating down; expected "
              + target
              + ", the newest migration of "
              + step.getHop());
    }
    boolean lastHop = step.getHop().equals(run.getTo());
    String recorded = run.getDatabaseVersionBefore();
    if (run.startedAutomatically() && lastHop && recorded != null && !recorded.equals(output)) {
      return Optional.of(
          "database version is "
              + output
              + " after the rollback, but "
              + recorded
              + " was recorded before the failed upgrade");
    }
    return Optional.empty();
  }

  private static String summary(StepStatus step, String output) {
    return switch (step.getName()) {
      case RecordDatabaseVersion -> "database version " + output;
      case FindMigrationTarget -> "newest migration of " + step.getHop() + " is " + output;
      default -> "Job " + step.getJob() + " complete";
    };
  }
}
