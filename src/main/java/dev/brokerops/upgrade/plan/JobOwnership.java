package dev.brokerops.upgrade.plan;

import dev.brokerops.upgrade.api.BrokerUpgrade;
import dev.brokerops.upgrade.jobs.JobNames;
import dev.brokerops.upgrade.jobs.JobRequest;
import dev.brokerops.upgrade.jobs.JobSpecFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether a Job found under a step's name is that step's Job: a Job is adopted only when this
 * BrokerUpgrade owns it and its run, step, hop and image are the step's.
 */
final class JobOwnership {

  private JobOwnership() {}

  /** Why {@code job} is not the Job {@code expected} describes, or empty when it is. */
  static Optional<String> mismatch(Job job, BrokerUpgrade upgrade, JobRequest expected) {
    List<String> differences = new ArrayList<>();
    if (!ownedBy(job, upgrade)) {
      differences.add(
          "it is not owned by this BrokerUpgrade (uid " + upgrade.getMetadata().getUid() + ")");
    }
    Map<String, String> labels =
        Optional.ofNullable(job.getMetadata().getLabels()).orElse(Map.of());
    if (!Objects.equals(labels.get(JobSpecFactory.LABEL_RUN), expected.runId())) {
      differences.add(
          "its run is " + labels.get(JobSpecFactory.LABEL_RUN) + ", not " + expected.runId());
    }
    if (!Objects.equals(labels.get(JobSpecFactory.LABEL_STEP), expected.step().name())) {
      differences.add(
          "its step is " + labels.get(JobSpecFactory.LABEL_STEP) + ", not " + expected.step());
    }
    String hop =
        Optional.ofNullable(job.getMetadata().getAnnotations())
            .map(annotations -> annotations.get(JobSpecFactory.ANNOTATION_HOP))
            .orElse(null);
    if (!Objects.equals(hop, expected.hop())) {
      differences.add("its hop is " + hop + ", not " + expected.hop());
    }
    String image = image(job);
    if (!Objects.equals(image, expected.image())) {
      differences.add("it runs " + image + ", not " + expected.image());
    }
    return differences.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", differences));
  }

  static boolean ownedBy(HasMetadata resource, BrokerUpgrade upgrade) {
    return Optional.ofNullable(resource.getMetadata().getOwnerReferences())
        .orElse(List.of())
        .stream()
        .map(OwnerReference::getUid)
        .anyMatch(uid -> uid != null && uid.equals(upgrade.getMetadata().getUid()));
  }

  /**
   * True when the Job migrates the database of this Deployment (whichever BrokerUpgrade made it).
   */
  static boolean migrates(Job job, String deployment, BrokerUpgrade upgrade) {
    String label =
        Optional.ofNullable(job.getMetadata().getLabels())
            .map(labels -> labels.get(JobSpecFactory.LABEL_DEPLOYMENT))
            .orElse(null);
    // Jobs made before the label existed: the ones this BrokerUpgrade owns are for its Deployment.
    return label == null ? ownedBy(job, upgrade) : label.equals(JobNames.labelValue(deployment));
  }

  private static String image(Job job) {
    var containers = job.getSpec().getTemplate().getSpec().getContainers();
    return containers == null || containers.isEmpty() ? null : containers.get(0).getImage();
  }
}
