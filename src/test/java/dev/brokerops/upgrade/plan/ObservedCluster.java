package dev.brokerops.upgrade.plan;

import dev.brokerops.upgrade.api.BrokerUpgrade;
import dev.brokerops.upgrade.api.BrokerUpgradeSpec;
import dev.brokerops.upgrade.api.StepName;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A pretend cluster for planner tests: it holds what the informers would show and applies the
 * planner's actions the way the API server and the real controllers would, minus time.
 */
final class ObservedCluster {

  static final String NAMESPACE = "broker";
  static final String REPOSITORY = "quay.io/pactflow/enterprise";

  final BrokerUpgrade upgrade;
  Deployment deployment;
  final List<BrokerUpgrade> others = new ArrayList<>();
  final List<Job> jobs = new ArrayList<>();
  final List<Pod> jobPods = new ArrayList<>();
  final List<ReplicaSet> replicaSets = new ArrayList<>();
  final List<Pod> deploymentPods = new ArrayList<>();
  Instant now = Instant.parse("2026-01-01T10:00:00Z");
  ImagePolicy imagePolicy = ImagePolicy.DEPLOYMENTS_OWN_REPOSITORY;
  Decision last;
  private int revision;

  private ObservedCluster(String running, String target) {
    upgrade = brokerUpgrade("pactflow", "2026-01-01T09:00:00Z", target);
    deployment =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName("pactflow")
            .withNamespace(NAMESPACE)
            .withUid("deploy-uid")
            .withGeneration(1L)
            .endMetadata()
            .withNewSpec()
            .withReplicas(3)
            .withNewTemplate()
            .withNewSpec()
            .addNewContainer()
            .withName("broker")
            .withImage(REPOSITORY + ":" + running)
            .withEnv(
                new EnvVarBuilder()
                    .withName("PACTFLOW_DATABASE_URL")
                    .withNewValueFrom()
                    .withNewSecretKeyRef("url", "pactflow-db", false)
                    .endValueFrom()
                    .build())
            .withNewReadinessProbe()
            .withNewHttpGet()
            .withPath("/diagnostic/status/heartbeat")
            .withPort(new io.fabric8.kubernetes.api.model.IntOrString(9292))
            .endHttpGet()
            .endReadinessProbe()
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    settleRollout();
  }

  /** The image the Deployment's template names for the broker container. */
  String templateImage() {
    return deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }

  /**
   * An upgrade 2.3.0 → 2.4.1 brought to this step: its Job just created and running, or for
   * Rollout, the Deployment just patched; DataMigration's Job comes after a settled rollout.
   */
  static ObservedCluster upgradingAt(StepName step) {
    ObservedCluster cluster = running("2.3.0", "2.4.1");
    cluster.reconcile();
    if (step == StepName.RecordDatabaseVersion) {
      return cluster;
    }
    cluster.completeJob("dbversion", "20240101");
    cluster.reconcile();
    if (step == StepName.SchemaMigration) {
      return cluster;
    }
    cluster.completeJob("schema", "");
    cluster.reconcile();
    if (step == StepName.Rollout) {
      return cluster;
    }
    cluster.settleRollout();
    cluster.reconcile();
    return cluster;
  }

  static ObservedCluster running(String running, String target) {
    return new ObservedCluster(running, target);
  }

  static BrokerUpgrade brokerUpgrade(String name, String created, String version) {
    BrokerUpgrade upgrade = new BrokerUpgrade();
    upgrade.setMetadata(
        new ObjectMetaBuilder()
            .withName(name)
            .withNamespace(NAMESPACE)
            .withUid(name + "-uid")
            .withGeneration(1L)
            .withCreationTimestamp(created)
            .build());
    BrokerUpgradeSpec spec = new BrokerUpgradeSpec();
    spec.setDeployment("pactflow");
    spec.setVersion(version);
    upgrade.setSpec(spec);
    return upgrade;
  }

  ObservedCluster with(Consumer<BrokerUpgradeSpec> change) {
    change.accept(upgrade.getSpec());
    return this;
  }

  /** An edit of the spec, as the API server records it. */
  ObservedCluster edit(Consumer<BrokerUpgradeSpec> change) {
    change.accept(upgrade.getSpec());
    upgrade.getMetadata().setGeneration(upgrade.getMetadata().getGeneration() + 1);
    return this;
  }

