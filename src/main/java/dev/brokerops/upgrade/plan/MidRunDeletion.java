package dev.brokerops.upgrade.plan;

import dev.brokerops.upgrade.api.BrokerUpgrade;
import dev.brokerops.upgrade.api.RunStatus;
import dev.brokerops.upgrade.api.RunType;
import dev.brokerops.upgrade.api.StepName;
import dev.brokerops.upgrade.api.StepState;
import dev.brokerops.upgrade.api.StepStatus;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What deleting a BrokerUpgrade does to its Jobs, and the words that say what it left behind.
 *
 * <p>A migration killed halfway leaves the database between two schemas, so a running Job is
 * orphaned (its owner reference removed, so no garbage collection reaches it) and the BrokerUpgrade
 * keeps its finalizer until the Job has finished; then that Job is deleted, because a BrokerUpgrade
 * created again under the same name makes Jobs of the same names and must not mistake it for its
 * own. Finished Jobs it still owns are left to the garbage collector. No step runs after the
 * deletion; the Deployment is left as it is.
 */
public final class MidRunDeletion {

  /** Names the deleted BrokerUpgrade on a Job it orphaned, so the Job still maps back to it. */
  public static final String ORPHANED_FROM_ANNOTATION = BrokerUpgrade.GROUP + "/deleted-upgrade";

  public static final String DELETED_MID_RUN = "DeletedMidRun";
  public static final String FINISHED_AFTER_DELETION = "JobFinishedAfterDeletion";

  /**
   * @param orphan running Jobs the BrokerUpgrade still owns: remove the owner reference
   * @param delete Jobs orphaned earlier that have finished: delete before letting go
   * @param keepFinalizer a Job still runs; the next Job event brings the next look
   */
  public record Cleanup(
      List<Job> orphan, List<Job> delete, boolean keepFinalizer, List<Notice> notices) {}

  private MidRunDeletion() {}

  /**
   * @param jobs the Jobs labelled with this BrokerUpgrade's name, as the API server has them now
   * @param pods the pods of those Jobs
   */
  public static Cleanup plan(
      BrokerUpgrade upgrade, Optional<Deployment> deployment, List<Job> jobs, List<Pod> pods) {
    String name = upgrade.getMetadata().getName();
    Map<String, JobOutcome> outcomes = new java.util.LinkedHashMap<>();
    List<Job> orphan = new ArrayList<>();
    List<Job> finishedOrphans = new ArrayList<>();
    List<Job> interrupted = new ArrayList<>();
    boolean running = false;
    for (Job job : jobs) {
      boolean owned = JobOwnership.ownedBy(job, upgrade);
      boolean orphanedByUs = name.equals(annotation(job));
      if (!owned && !orphanedByUs) {
        continue; // a Job of an earlier BrokerUpgrade of that name, on its way out
      }
      JobOutcome outcome = JobOutcome.of(job, JobOutcome.podsOf(job.getMetadata().getName(), pods));
      outcomes.put(job.getMetadata().getName(), outcome);
      // A pod that cannot start (a bad image) runs no migration: nothing to protect.
      boolean migrating = outcome instanceof JobOutcome.Running;
      if (migrating && job.getMetadata().getDeletionTimestamp() != null) {
        // Deleted before the operator could orphan it: with foreground propagation the garbage
        // collector acts on the same deletion at the same moment. Too late to protect; say so.
        interrupted.add(job);
        continue;
      }
      running |= migrating;
      if (migrating && owned) {
        orphan.add(job);
      } else if (!migrating && orphanedByUs) {
        finishedOrphans.add(job);
      }
    }
    List<Notice> notices = new ArrayList<>();
    Report report = new Report(upgrade, deployment, outcomes, interrupted);
    if (!orphan.isEmpty()) {
      notices.add(Notice.warning(DELETED_MID_RUN, report.whileWaiting()));
    } else if (!running && !finishedOrphans.isEmpty()) {
      boolean allSucceeded =
          finishedOrphans.stream()
              .allMatch(
                  job -> outcomes.get(job.getMetadata().getName()) instanceof JobOutcome.Succeeded);
      String message = report.afterWaiting(finishedOrphans);
      notices.add(
          allSucceeded
              ? Notice.normal(FINISHED_AFTER_DELETION, message)
              : Notice.warning(FINISHED_AFTER_DELETION, message));
    } else if (!running && (report.runInFlight() || !interrupted.isEmpty())) {
      notices.add(Notice.warning(DELETED_MID_RUN, report.immediately()));
    }
    return new Cleanup(
        List.copyOf(orphan),
        running ? List.of() : List.copyOf(finishedOrphans),
        running,
        List.copyOf(notices));
  }

