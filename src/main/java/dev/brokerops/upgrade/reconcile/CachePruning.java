package dev.brokerops.upgrade.reconcile;

import dev.brokerops.upgrade.api.BrokerUpgrade;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.javaoperatorsdk.operator.processing.event.source.informer.TransformingItemStore;
import java.util.List;

/**
 * What two informer caches keep of objects whose other fields are read elsewhere, so cannot be
 * skipped while decoding as {@link UnreadFields} skips the fields nobody reads: a Job's pod
 * template beyond each container's image, and a claimant's status.
 */
final class CachePruning {

  private CachePruning() {}

  /**
   * Jobs: metadata, status and, of the pod template, only each container's name and image (which
   * image a Job runs tells whose step it is); the rest of the template (its labels, command, env,
   * volumes, resources) is what the operator wrote and never reads back.
   */
  static TransformingItemStore<Job> jobsWithoutTheirPodTemplate() {
    return new TransformingItemStore<>(
        job -> {
          if (job.getSpec() != null && job.getSpec().getTemplate() != null) {
            PodTemplateSpec template = job.getSpec().getTemplate();
            List<Container> containers =
                template.getSpec() == null || template.getSpec().getContainers() == null
                    ? List.of()
                    : template.getSpec().getContainers().stream()
                        .map(CachePruning::nameAndImage)
                        .toList();
            PodSpec spec = new PodSpec();
            spec.setContainers(containers);
            template.setSpec(spec);
            template.setMetadata(null);
          }
          return job;
        });
  }

  /**
   * BrokerUpgrades heard as claimants of a Deployment: metadata and spec; which Deployment one
   * names is all that is read of it there (the planner reads claimants from the primary cache).
   */
  static TransformingItemStore<BrokerUpgrade> claimantsWithoutStatus() {
    return new TransformingItemStore<>(
        upgrade -> {
          upgrade.setStatus(null);
          return upgrade;
        });
  }

  private static Container nameAndImage(Container container) {
    Container kept = new Container();
    kept.setName(container.getName());
    kept.setImage(container.getImage());
    return kept;
  }
}
