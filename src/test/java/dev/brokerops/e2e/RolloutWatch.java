package dev.brokerops.e2e;

import dev.brokerops.bench.Bench;
import dev.brokerops.bench.InformerHandlers;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * Watches a broker rollout from its start: when each pod that ran before it disappeared from the
 * API server, and when the Deployment's counters first said the rollout was complete.
 */
final class RolloutWatch implements AutoCloseable {

  private final Set<String> oldPods;
  private final Map<String, Instant> oldPodGone = new ConcurrentHashMap<>();
  private final AtomicReference<Instant> countersComplete = new AtomicReference<>();
  private final long generationBefore;
  private final SharedIndexInformer<Pod> pods;
  private final SharedIndexInformer<Deployment> deployments;
  private final Set<String> oldReplicaSets;
  private final AtomicReference<Instant> oldReplicaSetGone = new AtomicReference<>();
  private final SharedIndexInformer<ReplicaSet> replicaSets;

  private RolloutWatch(Bench bench, String namespace) {
    var podsOfBroker = bench.client().pods().inNamespace(namespace).withLabel("app", "pactflow");
    this.oldPods =
        podsOfBroker.list().getItems().stream()
            .map(p -> p.getMetadata().getName())
            .collect(Collectors.toUnmodifiableSet());
    var deployment =
        bench
            .client()
            .apps()
            .deployments()
            .inNamespace(namespace)
            .withName(BrokerFixture.DEPLOYMENT);
    this.generationBefore = deployment.get().getMetadata().getGeneration();
    this.pods =
        podsOfBroker.inform(
            new ResourceEventHandler<>() {
              @Override
              public void onAdd(Pod pod) {}

              @Override
              public void onUpdate(Pod before, Pod after) {}

              @Override
              public void onDelete(Pod pod, boolean finalStateUnknown) {
                String name = pod.getMetadata().getName();
                if (oldPods.contains(name)) {
                  oldPodGone.putIfAbsent(name, Instant.now());
                }
              }
            });
    var replicaSetsOfBroker =
        bench.client().apps().replicaSets().inNamespace(namespace).withLabel("app", "pactflow");
    this.oldReplicaSets =
        replicaSetsOfBroker.list().getItems().stream()
            .map(rs -> rs.getMetadata().getName())
            .collect(Collectors.toUnmodifiableSet());
    this.replicaSets =
        replicaSetsOfBroker.inform(
            new ResourceEventHandler<>() {
              @Override
              public void onAdd(ReplicaSet rs) {}

              @Override
              public void onUpdate(ReplicaSet before, ReplicaSet after) {}

              @Override
              public void onDelete(ReplicaSet rs, boolean finalStateUnknown) {
                if (oldReplicaSets.contains(rs.getMetadata().getName())) {
                  oldReplicaSetGone.compareAndSet(null, Instant.now());
                }
              }
            });
    this.deployments = deployment.inform(InformerHandlers.everyState(this::check));
  }

  /** Starts watching; the pods running now are the old ones. */
  static RolloutWatch start(Bench bench, String namespace) {
    return new RolloutWatch(bench, namespace);
  }

  /**
   * What {@code kubectl rollout status} waits for (kubectl 1.37's DeploymentStatusViewer): the
   * controller saw the spec, every replica is updated and available, and no old replica is counted.
   * Terminating pods are not counted in {@code status.replicas}, so they may still be running.
   */
  static boolean completeByCounters(Deployment deployment) {
    var status = deployment.getStatus();
    if (status == null || status.getObservedGeneration() == null) {
      return false;
    }
    int wanted = deployment.getSpec().getReplicas();
    int updated = zeroIfNull(status.getUpdatedReplicas());
    return deployment.getMetadata().getGeneration() <= status.getObservedGeneration()
        && updated >= wanted
        && zeroIfNull(status.getReplicas()) <= updated
        && zeroIfNull(status.getAvailableReplicas()) >= updated;
  }

  private void check(Deployment d) {
    if (d.getMetadata().getGeneration() > generationBefore && completeByCounters(d)) {
      countersComplete.compareAndSet(null, Instant.now());
    }
  }

  /** When the Deployment's counters first said the new generation was rolled out. */
  Optional<Instant> countersComplete() {
    return Optional.ofNullable(countersComplete.get());
  }

  /** The pods that ran when the watch started and are still in the API server. */
  Set<String> oldPodsLeft() {
    return oldPods.stream()
        .filter(name -> !oldPodGone.containsKey(name))
        .collect(Collectors.toUnmodifiableSet());
  }

  int oldPodCount() {
    return oldPods.size();
  }

  /**
   * When a ReplicaSet that existed at the start was deleted (revisionHistoryLimit: 0 has the
   * controller delete it once its pods are all terminating, not gone).
   */
  Optional<Instant> oldReplicaSetGone() {
    return Optional.ofNullable(oldReplicaSetGone.get());
  }

  /** When the last old pod disappeared, once every one has. */
  Optional<Instant> lastOldPodGone() {
    if (!oldPodsLeft().isEmpty()) {
      return Optional.empty();
    }
    return oldPodGone.values().stream().max(Instant::compareTo);
  }

  @Override
  public void close() {
    pods.close();
    deployments.close();
    replicaSets.close();
  }

  private static int zeroIfNull(Integer value) {
    return value == null ? 0 : value;
  }
}