  /** The BrokerUpgrade a Job belongs to: its owner, or the one that orphaned it when deleted. */
  public static List<String> upgradeNames(Job job) {
    List<String> names = new ArrayList<>();
    owners(job).stream()
        .filter(owner -> BrokerUpgrade.class.getSimpleName().equals(owner.getKind()))
        .map(OwnerReference::getName)
        .forEach(names::add);
    Optional.ofNullable(annotation(job)).filter(n -> !names.contains(n)).ifPresent(names::add);
    return names;
  }

  private static String annotation(Job job) {
    return job.getMetadata().getAnnotations() == null
        ? null
        : job.getMetadata().getAnnotations().get(ORPHANED_FROM_ANNOTATION);
  }

  private static List<OwnerReference> owners(Job job) {
    return Optional.ofNullable(job.getMetadata().getOwnerReferences()).orElse(List.of());
  }

  /** Says what state the deletion left, from status corrected by what the Jobs show now. */
  private static final class Report {
    private final BrokerUpgrade upgrade;
    private final RunStatus run;
    private final Optional<String> deploymentVersion;
    private final Map<String, JobOutcome> outcomes;
    private final List<Job> interrupted;

    Report(
        BrokerUpgrade upgrade,
        Optional<Deployment> deployment,
        Map<String, JobOutcome> outcomes,
        List<Job> interrupted) {
      this.interrupted = interrupted;
      this.upgrade = upgrade;
      this.run = upgrade.getStatus() == null ? null : upgrade.getStatus().getRun();
      this.deploymentVersion =
          deployment.flatMap(
              d ->
                  BrokerContainer.find(d, upgrade.getSpec().getContainer())
                          instanceof BrokerContainer.Lookup.Found found
                      ? Optional.of(found.container().tag())
                      : Optional.empty());
      this.outcomes = outcomes;
    }

    boolean runInFlight() {
      return run != null && run.inFlight();
    }

    String whileWaiting() {
      return head()
          + " "
          + steps()
          + " The running Job is left to finish (not killed) and the BrokerUpgrade is removed once"
          + " it has; no further step runs. "
          + deploymentAndNextStep();
    }

    String immediately() {
      if (interrupted.isEmpty()) {
        return head() + " " + steps() + " No Job was running. " + deploymentAndNextStep();
      }
      String names =
          interrupted.stream()
              .map(job -> job.getMetadata().getName())
              .collect(Collectors.joining(", "));
      return head()
          + " "
          + steps()
          + " Job "
          + names
          + " was already being deleted (the deletion propagated in the foreground and reached it"
          + " first): its migration was interrupted; check the database with db-version before"
          + " continuing. "
          + deploymentAndNextStep();
    }

    String afterWaiting(List<Job> finished) {
      String jobs =
          finished.stream()
              .map(job -> "Job " + job.getMetadata().getName() + " " + ended(job))
              .collect(Collectors.joining("; "));
      return jobs
          + " after BrokerUpgrade "
          + upgrade.getMetadata().getName()
          + " was deleted; both are removed now. "
          + (run == null ? "" : steps() + " ")
          + deploymentAndNextStep();
    }

