package dev.brokerops.upgrade.reconcile;

import static dev.brokerops.upgrade.reconcile.SecondaryIndexes.BY_OWNER;
import static dev.brokerops.upgrade.reconcile.SecondaryIndexes.UPGRADES_BY_DEPLOYMENT;
import static dev.brokerops.upgrade.reconcile.SecondaryIndexes.key;

import dev.brokerops.upgrade.api.BrokerUpgrade;
import dev.brokerops.upgrade.plan.Observation;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Instant;
import java.util.List;

/**
 * Reads one Observation for the planner from the informer caches; never from the API server
 * directly.
 */
final class ClusterObserver {

  static final String PODS = "pods";
  static final String REPLICA_SETS = "replicasets";

  private ClusterObserver() {}

  @SuppressWarnings("unchecked")
  static Observation observe(BrokerUpgrade upgrade, Context<BrokerUpgrade> context, Instant now) {
    String namespace = upgrade.getMetadata().getNamespace();
    var pods =
        (InformerEventSource<Pod, BrokerUpgrade>)
            context.eventSourceRetriever().getEventSourceFor(Pod.class, PODS);
    var replicaSets =
        (InformerEventSource<ReplicaSet, BrokerUpgrade>)
            context.eventSourceRetriever().getEventSourceFor(ReplicaSet.class, REPLICA_SETS);

    List<Job> jobs = List.copyOf(context.getSecondaryResources(Job.class));
    List<Pod> jobPods =
        jobs.stream()
            .flatMap(
                job -> pods.byIndex(BY_OWNER, key(namespace, job.getMetadata().getName())).stream())
            .toList();
    var deployment = context.getSecondaryResource(Deployment.class);
    List<ReplicaSet> deploymentReplicaSets =
        deployment
            .map(d -> replicaSets.byIndex(BY_OWNER, key(namespace, d.getMetadata().getName())))
            .orElse(List.of());
    List<Pod> deploymentPods =
        deploymentReplicaSets.stream()
            .flatMap(
                rs -> pods.byIndex(BY_OWNER, key(namespace, rs.getMetadata().getName())).stream())
            .toList();
    List<BrokerUpgrade> claimants =
        context
            .getPrimaryCache()
            .byIndex(UPGRADES_BY_DEPLOYMENT, key(namespace, upgrade.getSpec().getDeployment()));
    return new Observation(
        upgrade, deployment, claimants, jobs, jobPods, deploymentReplicaSets, deploymentPods, now);
  }
}