  Observation observation() {
    List<BrokerUpgrade> claimants = new ArrayList<>(others);
    claimants.add(upgrade);
    return new Observation(
        upgrade,
        Optional.ofNullable(deployment),
        claimants,
        List.copyOf(jobs),
        List.copyOf(jobPods),
        List.copyOf(replicaSets),
        List.copyOf(deploymentPods),
        now);
  }

  /**
   * Plans, records the status as the reconciler would, and applies the action to this pretend
   * cluster.
   */
  Decision reconcile() {
    Decision decision = plan();
    upgrade.setStatus(decision.status());
    apply(decision.action());
    return decision;
  }

  /** One planner pass over what the cluster shows now; nothing is recorded or applied yet. */
  Decision plan() {
    last = StepPlanner.plan(observation(), imagePolicy);
    return last;
  }

  /** Carries out an action as the API server and the controllers would. */
  void apply(Action action) {
    if (action instanceof Action.CreateJob create) {
      if (jobs.stream()
          .noneMatch(
              job -> job.getMetadata().getName().equals(create.job().getMetadata().getName()))) {
        jobs.add(create.job());
      }
    } else if (action instanceof Action.DeleteJob delete) {
      removeJob(delete.name());
    } else if (action instanceof Action.RolloutDeployment rollout) {
      var container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
      container.setImage(rollout.image());
      List<EnvVar> env = new ArrayList<>(container.getEnv());
      env.removeIf(variable -> variable.getName().equals(rollout.envName()));
      env.add(new EnvVar(rollout.envName(), rollout.envValue(), null));
      container.setEnv(env);
      deployment.getMetadata().setGeneration(deployment.getMetadata().getGeneration() + 1);
    }
  }

  /** Reconciles until the planner asks for nothing or waits, at most a few times. */
  Decision reconcileUntilQuiet() {
    for (int i = 0; i < 10; i++) {
      Decision decision = reconcile();
      if (decision.action() instanceof Action.Nothing) {
        return decision;
      }
    }
    throw new AssertionError("planner kept acting");
  }

