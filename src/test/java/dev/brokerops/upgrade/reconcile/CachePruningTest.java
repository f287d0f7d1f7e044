package dev.brokerops.upgrade.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brokerops.upgrade.api.BrokerUpgrade;
import dev.brokerops.upgrade.api.BrokerUpgradeSpec;
import dev.brokerops.upgrade.api.BrokerUpgradeStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import org.junit.jupiter.api.Test;

/** The Job, Job pod and claimant caches keep what the planner reads and drop the rest. */
class CachePruningTest {

  @Test
  void aCachedJobKeepsItsStatusAndEachContainersImageNotTheRestOfItsTemplate() {
    Job job =
        new JobBuilder()
            .withNewMetadata()
            .withName("pactflow-r1-schema")
            .withNamespace("broker")
            .addToLabels("app.kubernetes.io/managed-by", "brokerupgrade-operator")
            .endMetadata()
            .withNewSpec()
            .withBackoffLimit(0)
            .withNewSelector()
            .addToMatchLabels("batch.kubernetes.io/controller-uid", "0b8f")
            .endSelector()
            .withNewTemplate()
            .withNewMetadata()
            .addToLabels("batch.kubernetes.io/job-name", "pactflow-r1-schema")
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("migrate")
            .withImage("quay.io/pactflow/enterprise:2.1.0")
            .withCommand("db-migrate")
            .addNewEnv()
            .withName("PACTFLOW_DATABASE_URL")
            .withValue("postgres://…")
            .endEnv()
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .withNewStatus()
            .addNewCondition()
            .withType("Complete")
            .withStatus("True")
            .endCondition()
            .withNewUncountedTerminatedPods()
            .endUncountedTerminatedPods()
            .endStatus()
            .build();
    var store = CachePruning.jobsWithOnlyTheirImages();

    store.put(store.getKey(job), job);

    Job cached = store.get("broker/pactflow-r1-schema");
    assertThat(cached.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/managed-by", "brokerupgrade-operator");
    assertThat(cached.getStatus().getConditions())
        .singleElement()
        .satisfies(condition -> assertThat(condition.getType()).isEqualTo("Complete"));
    assertThat(cached.getStatus().getUncountedTerminatedPods()).isNull();
    var containers = cached.getSpec().getTemplate().getSpec().getContainers();
    assertThat(containers).hasSize(1);
    assertThat(containers.get(0).getName()).isEqualTo("migrate");
    assertThat(containers.get(0).getImage()).isEqualTo("quay.io/pactflow/enterprise:2.1.0");
    assertThat(containers.get(0).getEnv()).isNullOrEmpty();
    assertThat(containers.get(0).getCommand()).isNullOrEmpty();
    assertThat(cached.getSpec().getTemplate().getMetadata()).isNull();
    assertThat(cached.getSpec().getSelector()).isNull();
    assertThat(cached.getSpec().getBackoffLimit()).isNull();
  }

  @Test
  void aCachedJobPodKeepsItsOwnerAndStatusAndEmptiesItsLabelsAnnotationsAndFinalizers() {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName("pactflow-r1-schema-x7k2p")
            .withNamespace("broker")
            .addToLabels("batch.kubernetes.io/job-name", "pactflow-r1-schema")
            .addToLabels("app.kubernetes.io/managed-by", "brokerupgrade-operator")
            .addToAnnotations("batch.kubernetes.io/job-completion-index", "0")
            .addToFinalizers("batch.kubernetes.io/job-tracking")
            .addNewOwnerReference()
            .withKind("Job")
            .withName("pactflow-r1-schema")
            .endOwnerReference()
            .endMetadata()
            .withNewStatus()
            .withPhase("Succeeded")
            .endStatus()
            .build();
    var store = CachePruning.jobPodsWithoutLabels();

    store.put(store.getKey(pod), pod);

    Pod cached = store.get("broker/pactflow-r1-schema-x7k2p");
    assertThat(cached.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(owner -> assertThat(owner.getName()).isEqualTo("pactflow-r1-schema"));
    assertThat(cached.getStatus().getPhase()).isEqualTo("Succeeded");
    assertThat(cached.getMetadata().getLabels()).isEmpty();
    assertThat(cached.getMetadata().getFinalizers()).isEmpty();
    // empty, not null: JOSDK looks up an annotation of every object its informer hears of
    assertThat(cached.getMetadata().getAnnotations()).isNotNull().isEmpty();
  }

  @Test
  void aClaimantKeepsItsSpecNotItsStatus() {
    BrokerUpgrade claimant = upgradeWithStatus();
    var claimants = CachePruning.claimantsWithoutStatus();
    claimants.put(claimants.getKey(claimant), claimant);

    BrokerUpgrade cached = claimants.get("broker/pactflow");
    assertThat(cached.getSpec().getDeployment()).isEqualTo("pactflow");
    assertThat(cached.getSpec().getVersion()).isEqualTo("2.1.0");
    assertThat(cached.getStatus()).isNull();
  }

  private static BrokerUpgrade upgradeWithStatus() {
    BrokerUpgrade upgrade = new BrokerUpgrade();
    upgrade.setMetadata(
        new ObjectMetaBuilder().withName("pactflow").withNamespace("broker").build());
    BrokerUpgradeSpec spec = new BrokerUpgradeSpec();
    spec.setDeployment("pactflow");
    spec.setVersion("2.1.0");
    upgrade.setSpec(spec);
    BrokerUpgradeStatus status = new BrokerUpgradeStatus();
    status.setPhase(dev.brokerops.upgrade.api.Phase.Running);
    upgrade.setStatus(status);
    return upgrade;
  }
}
