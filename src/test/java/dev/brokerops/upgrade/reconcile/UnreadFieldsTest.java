package dev.brokerops.upgrade.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brokerops.upgrade.api.BrokerUpgrade;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the API server sends is decoded without the fields nobody reads, and only those. */
class UnreadFieldsTest {

  private static final String MANAGED_FIELDS =
      "\"managedFields\":[{\"manager\":\"kubelet\",\"operation\":\"Update\",\"fieldsType\":\"FieldsV1\","
          + "\"fieldsV1\":{\"f:status\":{}}}]";

  private final KubernetesSerialization json = UnreadFields.serialization();

  @Test
  void aPodKeepsItsMetadataAndStatusNotItsSpecNorManagedFields() {
    Pod pod =
        json.unmarshal(
            "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"pactflow-abc-1\","
                + "\"namespace\":\"broker\",\"resourceVersion\":\"42\",\"labels\":"
                + "{\"pod-template-hash\":\"abc\"},"
                + MANAGED_FIELDS
                + "},\"spec\":{\"containers\":[{\"name\":\"pactflow\",\"image\":\"i\",\"env\":"
                + "[{\"name\":\"PACTFLOW_DATABASE_URL\",\"value\":\"postgres://x\"}]}]},"
                + "\"status\":{\"phase\":\"Running\",\"podIP\":\"10.0.0.7\"}}",
            Pod.class);

    assertThat(pod.getMetadata().getLabels()).containsEntry("pod-template-hash", "abc");
    assertThat(pod.getMetadata().getResourceVersion()).isEqualTo("42");
    assertThat(pod.getMetadata().getManagedFields()).isNullOrEmpty();
    assertThat(pod.getMetadata().getAdditionalProperties()).isEmpty();
    assertThat(pod.getSpec()).isNull();
    assertThat(pod.getAdditionalProperties()).isEmpty();
    assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
  }

  @Test
  void aPodsStatusKeepsItsPhaseAndEachContainersNameAndStateOnly() {
    Pod pod =
        json.unmarshal(
            "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"pactflow-r1-schema-x\"},"
                + "\"status\":{\"phase\":\"Pending\",\"podIP\":\"10.0.0.7\",\"podIPs\":[{\"ip\":\"10.0.0.7\"}],"
                + "\"hostIP\":\"10.1.0.1\",\"qosClass\":\"BestEffort\",\"startTime\":\"2026-01-02T10:00:00Z\","
                + "\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\"}],"
                + "\"containerStatuses\":[{\"name\":\"migrate\",\"image\":\"i:2.1.0\",\"imageID\":\"sha\","
                + "\"containerID\":\"c://1\",\"ready\":false,\"restartCount\":0,\"state\":{\"waiting\":"
                + "{\"reason\":\"ImagePullBackOff\",\"message\":\"no such image\"}}}]}}",
            Pod.class);

    assertThat(pod.getStatus().getPhase()).isEqualTo("Pending");
    assertThat(pod.getStatus().getConditions()).isNullOrEmpty();
    assertThat(pod.getStatus().getPodIP()).isNull();
    assertThat(pod.getStatus().getPodIPs()).isNullOrEmpty();
    assertThat(pod.getStatus().getHostIP()).isNull();
    assertThat(pod.getStatus().getQosClass()).isNull();
    assertThat(pod.getStatus().getStartTime()).isNull();
    assertThat(pod.getStatus().getAdditionalProperties()).isEmpty();
    var container = pod.getStatus().getContainerStatuses().get(0);
    assertThat(container.getName()).isEqualTo("migrate");
    assertThat(container.getState().getWaiting().getReason()).isEqualTo("ImagePullBackOff");
    assertThat(container.getState().getWaiting().getMessage()).isEqualTo("no such image");
    assertThat(container.getImageID()).isNull();
    assertThat(container.getContainerID()).isNull();
    assertThat(container.getAdditionalProperties()).isEmpty();
  }

