package dev.brokerops.upgrade.plan;

import dev.brokerops.upgrade.api.BrokerUpgrade;
import dev.brokerops.upgrade.api.BrokerUpgradeSpec;
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
    last = StepPlanner.plan(observation());
    upgrade.setStatus(last.status());
    if (last.action() instanceof Action.CreateJob create) {
      if (jobs.stream()
          .noneMatch(
              job -> job.getMetadata().getName().equals(create.job().getMetadata().getName()))) {
        jobs.add(create.job());
      }
    } else if (last.action() instanceof Action.DeleteJob delete) {
      jobs.removeIf(job -> job.getMetadata().getName().equals(delete.name()));
      jobPods.removeIf(
          pod -> pod.getMetadata().getOwnerReferences().get(0).getName().equals(delete.name()));
    } else if (last.action() instanceof Action.RolloutDeployment rollout) {
      var container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
      container.setImage(rollout.image());
      List<EnvVar> env = new ArrayList<>(container.getEnv());
      env.removeIf(variable -> variable.getName().equals(rollout.envName()));
      env.add(new EnvVar(rollout.envName(), rollout.envValue(), null));
      container.setEnv(env);
      deployment.getMetadata().setGeneration(deployment.getMetadata().getGeneration() + 1);
    }
    return last;
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
    Job job = job(stepSuffix);
    jobPods.add(
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
    Job job = job(stepSuffix);
    jobPods.add(
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
    Job job = job(stepSuffix);
    jobPods.add(
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
      deploymentPods.add(
          new PodBuilder()
              .withNewMetadata()
              .withName("pactflow-rs" + revision + "-" + i)
              .withNamespace(NAMESPACE)
              .withOwnerReferences(
                  new OwnerReferenceBuilder()
                      .withKind("ReplicaSet")
                      .withName("pactflow-rs" + revision)
                      .build())
              .endMetadata()
              .build());
    }
    for (int i = 0; i < oldPodsLeft; i++) {
      deploymentPods.add(
          new PodBuilder()
              .withNewMetadata()
              .withName("old-" + i)
              .withNamespace(NAMESPACE)
              .withDeletionTimestamp(now.toString())
              .withOwnerReferences(
                  new OwnerReferenceBuilder()
                      .withKind("ReplicaSet")
                      .withName("pactflow-rs" + (revision - 1))
                      .build())
              .endMetadata()
              .build());
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
      deploymentPods.add(
          new PodBuilder()
              .withNewMetadata()
              .withName("pactflow-rs" + revision + "-" + i)
              .withNamespace(NAMESPACE)
              .withOwnerReferences(
                  new OwnerReferenceBuilder()
                      .withKind("ReplicaSet")
                      .withName("pactflow-rs" + revision)
                      .build())
              .endMetadata()
              .build());
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
    String image = deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    boolean templateChanged =
        replicaSets.isEmpty()
            || !image.equals(
                replicaSets
                    .get(replicaSets.size() - 1)
                    .getSpec()
                    .getTemplate()
                    .getSpec()
                    .getContainers()
                    .get(0)
                    .getImage());
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

  void advanceClock(Duration duration) {
    now = now.plus(duration);
  }
}
