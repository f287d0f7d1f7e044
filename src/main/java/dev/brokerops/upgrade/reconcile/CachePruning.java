package dev.brokerops.upgrade.reconcile;

import dev.brokerops.upgrade.api.BrokerUpgrade;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.javaoperatorsdk.operator.processing.event.source.informer.TransformingItemStore;
import java.util.List;
import java.util.Map;

/**
 * What three informer caches keep of objects whose other fields are read elsewhere, so cannot be
 * skipped while decoding as {@link UnreadFields} skips the fields nobody reads: of a Job, its spec
 * beyond each container's image; of a Job's pod, its labels, annotations and finalizers (a
 * Deployment's pods are decoded by the same decoder, and their labels are read); and of a claimant,
 * its status. Finished Jobs and their pods are kept for a day ({@code
 * jobs.ttlSecondsAfterFinished}), so these two caches grow with every upgrade of that day.
 *
 * <p>What is dropped from metadata is emptied, never nulled: JOSDK reads the annotations of every
 * object an informer hears of (to recognise its own writes) and fails on a missing map, and the
 * event is lost. A Job's pod that could not pull its image then never woke its upgrade.
 */
final class CachePruning {

  private CachePruning() {}

  /**
   * Jobs: metadata, status but its count of pods not yet counted, and of the spec only each
   * container's name and image (which image a Job runs tells whose step it is); the rest of the
   * spec (the selector, limits, the template's labels, command, env, volumes) is what the operator
   * wrote and never reads back. Of the status, only the conditions are read.
   */
  static TransformingItemStore<Job> jobsWithOnlyTheirImages() {
    return new TransformingItemStore<>(
        job -> {
          if (job.getSpec() != null) {
            PodTemplateSpec template = job.getSpec().getTemplate();
            List<Container> containers =
                template == null
                        || template.getSpec() == null
                        || template.getSpec().getContainers() == null
                    ? List.of()
                    : template.getSpec().getContainers().stream()
                        .map(CachePruning::nameAndImage)
                        .toList();
            PodSpec podSpec = new PodSpec();
            podSpec.setContainers(containers);
            PodTemplateSpec kept = new PodTemplateSpec();
            kept.setSpec(podSpec);
            JobSpec spec = new JobSpec();
            spec.setTemplate(kept);
            job.setSpec(spec);
          }
          if (job.getStatus() != null) {
            job.getStatus().setUncountedTerminatedPods(null);
          }
          return job;
        });
  }

  /**
   * Pods of the operator's Jobs: metadata without labels, annotations or finalizers (a Job's pod is
   * found by its owner, the Job), and the status {@link UnreadFields} leaves.
   */
  static TransformingItemStore<Pod> jobPodsWithoutLabels() {
    return new TransformingItemStore<>(
        pod -> {
          pod.getMetadata().setLabels(Map.of());
          pod.getMetadata().setAnnotations(Map.of());
          pod.getMetadata().setFinalizers(List.of());
          return pod;
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