  Job job(String stepSuffix) {
    return jobs.stream()
        .filter(job -> job.getMetadata().getName().endsWith(stepSuffix))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("no Job ending in " + stepSuffix + " among " + jobNames()));
  }

  List<String> jobNames() {
    return jobs.stream().map(job -> job.getMetadata().getName()).toList();
  }

  /**
   * The Job's pod exits 0 with this termination message, and the Job controller marks it Complete.
   */
  void completeJob(String stepSuffix, String output) {
    completeJob(job(stepSuffix), output);
  }

  void completeJob(Job job, String output) {
    addJobPod(
        jobPod(
            job,
            new ContainerStatusBuilder()
                .withName("migration")
                .withNewState()
                .withNewTerminated()
                .withExitCode(0)
                .withMessage(output)
                .withReason("Completed")
                .endTerminated()
                .endState()
                .build()));
    markJob(job, "Complete", "Completed", null);
  }

  void failJob(String stepSuffix, int exitCode, String message) {
    failJob(job(stepSuffix), exitCode, message);
  }

  void failJob(Job job, int exitCode, String message) {
    addJobPod(
        jobPod(
            job,
            new ContainerStatusBuilder()
                .withName("migration")
                .withNewState()
                .withNewTerminated()
                .withExitCode(exitCode)
                .withMessage(message)
                .withReason("Error")
                .endTerminated()
                .endState()
                .build()));
    markJob(job, "Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit");
  }

  void podWaiting(String stepSuffix, String reason) {
    podWaiting(job(stepSuffix), reason);
  }

  void podWaiting(Job job, String reason) {
    addJobPod(
        jobPod(
            job,
            new ContainerStatusBuilder()
                .withName("migration")
                .withNewState()
                .withNewWaiting()
                .withReason(reason)
                .withMessage(
                    "image "
                        + job.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()
                        + " cannot be used")
                .endWaiting()
                .endState()
                .build()));
  }

  /** The Job's one pod changes state: the kubelet updates it, it is not a second pod. */
  private void addJobPod(Pod pod) {
    jobPods.removeIf(other -> other.getMetadata().getName().equals(pod.getMetadata().getName()));
    jobPods.add(pod);
  }

  /** The Job is deleted (by hand, by its TTL, or on request) and its pods with it. */
  void removeJob(String name) {
    jobs.removeIf(job -> job.getMetadata().getName().equals(name));
    removeJobPods(name);
  }

  /** The Job's pods are gone (garbage-collected, or evicted) while the Job itself remains. */
  void removeJobPods(String jobName) {
    jobPods.removeIf(
        pod -> pod.getMetadata().getOwnerReferences().get(0).getName().equals(jobName));
  }

  /** Jobs whose controller has not marked them Complete or Failed: their pods may still run. */
  List<Job> unfinishedJobs() {
    return jobs.stream().filter(job -> !finished(job)).toList();
  }

  static boolean finished(Job job) {
    return job.getStatus() != null
        && job.getStatus().getConditions() != null
        && job.getStatus().getConditions().stream()
            .anyMatch(
                condition ->
                    ("Complete".equals(condition.getType()) || "Failed".equals(condition.getType()))
                        && "True".equals(condition.getStatus()));
  }

  private Pod jobPod(Job job, io.fabric8.kubernetes.api.model.ContainerStatus containerStatus) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(job.getMetadata().getName() + "-x7k2p")
        .withNamespace(NAMESPACE)
        .withCreationTimestamp(now.toString())
        .withOwnerReferences(
            new OwnerReferenceBuilder()
                .withKind("Job")
                .withName(job.getMetadata().getName())
                .build())
        .endMetadata()
        .withNewStatus()
        .withContainerStatuses(containerStatus)
        .endStatus()
        .build();
  }

  private void markJob(Job job, String type, String reason, String message) {
    Job marked =
        new JobBuilder(job)
            .withNewStatus()
            .withConditions(
                new JobConditionBuilder()
                    .withType(type)
                    .withStatus("True")
                    .withReason(reason)
                    .withMessage(message)
                    .build())
            .endStatus()
            .build();
    jobs.set(jobs.indexOf(job), marked);
  }

  /**
   * The Deployment controller has created the ReplicaSet of the current template but old pods
   * remain, some of them terminating.
   */
  void rolloutInProgress(int oldPodsLeft) {
    newReplicaSet();
    var status = deployment.getStatus();
    status.setObservedGeneration(deployment.getMetadata().getGeneration());
    status.setUpdatedReplicas(3);
    status.setAvailableReplicas(3);
    status.setReplicas(3);
    deploymentPods.clear();
    for (int i = 0; i < 3; i++) {
      deploymentPods.add(deploymentPod("pactflow-rs" + revision + "-" + i, revision, false));
    }
    for (int i = 0; i < oldPodsLeft; i++) {
      deploymentPods.add(deploymentPod("old-" + i, revision - 1, true));
    }
  }

  /**
   * The Deployment controller has finished: every pod runs the current template, no old pod is
   * left.
   */
  void settleRollout() {
    newReplicaSet();
    deploymentPods.clear();
    for (int i = 0; i < 3; i++) {
      deploymentPods.add(deploymentPod("pactflow-rs" + revision + "-" + i, revision, false));
    }
    deployment.setStatus(
        new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder()
            .withObservedGeneration(deployment.getMetadata().getGeneration())
            .withReplicas(3)
            .withUpdatedReplicas(3)
            .withAvailableReplicas(3)
            .withReadyReplicas(3)
            .build());
  }

  private void newReplicaSet() {
    String wanted = String.valueOf(revision);
    String current =
        deployment.getMetadata().getAnnotations() == null
            ? null
            : deployment.getMetadata().getAnnotations().get("deployment.kubernetes.io/revision");
    // Any change of the pod template makes a new ReplicaSet, an env-only change included.
    boolean templateChanged = newestReplicaSetTemplate().filter(this::isTemplate).isEmpty();
    if (!templateChanged && wanted.equals(current)) {
      return;
    }
    revision++;
    deployment
        .getMetadata()
        .setAnnotations(
            new java.util.HashMap<>(
                java.util.Map.of("deployment.kubernetes.io/revision", String.valueOf(revision))));
    replicaSets.add(
        new ReplicaSetBuilder()
            .withNewMetadata()
            .withName("pactflow-rs" + revision)
            .withNamespace(NAMESPACE)
            .addToAnnotations("deployment.kubernetes.io/revision", String.valueOf(revision))
            .withOwnerReferences(
                new OwnerReferenceBuilder()
                    .withKind("Deployment")
                    .withName("pactflow")
                    .withUid("deploy-uid")
                    .build())
            .endMetadata()
            .withNewSpec()
            .withTemplate(
                new io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder(
                        deployment.getSpec().getTemplate())
                    .build())
            .endSpec()
            .build());
  }

  /**
   * The controller has seen the change and started the new ReplicaSet, but its pod is not available
   * yet: every old pod still serves.
   */
  void newPodsUnavailable() {
    newReplicaSet();
    deploymentPods.clear();
    deploymentPods.add(deploymentPod("pactflow-rs" + revision + "-0", revision, false));
    for (int i = 0; i < 3; i++) {
      deploymentPods.add(deploymentPod("old-" + i, revision - 1, false));
    }
    var status = deployment.getStatus();
    status.setObservedGeneration(deployment.getMetadata().getGeneration());
    status.setReplicas(4);
    status.setUpdatedReplicas(1);
    status.setAvailableReplicas(3);
  }

  /** The new pods did not become available in progressDeadlineSeconds; the controller says so. */
  void progressDeadlineExceeded() {
    newPodsUnavailable();
    deployment
        .getStatus()
        .setConditions(
            List.of(
                new io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder()
                    .withType("Progressing")
                    .withStatus("False")
                    .withReason("ProgressDeadlineExceeded")
                    .withLastUpdateTime(now.toString())
                    .withLastTransitionTime(now.toString())
                    .build()));
  }

  /** A pod of a rolled-out Deployment stops being available (it crashed, or its node went away). */
  void podUnavailable() {
    deployment.getStatus().setAvailableReplicas(2);
  }

  /**
   * True while the Deployment controller still has work to do for the current template: it has not
   * seen the latest generation, has no ReplicaSet for the template yet, or pods of an older
   * ReplicaSet are left.
   */
  boolean rolloutPending() {
    var status = deployment.getStatus();
    long observed =
        status == null || status.getObservedGeneration() == null
            ? -1
            : status.getObservedGeneration();
    return observed < deployment.getMetadata().getGeneration()
        || newestReplicaSetTemplate().filter(this::isTemplate).isEmpty()
        || deploymentPods.stream().anyMatch(pod -> !ownedByNewestReplicaSet(pod));
  }

  /**
   * The truth about the rollout, from this cluster's own bookkeeping: the current template runs on
   * every replica, each available, and no other pod is left.
   */
  boolean rolledOut() {
    var status = deployment.getStatus();
    int wanted = deployment.getSpec().getReplicas();
    return !rolloutPending()
        && Integer.valueOf(wanted).equals(status.getReplicas())
        && Integer.valueOf(wanted).equals(status.getUpdatedReplicas())
        && Integer.valueOf(wanted).equals(status.getAvailableReplicas())
        && deploymentPods.stream()
            .noneMatch(pod -> pod.getMetadata().getDeletionTimestamp() != null);
  }

  /** The version the Deployment's pod template names. */
  String templateTag() {
    String image = deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    return image.substring(image.lastIndexOf(':') + 1);
  }

  private Optional<io.fabric8.kubernetes.api.model.PodTemplateSpec> newestReplicaSetTemplate() {
    return replicaSets.isEmpty()
        ? Optional.empty()
        : Optional.of(replicaSets.get(replicaSets.size() - 1).getSpec().getTemplate());
  }

  private boolean isTemplate(io.fabric8.kubernetes.api.model.PodTemplateSpec template) {
    return template.equals(deployment.getSpec().getTemplate());
  }

  private boolean ownedByNewestReplicaSet(Pod pod) {
    return pod.getMetadata().getOwnerReferences().get(0).getName().equals("pactflow-rs" + revision);
  }

  private Pod deploymentPod(String name, int replicaSetRevision, boolean terminating) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(NAMESPACE)
        .withDeletionTimestamp(terminating ? now.toString() : null)
        .withOwnerReferences(
            new OwnerReferenceBuilder()
                .withKind("ReplicaSet")
                .withName("pactflow-rs" + replicaSetRevision)
                .build())
        .endMetadata()
        .build();
  }

  void advanceClock(Duration duration) {
    now = now.plus(duration);
  }
}
