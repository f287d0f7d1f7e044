package dev.brokerops.upgrade.reconcile;

import dev.brokerops.upgrade.api.BrokerUpgrade;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Index names and keys that connect BrokerUpgrades, Deployments, ReplicaSets, Jobs and pods in the
 * caches.
 */
final class SecondaryIndexes {

  /**
   * BrokerUpgrades by the Deployment they name: finds the owner of a Deployment and its rival
   * claimants.
   */
  static final String UPGRADES_BY_DEPLOYMENT = "upgradesByDeployment";

  /**
   * ReplicaSets and pods by the name of the object that owns them (Deployment, ReplicaSet or Job).
   */
  static final String BY_OWNER = "byOwner";

  /**
   * Pods by the Deployment whose ReplicaSet made them, whether that ReplicaSet still exists or not.
   */
  static final String PODS_BY_DEPLOYMENT = "podsByDeployment";

  static final String POD_TEMPLATE_HASH = "pod-template-hash";

  private SecondaryIndexes() {}

  static String key(String namespace, String name) {
    return namespace + "/" + name;
  }

  static List<String> deploymentKey(BrokerUpgrade upgrade) {
    String deployment = upgrade.getSpec() == null ? null : upgrade.getSpec().getDeployment();
    return deployment == null
        ? List.of()
        : List.of(key(upgrade.getMetadata().getNamespace(), deployment));
  }

  static List<String> ownerKeys(HasMetadata resource) {
    return owners(resource).stream()
        .map(owner -> key(resource.getMetadata().getNamespace(), owner.getName()))
        .toList();
  }

  static List<String> deploymentKeys(Pod pod) {
    return deploymentOf(pod)
        .map(deployment -> List.of(key(pod.getMetadata().getNamespace(), deployment)))
        .orElse(List.of());
  }

  /**
   * The Deployment a pod belongs to, read from the pod alone: its ReplicaSet is named after the
   * Deployment plus the pod-template-hash the pod carries, so an old pod is still recognised after
   * its ReplicaSet was deleted (revisionHistoryLimit: 0).
   */
  static Optional<String> deploymentOf(Pod pod) {
    String hash =
        Optional.ofNullable(pod.getMetadata().getLabels())
            .map(labels -> labels.get(POD_TEMPLATE_HASH))
            .orElse(null);
    return ownerName(pod, "ReplicaSet")
        .filter(replicaSet -> hash != null && replicaSet.endsWith("-" + hash))
        .map(replicaSet -> replicaSet.substring(0, replicaSet.length() - hash.length() - 1));
  }

  static List<OwnerReference> owners(HasMetadata resource) {
    return Optional.ofNullable(resource.getMetadata().getOwnerReferences()).orElse(List.of());
  }

  static Optional<String> ownerName(HasMetadata resource, String kind) {
    return owners(resource).stream()
        .filter(owner -> kind.equals(owner.getKind()))
        .map(OwnerReference::getName)
        .findFirst();
  }

  static Set<ResourceID> ids(List<BrokerUpgrade> upgrades) {
    return upgrades.stream().map(ResourceID::fromResource).collect(Collectors.toSet());
  }
}
