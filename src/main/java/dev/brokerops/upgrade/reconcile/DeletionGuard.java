package dev.brokerops.upgrade.reconcile;

import dev.brokerops.upgrade.api.BrokerUpgrade;
import dev.brokerops.upgrade.jobs.JobNames;
import dev.brokerops.upgrade.jobs.JobSpecFactory;
import dev.brokerops.upgrade.plan.MidRunDeletion;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a deleted BrokerUpgrade's Jobs from the API server and carries out {@link MidRunDeletion}:
 * orphans the running one, deletes it once finished.
 */
final class DeletionGuard {

  private static final Logger LOG = LoggerFactory.getLogger(DeletionGuard.class);

  private final KubernetesClient client;

  DeletionGuard(KubernetesClient client) {
    this.client = client;
  }

  // Read from the API server, not the informer cache: a Job created a moment before the deletion
  // may not be in the cache yet, and letting go of the BrokerUpgrade then would have the garbage
  // collector kill it. Deletion is rare; two list calls are cheap.
  List<Job> jobsOf(BrokerUpgrade upgrade) {
    return client
        .batch()
        .v1()
        .jobs()
        .inNamespace(upgrade.getMetadata().getNamespace())
        .withLabel(
            JobSpecFactory.LABEL_UPGRADE, JobNames.labelValue(upgrade.getMetadata().getName()))
        .list()
        .getItems();
  }

  List<Pod> podsOf(BrokerUpgrade upgrade) {
    return client
        .pods()
        .inNamespace(upgrade.getMetadata().getNamespace())
        .withLabel(
            JobSpecFactory.LABEL_UPGRADE, JobNames.labelValue(upgrade.getMetadata().getName()))
        .list()
        .getItems();
  }

  /**
   * Removes the BrokerUpgrade's owner reference and names it in an annotation, in one JSON patch
   * that first tests the reference is still the one it removes.
   */
  void orphan(BrokerUpgrade upgrade, Job job) {
    List<OwnerReference> owners = job.getMetadata().getOwnerReferences();
    int index = -1;
    for (int i = 0; i < owners.size(); i++) {
      if (Objects.equals(owners.get(i).getUid(), upgrade.getMetadata().getUid())) {
        index = i;
      }
    }
    if (index < 0) {
      return;
    }
    String owner = "/metadata/ownerReferences/" + index;
    List<Map<String, Object>> patch = new ArrayList<>();
    patch.add(operation("test", owner + "/uid", upgrade.getMetadata().getUid()));
    patch.add(operation("remove", owner, null));
    if (job.getMetadata().getAnnotations() == null) {
      patch.add(
          operation(
              "add",
              "/metadata/annotations",
              Map.of(MidRunDeletion.ORPHANED_FROM_ANNOTATION, upgrade.getMetadata().getName())));
    } else {
      patch.add(
          operation(
              "add",
              "/metadata/annotations/" + MidRunDeletion.ORPHANED_FROM_ANNOTATION.replace("/", "~1"),
              upgrade.getMetadata().getName()));
    }
    // Patched through the Job in hand: by name alone the client would read it first.
    client
        .batch()
        .v1()
        .jobs()
        .resource(job)
        .patch(PatchContext.of(PatchType.JSON), client.getKubernetesSerialization().asJson(patch));
    LOG.info(
        "brokerupgrade={}/{} deleted while Job {} runs: Job orphaned, kept until it finishes",
        upgrade.getMetadata().getNamespace(),
        upgrade.getMetadata().getName(),
        job.getMetadata().getName());
  }

  void delete(Job job) {
    client
        .batch()
        .v1()
        .jobs()
        .inNamespace(job.getMetadata().getNamespace())
        .withName(job.getMetadata().getName())
        .withPropagationPolicy(DeletionPropagation.BACKGROUND)
        .delete();
  }

  private static Map<String, Object> operation(String op, String path, Object value) {
    Map<String, Object> operation = new LinkedHashMap<>();
    operation.put("op", op);
    operation.put("path", path);
    if (value != null) {
      operation.put("value", value);
    }
    return operation;
  }
}
