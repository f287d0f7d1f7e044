package dev.brokerops.upgrade.plan;

import dev.brokerops.upgrade.api.BrokerUpgrade;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Everything the planner may look at, as read from the informer caches at one moment.
 *
 * @param claimants every BrokerUpgrade in the namespace that names the same Deployment, this one
 *     included
 * @param jobs every migration Job in the namespace (the operator's label), whichever BrokerUpgrade
 *     made it: a Job under a step's name is checked before it is adopted, and no two Jobs migrate
 *     one Deployment
 * @param jobPods the pods of those Jobs
 * @param replicaSets the ReplicaSets of the Deployment
 * @param deploymentPods the pods of the Deployment, terminating ones included, also those whose
 *     ReplicaSet is already deleted
 */
public record Observation(
    BrokerUpgrade upgrade,
    Optional<Deployment> deployment,
    List<BrokerUpgrade> claimants,
    List<Job> jobs,
    List<Pod> jobPods,
    List<ReplicaSet> replicaSets,
    List<Pod> deploymentPods,
    Instant now) {}
