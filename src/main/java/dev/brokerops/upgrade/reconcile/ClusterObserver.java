package dev.brokerops.upgrade.reconcile;

import static dev.brokerops.upgrade.reconcile.SecondaryIndexes.BY_OWNER;
import static dev.brokerops.upgrade.reconcile.SecondaryIndexes.PODS_BY_DEPLOYMENT;
import static dev.brokerops.upgrade.reconcile.SecondaryIndexes.UPGRADES_BY_DEPLOYMENT;
import static dev.brokerops.upgrade.reconcile.SecondaryIndexes.key;

import dev.brokerops.upgrade.api.BrokerUpgrade;
import dev.brokerops.upgrade.api.BrokerUpgradeStatus;
import dev.brokerops.upgrade.api.RunStatus;
import dev.brokerops.upgrade.api.StepStatus;
import dev.brokerops.upgrade.plan.Observation;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads one Observation for the planner from the informer caches; never from the API server
 * directly.
 */
final class ClusterObserver {

  static final String JOBS = "jobs";
  static final String JOB_PODS = "jobpods";
  static final String DEPLOYMENT_PODS = "deploymentpods";
  static final String REPLICA_SETS = "replicasets";

  private ClusterObserver() {}

  @SuppressWarnings("unchecked")
  static Observation observe(BrokerUpgrade upgrade, Context<BrokerUpgrade> context, Instant now) {
    String namespace = upgrade.getMetadata().getNamespace();
    var jobPodEvents =
        (InformerEventSource<Pod, BrokerUpgrade>)
            context.eventSourceRetriever().getEventSourceFor(Pod.class, JOB_PODS);
    var deploymentPodEvents =
        (InformerEventSource<Pod, BrokerUpgrade>)
            context.eventSourceRetriever().getEventSourceFor(Pod.class, DEPLOYMENT_PODS);
    var replicaSets =
        (InformerEventSource<ReplicaSet, BrokerUpgrade>)
            context.eventSourceRetriever().getEventSourceFor(ReplicaSet.class, REPLICA_SETS);

    var jobEvents =
        (InformerEventSource<Job, BrokerUpgrade>)
            context.eventSourceRetriever().getEventSourceFor(Job.class, JOBS);
    // Every migration Job in the namespace, not only this BrokerUpgrade's: a Job under a step's
    // name must be checked before it is adopted, and no two Jobs may migrate one Deployment.
    List<Job> jobs = new ArrayList<>(jobEvents.list(namespace, job -> true).toList());
    // A Job created a moment ago is in JOSDK's temporary cache before the informer lists it.
    Optional.ofNullable(upgrade.getStatus())
        .map(BrokerUpgradeStatus::getRun)
        .map(RunStatus::getSteps)
        .orElse(List.of())
        .stream()
        .map(StepStatus::getJob)
        .filter(Objects::nonNull)
        .filter(name -> jobs.stream().noneMatch(job -> job.getMetadata().getName().equals(name)))
        .forEach(name -> jobEvents.get(new ResourceID(name, namespace)).ifPresent(jobs::add));
    List<Pod> jobPods =
        jobs.stream()
            .flatMap(
                job ->
                    jobPodEvents
                        .byIndex(BY_OWNER, key(namespace, job.getMetadata().getName()))
                        .stream())
            .toList();
    var deployment = context.getSecondaryResource(Deployment.class);
    List<ReplicaSet> deploymentReplicaSets =
        deployment
            .map(d -> replicaSets.byIndex(BY_OWNER, key(namespace, d.getMetadata().getName())))
            .orElse(List.of());
    List<Pod> deploymentPods =
        deployment
            .map(
                d ->
                    deploymentPodEvents.byIndex(
                        PODS_BY_DEPLOYMENT, key(namespace, d.getMetadata().getName())))
            .orElse(List.of());
    List<BrokerUpgrade> claimants =
        context
            .getPrimaryCache()
            .byIndex(UPGRADES_BY_DEPLOYMENT, key(namespace, upgrade.getSpec().getDeployment()));
    return new Observation(
        upgrade, deployment, claimants, jobs, jobPods, deploymentReplicaSets, deploymentPods, now);
  }
}
