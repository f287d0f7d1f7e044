package dev.brokerops.upgrade.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import org.junit.jupiter.api.Test;

/** The caches keep what the planner reads and drop what it never does. */
class CachePruningTest {

  @Test
  void aCachedPodKeepsItsMetadataAndStatusNotItsSpec() {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName("pactflow-abc")
            .withNamespace("broker")
            .withResourceVersion("42")
            .addToLabels("pod-template-hash", "abc")
            .withManagedFields(new ManagedFieldsEntryBuilder().withManager("kubelet").build())
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("pactflow")
            .withImage("quay.io/pactflow/enterprise:2.1.0")
            .addNewEnv()
            .withName("PACTFLOW_DATABASE_URL")
            .withValue("postgres://…")
            .endEnv()
            .endContainer()
            .endSpec()
            .withNewStatus()
            .withPhase("Running")
            .withPodIP("10.0.0.7")
            .endStatus()
            .build();
    var store = CachePruning.podsMetadataAndStatus();

    store.put(store.getKey(pod), pod);

    Pod cached = store.get("broker/pactflow-abc");
    assertThat(cached.getMetadata().getLabels()).containsEntry("pod-template-hash", "abc");
    assertThat(cached.getMetadata().getResourceVersion()).isEqualTo("42");
    assertThat(cached.getMetadata().getManagedFields()).isNullOrEmpty();
    assertThat(cached.getSpec().getContainers()).isNullOrEmpty();
    assertThat(cached.getStatus().getPhase()).isEqualTo("Running");
  }

  @Test
  void anyCachedObjectKeepsItsSpecWithoutManagedFields() {
    Deployment deployment =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName("pactflow")
            .withNamespace("broker")
            .withManagedFields(new ManagedFieldsEntryBuilder().withManager("kubectl").build())
            .endMetadata()
            .withNewSpec()
            .withReplicas(3)
            .endSpec()
            .build();
    var store = CachePruning.<Deployment>withoutManagedFields();

    store.put(store.getKey(deployment), deployment);

    Deployment cached = store.get("broker/pactflow");
    assertThat(cached.getMetadata().getManagedFields()).isNullOrEmpty();
    assertThat(cached.getSpec().getReplicas()).isEqualTo(3);
  }
}
