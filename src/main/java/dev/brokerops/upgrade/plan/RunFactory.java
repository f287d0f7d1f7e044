package dev.brokerops.upgrade.plan;

import dev.brokerops.upgrade.api.BrokerUpgradeStatus;
import dev.brokerops.upgrade.api.RunStatus;
import dev.brokerops.upgrade.api.RunType;
import dev.brokerops.upgrade.api.StepName;
import dev.brokerops.upgrade.api.StepState;
import dev.brokerops.upgrade.api.StepStatus;
import dev.brokerops.upgrade.jobs.JobNames;
import dev.brokerops.upgrade.jobs.JobSpecFactory;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lays out new runs as PROCEDURE.md describes them: their id, their hops and each hop's steps.
 *
 * @param repository the image repository the run's images come from
 * @param trigger what started the run (see {@link StepPlanner#triggerOf})
 */
record RunFactory(String repository, String trigger, Instant now) {

  private static final Pattern RUN_NUMBER = Pattern.compile("r([0-9]+)");

  /**
   * An upgrade: per hop, record the database version, migrate the schema, roll out, migrate the
   * data. When the Deployment was left at an unfinished version, its rollout and data migration
   * come first.
   */
  RunStatus upgrade(
      String id,
      VersionPath.Hops hops,
      String current,
      String target,
      Optional<CompletionEvidence.Unfinished> completeFirst,
      StepStatus preflight) {
    String from =
        completeFirst
            .flatMap(CompletionEvidence.Unfinished::leftBy)
            .map(RunStatus::getFrom)
            .orElse(current);
    RunStatus run = newRun(id, RunType.Upgrade, from, target);
    List<String> plan = new ArrayList<>();
    run.getSteps().add(preflight);
    completeFirst.ifPresent(
        unfinished -> {
          plan.add(unfinished.version());
          run.getSteps().add(step(StepName.Rollout, unfinished.version(), unfinished.version()));
          run.getSteps()
              .add(step(StepName.DataMigration, unfinished.version(), unfinished.version()));
          unfinished
              .leftBy()
              .map(RunStatus::getDatabaseVersionBefore)
              .ifPresent(run::setDatabaseVersionBefore);
        });
    String before = current;
    for (String hop : hops.asStrings()) {
      plan.add(hop);
      run.getSteps().add(step(StepName.RecordDatabaseVersion, hop, before));
      run.getSteps().add(step(StepName.SchemaMigration, hop, hop));
      run.getSteps().add(step(StepName.Rollout, hop, hop));
      run.getSteps().add(step(StepName.DataMigration, hop, hop));
      before = hop;
    }
    run.setPlan(plan);
    return run;
  }

  /**
   * A rollback, one hop back at a time: find the older image's newest migration, roll out the older
   * image (N-1 runs on N's schema, the mixed state PactFlow supports), migrate down with the newer
   * image, verify the database version with the older one.
   */
  RunStatus rollback(
      String id, VersionPath.Hops hops, String current, String target, StepStatus preflight) {
    RunStatus run = newRun(id, RunType.Rollback, current, target);
    run.setPlan(hops.asStrings());
    run.getSteps().add(preflight);
    String newer = current;
    for (String hop : hops.asStrings()) {
      addRollbackHop(run, hop, newer);
      newer = hop;
    }
    return run;
  }

  /**
   * A rollback that failed after rolling the Deployment to {@code unfinished}'s version, run again:
   * that hop from its start (finding the target again is harmless, the rollout is done already),
   * then the hops that remain.
   */
  RunStatus resumedRollback(
      String id,
      CompletionEvidence.Unfinished unfinished,
      VersionPath.Hops remaining,
      String target,
      StepStatus preflight) {
    RunStatus failed = unfinished.leftBy().orElseThrow();
    String hop = unfinished.version();
    String newer =
        failed.getSteps().stream()
            .filter(step -> step.getName() == StepName.MigrateDown && hop.equals(step.getHop()))
            .map(step -> BrokerContainer.tagOf(step.getImage()))
            .findFirst()
            .orElse(failed.getFrom());
    RunStatus run = newRun(id, RunType.Rollback, failed.getFrom(), target);
    run.setDatabaseVersionBefore(failed.getDatabaseVersionBefore());
    List<String> plan = new ArrayList<>(List.of(hop));
    run.getSteps().add(preflight);
    addRollbackHop(run, hop, newer);
    String before = hop;
    for (String next : remaining.asStrings()) {
      plan.add(next);
      addRollbackHop(run, next, before);
      before = next;
    }
    run.setPlan(plan);
    return run;
  }

  /**
   * onFailure: Rollback, back to the version the failed upgrade came from, through the versions it
   * passed, newest first.
   *
   * @param versionsNewestFirst the newest version whose migrations the failed run may have applied,
   *     then every version before it down to the one the run came from
   */
  RunStatus automaticRollback(
      String id, RunStatus failed, String current, List<String> versionsNewestFirst) {
    RunStatus rollback = newRun(id, RunType.Rollback, current, failed.getFrom());
    rollback.setAutomatic(true);
    rollback.setTrigger(failed.getTrigger());
    rollback.setPlan(versionsNewestFirst.subList(1, versionsNewestFirst.size()));
    rollback.setDatabaseVersionBefore(failed.getDatabaseVersionBefore());
    for (int i = 1; i < versionsNewestFirst.size(); i++) {
      addRollbackHop(rollback, versionsNewestFirst.get(i), versionsNewestFirst.get(i - 1));
    }
    return rollback;
  }

  /**
   * The Preflight step of a run that passed it; the message names what makes it not zero-downtime.
   */
  StepStatus passedPreflight(String target, String summary, List<String> downtimeRisks) {
    StepStatus preflight = new StepStatus(StepName.Preflight, target, null);
    preflight.setState(StepState.Succeeded);
    preflight.setStartedAt(now.toString());
    preflight.setFinishedAt(now.toString());
    preflight.setReason(downtimeRisks.isEmpty() ? "PathAllowed" : Preflight.NOT_ZERO_DOWNTIME);
    preflight.setMessage(
        downtimeRisks.isEmpty()
            ? summary
            : summary + "; " + Preflight.DOWNTIME_NOTE + String.join("; ", downtimeRisks));
    return preflight;
  }

  /**
   * The next run id: above every run in status and every Job left by an earlier BrokerUpgrade of
   * the same name, so a re-created BrokerUpgrade never reuses the name of a Job that still exists.
   */
  static String nextRunId(BrokerUpgradeStatus status, List<Job> jobs, String upgradeName) {
    int highest = 0;
    List<String> ids = new ArrayList<>();
    if (status.getRun() != null) {
      ids.add(status.getRun().getId());
    }
    status.getHistory().forEach(summary -> ids.add(summary.getId()));
    for (Job job : jobs) {
      Map<String, String> labels = job.getMetadata().getLabels();
      if (labels != null
          && JobNames.labelValue(upgradeName).equals(labels.get(JobSpecFactory.LABEL_UPGRADE))) {
        ids.add(labels.get(JobSpecFactory.LABEL_RUN));
      }
    }
    for (String id : ids) {
      Matcher number = RUN_NUMBER.matcher(id == null ? "" : id);
      if (number.matches()) {
        highest = Math.max(highest, Integer.parseInt(number.group(1)));
      }
    }
    return "r" + (highest + 1);
  }

  private void addRollbackHop(RunStatus run, String olderVersion, String newerVersion) {
    run.getSteps().add(step(StepName.FindMigrationTarget, olderVersion, olderVersion));
    run.getSteps().add(step(StepName.Rollout, olderVersion, olderVersion));
    run.getSteps().add(step(StepName.MigrateDown, olderVersion, newerVersion));
    run.getSteps().add(step(StepName.VerifyDatabaseVersion, olderVersion, olderVersion));
  }

  private RunStatus newRun(String id, RunType type, String from, String to) {
    RunStatus run = new RunStatus();
    run.setId(id);
    run.setType(type);
    run.setTrigger(trigger);
    run.setFrom(from);
    run.setTo(to);
    run.setStartedAt(now.toString());
    return run;
  }

  private StepStatus step(StepName name, String hop, String imageTag) {
    return new StepStatus(name, hop, repository + ":" + imageTag);
  }
}
