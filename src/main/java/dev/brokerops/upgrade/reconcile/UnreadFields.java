package dev.brokerops.upgrade.reconcile;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonIncludeProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * Fields of what the API server sends that the operator never reads, skipped while the JSON is
 * decoded rather than built and then dropped: {@code metadata.managedFields} of every object (often
 * a third of it), a pod's {@code spec} and all of its {@code status} but its phase and each
 * container's name and state (a Job's outcome reads why its container ended or waits; a rollout
 * reads pods' owners), and a ReplicaSet's {@code spec} and {@code status} (a rollout reads its
 * name, owner and revision annotation). Pods and ReplicaSets are the most numerous objects the
 * informers list, so at start-up this is much of the decoding. The operator never writes these
 * fields, so skipping them on the way out as well changes nothing it sends.
 */
public final class UnreadFields {

  private UnreadFields() {}

  @JsonIgnoreProperties(value = "managedFields", ignoreUnknown = true)
  private interface WithoutManagedFields {}

  @JsonIgnoreProperties(value = "spec", ignoreUnknown = true)
  private interface WithoutSpec {}

  @JsonIgnoreProperties(
      value = {"spec", "status"},
      ignoreUnknown = true)
  private interface MetadataOnly {}

  @JsonIncludeProperties({"phase", "containerStatuses"})
  private interface PhaseAndContainers {}

  @JsonIncludeProperties({"name", "state"})
  private interface NameAndState {}

  /** The client's serialization, with the unread fields skipped. */
  public static KubernetesSerialization serialization() {
    ObjectMapper mapper =
        new ObjectMapper()
            .addMixIn(ObjectMeta.class, WithoutManagedFields.class)
            .addMixIn(Pod.class, WithoutSpec.class)
            .addMixIn(PodStatus.class, PhaseAndContainers.class)
            .addMixIn(ContainerStatus.class, NameAndState.class)
            .addMixIn(ReplicaSet.class, MetadataOnly.class);
    return new KubernetesSerialization(mapper, true);
  }
}