    private String ended(Job job) {
      JobOutcome outcome = outcomes.get(job.getMetadata().getName());
      if (outcome instanceof JobOutcome.Succeeded) {
        return "completed";
      }
      if (outcome instanceof JobOutcome.Failed failed) {
        return "failed (" + failed.message() + ")";
      }
      if (outcome instanceof JobOutcome.Stuck stuck) {
        return "could not start (" + MessageRedactor.redact(stuck.message()) + ")";
      }
      return "ended";
    }

    private String head() {
      String base = "BrokerUpgrade " + upgrade.getMetadata().getName() + " deleted";
      return run == null
          ? base + "."
          : base
              + " during run "
              + run.getId()
              + " ("
              + run.getType()
              + " "
              + run.getFrom()
              + " → "
              + String.join(" → ", run.getPlan())
              + ").";
    }

    /** Each step as the Jobs show it now: status may not have caught up with a Job's end. */
    private String steps() {
      if (run == null) {
        return "";
      }
      Map<String, List<String>> byState = new java.util.LinkedHashMap<>();
      for (String state : List.of("Completed", "Failed", "Running", "Not run")) {
        byState.put(state, new ArrayList<>());
      }
      for (StepStatus step : run.getSteps()) {
        String label = step.getName() + " (" + step.getHop() + ")";
        String state = stateNow(step);
        byState
            .get(state)
            .add(
                state.equals("Running") && step.getJob() != null
                    ? label + ", Job " + step.getJob()
                    : label);
      }
      return byState.entrySet().stream()
          .filter(entry -> !entry.getValue().isEmpty())
          .map(entry -> entry.getKey() + ": " + String.join(", ", entry.getValue()) + ".")
          .collect(Collectors.joining(" "));
    }

    private String stateNow(StepStatus step) {
      Function<StepState, String> words =
          state ->
              switch (state) {
                case Succeeded -> "Completed";
                case Failed -> "Failed";
                case Running -> "Running";
                case Pending -> "Not run";
              };
      if (step.getState() == StepState.Running && step.getJob() != null) {
        JobOutcome outcome = outcomes.get(step.getJob());
        if (outcome instanceof JobOutcome.Succeeded) {
          return "Completed";
        }
        if (outcome instanceof JobOutcome.Failed || outcome instanceof JobOutcome.Stuck) {
          return "Failed";
        }
      }
      return words.apply(step.getState());
    }

    private String deploymentAndNextStep() {
      String deploymentName = upgrade.getSpec().getDeployment();
      String runs =
          deploymentVersion
                  .map(version -> "Deployment " + deploymentName + " runs " + version)
                  .orElse("Deployment " + deploymentName + " was not found")
              + " and is left as it is.";
      String next =
          " To continue, create the BrokerUpgrade again with the same spec: it plans from the"
              + " version the Deployment runs.";
      return runs + next + dataMigrationGap().orElse("");
    }

    /**
     * The Deployment already at the run's target, but that hop's final data migration never ran:
     * worth saying, since rows stay unmigrated until a BrokerUpgrade runs it.
     */
    private Optional<String> dataMigrationGap() {
      if (run == null
          || run.getType() != RunType.Upgrade
          || deploymentVersion.isEmpty()
          || !deploymentVersion.get().equals(run.getTo())) {
        return Optional.empty();
      }
      Optional<StepStatus> lastData =
          run.getSteps().stream()
              .filter(step -> step.getName() == StepName.DataMigration)
              .filter(step -> run.getTo().equals(step.getHop()))
              .findFirst();
      if (lastData.isEmpty() || stateNow(lastData.get()).equals("Completed")) {
        return Optional.empty();
      }
      return Optional.of(
          " But its final DataMigration did not run: rows old pods wrote during the rollout stay"
              + " unmigrated until it does. A BrokerUpgrade created again runs it before it is Ready"
              + " (it finds "
              + run.getTo()
              + " with auto-migrate off and no record of a data migration there); or run the"
              + " image's db-migrate once ("
              + lastData.get().getImage()
              + ", a Job from the Deployment's pod template).");
    }
  }
}