  @Test
  void aReplicaSetKeepsOnlyItsMetadata() {
    ReplicaSet replicaSet =
        json.unmarshal(
            "{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"metadata\":{\"name\":\"pactflow-abc\","
                + "\"namespace\":\"broker\",\"annotations\":{\"deployment.kubernetes.io/revision\":\"3\"},"
                + "\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\","
                + "\"name\":\"pactflow\",\"uid\":\"d-1\",\"controller\":true}]},"
                + "\"spec\":{\"replicas\":3},\"status\":{\"replicas\":3}}",
            ReplicaSet.class);

    assertThat(replicaSet.getMetadata().getAnnotations())
        .containsEntry("deployment.kubernetes.io/revision", "3");
    assertThat(replicaSet.getMetadata().getOwnerReferences()).hasSize(1);
    assertThat(replicaSet.getSpec()).isNull();
    assertThat(replicaSet.getStatus()).isNull();
    assertThat(replicaSet.getAdditionalProperties()).isEmpty();
  }

  @Test
  void aDeploymentKeepsItsSpecAndStatusWithoutManagedFields() {
    Deployment deployment =
        json.unmarshal(
            "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"pactflow\","
                + MANAGED_FIELDS
                + "},\"spec\":{\"replicas\":3,\"template\":{\"spec\":{\"containers\":"
                + "[{\"name\":\"pactflow\",\"image\":\"i:2.1.0\"}]}}},\"status\":{\"replicas\":3}}",
            Deployment.class);

    assertThat(deployment.getMetadata().getManagedFields()).isNullOrEmpty();
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
    assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("i:2.1.0");
    assertThat(deployment.getStatus().getReplicas()).isEqualTo(3);
  }

  @Test
  void aPodTemplatesCopiedPartsAreKeptAsJsonAndWhatIsReadIsTyped() {
    Deployment deployment =
        json.unmarshal(
            "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"pactflow\"},"
                + "\"spec\":{\"template\":{\"spec\":{\"securityContext\":{\"fsGroup\":1000},"
                + "\"affinity\":{\"nodeAffinity\":{}},\"containers\":[{\"name\":\"broker\","
                + "\"image\":\"i:2.1.0\",\"env\":[{\"name\":\"A\",\"value\":\"1\"},{\"name\":\"B\","
                + "\"valueFrom\":{\"secretKeyRef\":{\"name\":\"s\",\"key\":\"k\"}}}],"
                + "\"readinessProbe\":{\"httpGet\":{\"path\":\"/\",\"port\":9292}},"
                + "\"volumeMounts\":[{\"name\":\"licence\",\"mountPath\":\"/l\"}]}],"
                + "\"volumes\":[{\"name\":\"licence\",\"secret\":{\"secretName\":\"l\"}}]}}}}",
            Deployment.class);

    var template = deployment.getSpec().getTemplate().getSpec();
    var broker = template.getContainers().get(0);
    assertThat(broker.getEnv().get(0).getValue()).isEqualTo("1");
    assertThat(broker.getEnv().get(1).getName()).isEqualTo("B");
    assertThat(broker.getEnv().get(1).getValueFrom().getSecretKeyRef()).isNull();
    assertThat(broker.getEnv().get(1).getValueFrom().getAdditionalProperties())
        .containsEntry("secretKeyRef", Map.of("name", "s", "key", "k"));
    assertThat(broker.getReadinessProbe()).isNotNull();
    assertThat(broker.getVolumeMounts().get(0).getName()).isEqualTo("licence");
    assertThat(template.getVolumes().get(0).getName()).isEqualTo("licence");
    assertThat(template.getVolumes().get(0).getAdditionalProperties()).containsOnlyKeys("secret");
    assertThat(template.getSecurityContext().getAdditionalProperties())
        .containsEntry("fsGroup", 1000);
    assertThat(json.asJson(template.getAffinity())).isEqualTo("{\"nodeAffinity\":{}}");
  }

