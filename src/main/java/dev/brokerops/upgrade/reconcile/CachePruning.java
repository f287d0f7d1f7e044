package dev.brokerops.upgrade.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.javaoperatorsdk.operator.processing.event.source.informer.TransformingItemStore;

/**
 * What the informer caches keep of each object: what the planner reads, not what the API server
 * sent. {@code managedFields} is often a third of an object and nobody here reads it; a pod's spec
 * (containers, env, volumes) is never read, only its metadata and status are, and pods are the most
 * numerous objects an operator watching every namespace caches.
 */
final class CachePruning {

  private CachePruning() {}

  /** Any kind: without {@code metadata.managedFields}. */
  static <R extends HasMetadata> TransformingItemStore<R> withoutManagedFields() {
    return new TransformingItemStore<>(
        resource -> {
          resource.getMetadata().setManagedFields(null);
          return resource;
        });
  }

  /** Pods: metadata and status only. */
  static TransformingItemStore<Pod> podsMetadataAndStatus() {
    return new TransformingItemStore<>(
        pod -> {
          pod.getMetadata().setManagedFields(null);
          pod.setSpec(new PodSpec());
          return pod;
        });
  }
}
