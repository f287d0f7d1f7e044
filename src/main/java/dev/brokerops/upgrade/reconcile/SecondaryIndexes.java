package dev.brokerops.upgrade.reconcile;

import dev.brokerops.upgrade.api.BrokerUpgrade;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
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