  @Test
  void theSameTextInTwoObjectsIsOneCopy() {
    String job =
        "{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"metadata\":{\"name\":\"pactflow-r1-2-schema\","
            + "\"namespace\":\"broker\",\"labels\":{\"upgrades.brokerops.dev/deployment\":\"pactflow\"},"
            + "\"finalizers\":[\"batch.kubernetes.io/job-tracking\"]},\"spec\":{\"template\":{\"spec\":"
            + "{\"volumes\":[{\"name\":\"licence\",\"secret\":{\"secretName\":\"pactflow-licence\"}}]}}}}";
    Job first = json.unmarshal(job, Job.class);
    Job second = json.unmarshal(job, Job.class);

    assertThat(second.getMetadata().getNamespace()).isSameAs(first.getMetadata().getNamespace());
    assertThat(second.getMetadata().getLabels().get("upgrades.brokerops.dev/deployment"))
        .isSameAs(first.getMetadata().getLabels().get("upgrades.brokerops.dev/deployment"));
    assertThat(second.getMetadata().getFinalizers().get(0))
        .isSameAs(first.getMetadata().getFinalizers().get(0));
    assertThat(secretName(second)).isEqualTo("pactflow-licence").isSameAs(secretName(first));
  }

  private static Object secretName(Job job) {
    Object secret =
        job.getSpec()
            .getTemplate()
            .getSpec()
            .getVolumes()
            .get(0)
            .getAdditionalProperties()
            .get("secret");
    return ((Map<?, ?>) secret).get("secretName");
  }

  @Test
  void aWatchEventsObjectIsDecodedTheSameWay() {
    WatchEvent event =
        json.unmarshal(
            "{\"type\":\"MODIFIED\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\","
                + "\"metadata\":{\"name\":\"p\","
                + MANAGED_FIELDS
                + "},\"spec\":{\"containers\":[{\"name\":\"c\"}]},\"status\":{\"phase\":\"Pending\"}}}",
            WatchEvent.class);

    Object object = event.getObject();
    assertThat(object).isInstanceOf(Pod.class);
    assertThat(((Pod) object).getSpec()).isNull();
    assertThat(((Pod) object).getMetadata().getManagedFields()).isNullOrEmpty();
    assertThat(((Pod) object).getStatus().getPhase()).isEqualTo("Pending");
  }

  @Test
  void eachWatchedKindsEventIsDecodedAsThatKind() {
    assertThat(
            json.unmarshal(
                    "{\"type\":\"ADDED\",\"object\":{\"apiVersion\":\"upgrades.brokerops.dev/v1alpha1\","
                        + "\"kind\":\"BrokerUpgrade\",\"metadata\":{\"name\":\"u\"},"
                        + "\"spec\":{\"deployment\":\"pactflow\",\"version\":\"2.1.0\"}}}",
                    WatchEvent.class)
                .getObject())
        .isInstanceOfSatisfying(
            BrokerUpgrade.class,
            upgrade -> assertThat(upgrade.getSpec().getVersion()).isEqualTo("2.1.0"));
    assertThat(
            json.unmarshal(
                    "{\"type\":\"MODIFIED\",\"object\":{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\","
                        + "\"metadata\":{\"name\":\"j\"}}}",
                    WatchEvent.class)
                .getObject())
        .isInstanceOf(Job.class);
    assertThat(
            json.unmarshal(
                    "{\"type\":\"ERROR\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Status\","
                        + "\"code\":410,\"reason\":\"Expired\"}}",
                    WatchEvent.class)
                .getObject())
        .isInstanceOfSatisfying(
            Status.class, status -> assertThat(status.getCode()).isEqualTo(410));
  }

  @Test
  void anyOtherKindIsUnknownSoDecodedAsAGenericResource() {
    assertThat(
            json.unmarshal(
                    "{\"type\":\"ADDED\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\","
                        + "\"metadata\":{\"name\":\"c\"}}}",
                    WatchEvent.class)
                .getObject())
        .isInstanceOf(GenericKubernetesResource.class);
  }

  @Test
  void whatTheOperatorWritesIsWrittenWhole() {
    Job job =
        new JobBuilder()
            .withNewMetadata()
            .withName("pactflow-r1-schema")
            .endMetadata()
            .withNewSpec()
            .withNewTemplate()
            .withNewSpec()
            .addNewContainer()
            .withName("migrate")
            .withImage("i:2.1.0")
            .withCommand("db-migrate")
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();

    assertThat(json.asJson(job)).contains("\"command\":[\"db-migrate\"]", "\"image\":\"i:2.1.0\"");
  }
}
