package dev.brokerops.upgrade.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.brokerops.upgrade.api.BrokerUpgrade;
import dev.brokerops.upgrade.api.BrokerUpgradeSpec;
import dev.brokerops.upgrade.api.JobsSpec;
import dev.brokerops.upgrade.api.StepName;
import dev.brokerops.upgrade.plan.BrokerContainer;
import dev.brokerops.upgrade.reconcile.UnreadFields;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobSpecFactoryTest {

  private final BrokerUpgrade upgrade = upgrade("pactflow");
  private final Deployment deployment =
      new DeploymentBuilder()
          .withNewMetadata()
          .withName("pactflow")
          .withNamespace("broker")
          .endMetadata()
          .withNewSpec()
          .withNewTemplate()
          .withNewSpec()
          .withServiceAccountName("pactflow")
          .withAutomountServiceAccountToken(false)
          .addNewImagePullSecret("quay-pull")
          .withNewSecurityContext()
          .withRunAsNonRoot(true)
          .withFsGroup(1000L)
          .endSecurityContext()
          .addToNodeSelector("pool", "apps")
          .addNewToleration()
          .withKey("dedicated")
          .withOperator("Equal")
          .withValue("broker")
          .withEffect("NoSchedule")
          .endToleration()
          .addNewContainer()
          .withName("sidecar")
          .withImage("envoy:1.30")
          .addNewVolumeMount()
          .withName("envoy-config")
          .withMountPath("/etc/envoy")
          .endVolumeMount()
          .endContainer()
          .addNewContainer()
          .withName("broker")
          .withImage("quay.io/pactflow/enterprise:2.3.0")
          .withCommand("/entrypoint.sh")
          .withArgs("serve")
          .addNewEnv()
          .withName("PACTFLOW_DATABASE_URL")
          .withNewValueFrom()
          .withNewSecretKeyRef("url", "pactflow-db", false)
          .endValueFrom()
          .endEnv()
          .addNewEnv()
          .withName("PACTFLOW_BASE_URL")
          .withValue("https://pactflow.example.com")
          .endEnv()
          .addNewEnv()
          .withName("PACTFLOW_DATABASE_MIGRATION_TARGET")
          .withValue("20200101")
          .endEnv()
          .addNewEnvFrom()
          .withNewSecretRef("pactflow-licence", false)
          .endEnvFrom()
          .addNewEnvFrom()
          .withNewConfigMapRef("pactflow-settings", false)
          .endEnvFrom()
          .addNewVolumeMount()
          .withName("licence")
          .withMountPath("/home/pactflow-onprem.lic")
          .withSubPath("pactflow-onprem.lic")
          .withReadOnly(true)
          .endVolumeMount()
          .withNewSecurityContext()
          .withReadOnlyRootFilesystem(true)
          .withAllowPrivilegeEscalation(false)
          .endSecurityContext()
          .withNewResources()
          .addToRequests("memory", new Quantity("512Mi"))
          .endResources()
          .addNewPort()
          .withContainerPort(9292)
          .endPort()
          .withNewReadinessProbe()
          .withNewHttpGet()
          .withPath("/diagnostic/status/heartbeat")
          .withNewPort(9292)
          .endHttpGet()
          .endReadinessProbe()
          .endContainer()
          .addNewVolume()
          .withName("licence")
          .withNewSecret()
          .withSecretName("pactflow-licence")
          .endSecret()
          .endVolume()
          .addNewVolume()
          .withName("envoy-config")
          .withNewConfigMap()
          .withName("envoy")
          .endConfigMap()
          .endVolume()
          .endSpec()
          .endTemplate()
          .endSpec()
          .build();
  private final BrokerContainer broker = brokerOf(deployment);

  private static BrokerContainer brokerOf(Deployment deployment) {
    return ((BrokerContainer.Lookup.Found) BrokerContainer.find(deployment, "broker")).container();
  }

  private static BrokerUpgrade upgrade(String name) {
    BrokerUpgrade upgrade = new BrokerUpgrade();
    upgrade.setMetadata(
        new ObjectMetaBuilder().withName(name).withNamespace("broker").withUid("uid-1").build());
    BrokerUpgradeSpec spec = new BrokerUpgradeSpec();
    spec.setDeployment("pactflow");
    spec.setVersion("2.4.1");
    upgrade.setSpec(spec);
    return upgrade;
  }

  private Job schemaMigration() {
    return schemaMigration(deployment);
  }

  private Job schemaMigration(Deployment from) {
    return schemaMigration(upgrade, from);
  }

  private static Job schemaMigration(BrokerUpgrade upgrade, Deployment from) {
    return JobSpecFactory.build(
        upgrade,
        from,
        brokerOf(from).container(),
        JobRequest.forStep(
            upgrade.getMetadata().getName(),
            "r3",
            2,
            StepName.SchemaMigration,
            "2.4.1",
            "quay.io/pactflow/enterprise:2.4.1",
            List.of("db-migrate"),
            Map.of()));
  }

  @Test
  void inheritsTheBrokerContainersWayToTheDatabase() {
    PodSpec pod = schemaMigration().getSpec().getTemplate().getSpec();
    Container container = pod.getContainers().get(0);

    assertThat(pod.getContainers()).hasSize(1);
    assertThat(container.getImage()).isEqualTo("quay.io/pactflow/enterprise:2.4.1");
    assertThat(container.getCommand()).containsExactly("db-migrate");
    assertThat(container.getArgs()).isEmpty();
    assertThat(container.getEnv())
        .extracting(EnvVar::getName)
        .containsExactly("PACTFLOW_DATABASE_URL", "PACTFLOW_BASE_URL");
    assertThat(container.getEnv().get(0).getValueFrom().getSecretKeyRef().getName())
        .isEqualTo("pactflow-db");
    assertThat(container.getEnvFrom()).hasSize(2);
    assertThat(container.getVolumeMounts())
        .singleElement()
        .satisfies(mount -> assertThat(mount.getSubPath()).isEqualTo("pactflow-onprem.lic"));
    assertThat(pod.getVolumes()).extracting(v -> v.getName()).containsExactly("licence");
    assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(container.getResources().getRequests()).containsKey("memory");
    assertThat(container.getPorts()).isEmpty();
    assertThat(container.getReadinessProbe()).isNull();
    assertThat(container.getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");
    assertThat(pod.getImagePullSecrets()).extracting(s -> s.getName()).containsExactly("quay-pull");
    assertThat(pod.getServiceAccountName()).isEqualTo("pactflow");
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    assertThat(pod.getSecurityContext().getFsGroup()).isEqualTo(1000L);
    assertThat(pod.getNodeSelector()).containsEntry("pool", "apps");
    assertThat(pod.getTolerations()).hasSize(1);
    assertThat(pod.getRestartPolicy()).isEqualTo("Never");
  }

  @Test
  void copiesReferencesNeverSecretValues() {
    String yaml = new KubernetesSerialization().asYaml(schemaMigration());

    assertThat(yaml).contains("secretKeyRef", "pactflow-db").doesNotContain("password");
  }

  @Test
  void isNamedLabelledAndOwnedDeterministically() {
    Job job = schemaMigration();

    assertThat(job.getMetadata().getName()).isEqualTo("pactflow-r3-2-schema");
    assertThat(schemaMigration().getMetadata().getName()).isEqualTo(job.getMetadata().getName());
    assertThat(job.getMetadata().getLabels())
        .containsEntry("upgrades.brokerops.dev/name", "pactflow")
        .containsEntry("upgrades.brokerops.dev/run", "r3")
        .containsEntry("upgrades.brokerops.dev/step", "SchemaMigration")
        .containsEntry("app.kubernetes.io/managed-by", "brokerupgrade-operator");
    assertThat(job.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(job.getMetadata().getLabels());
    assertThat(job.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            owner -> {
              assertThat(owner.getKind()).isEqualTo("BrokerUpgrade");
              assertThat(owner.getApiVersion()).isEqualTo("upgrades.brokerops.dev/v1alpha1");
              assertThat(owner.getUid()).isEqualTo("uid-1");
              assertThat(owner.getController()).isTrue();
            });
    assertThat(job.getSpec().getBackoffLimit()).isZero();
    assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(1800L);
    assertThat(job.getSpec().getTtlSecondsAfterFinished()).isEqualTo(86400);
  }

  @Test
  void keepsNamesWithinALabelEvenForLongBrokerUpgradeNames() {
    String longName = "a-very-long-broker-upgrade-name-that-someone-thought-was-descriptive-enough";
    String first = JobNames.forStep(longName, "r123", 12, StepName.RecordDatabaseVersion);
    String second = JobNames.forStep(longName + "-2", "r123", 12, StepName.RecordDatabaseVersion);

    assertThat(first)
        .hasSizeLessThanOrEqualTo(63)
        .endsWith("-r123-12-dbversion")
        .matches("[a-z0-9-]+");
    assertThat(first).isNotEqualTo(second);
    assertThat(JobNames.forStep(longName, "r123", 12, StepName.RecordDatabaseVersion))
        .isEqualTo(first);
    assertThat(JobNames.labelValue(longName)).hasSizeLessThanOrEqualTo(63);
  }

  @Test
  void writesTheSameJobFromTheDeploymentAsTheOperatorsClientDecodesIt() throws Exception {
    KubernetesSerialization plain = new KubernetesSerialization();
    KubernetesSerialization operators = UnreadFields.serialization();
    Deployment decoded = operators.unmarshal(plain.asJson(deployment), Deployment.class);
    PodSpec template = decoded.getSpec().getTemplate().getSpec();
    // what the Job copies was kept as JSON, not decoded field by field ...
    assertThat(template.getVolumes()).extracting(Volume::getName).contains("licence");
    assertThat(template.getVolumes().get(0).getSecret()).isNull();
    // ... and is written out as it came
    ObjectMapper trees = new ObjectMapper();
    assertThat(trees.readTree(operators.asJson(schemaMigration(decoded))))
        .isEqualTo(trees.readTree(plain.asJson(schemaMigration())));
  }

  @Test
  void writesTheJobsResourcesOfTheBrokerUpgradeAsTheyCameThroughTheOperatorsClient()
      throws Exception {
    KubernetesSerialization plain = new KubernetesSerialization();
    KubernetesSerialization operators = UnreadFields.serialization();
    BrokerUpgrade typed = upgrade("pactflow");
    JobsSpec jobs = new JobsSpec();
    jobs.setResources(
        new ResourceRequirementsBuilder()
            .addToLimits("cpu", new Quantity("500m"))
            .addToRequests("memory", new Quantity("256Mi"))
            .build());
    typed.getSpec().setJobs(jobs);
    BrokerUpgrade decoded = operators.unmarshal(plain.asJson(typed), BrokerUpgrade.class);
    Deployment decodedDeployment = operators.unmarshal(plain.asJson(deployment), Deployment.class);

    Job written = schemaMigration(decoded, decodedDeployment);

    ObjectMapper trees = new ObjectMapper();
    assertThat(trees.readTree(operators.asJson(written)))
        .isEqualTo(trees.readTree(plain.asJson(schemaMigration(typed, deployment))));
    assertThat(
            trees
                .readTree(operators.asJson(written))
                .at("/spec/template/spec/containers/0/resources"))
        .isEqualTo(
            trees.readTree("{\"limits\":{\"cpu\":\"500m\"},\"requests\":{\"memory\":\"256Mi\"}}"));
  }

  @Test
  void onlyMigrateDownGetsTheMigrationTarget() {
    Job down =
        JobSpecFactory.build(
            upgrade,
            deployment,
            broker.container(),
            JobRequest.forStep(
                upgrade.getMetadata().getName(),
                "r4",
                2,
                StepName.MigrateDown,
                "2.3.0",
                "quay.io/pactflow/enterprise:2.4.1",
                List.of("db-migrate"),
                Map.of("PACTFLOW_DATABASE_MIGRATION_TARGET", "20240101")));

    assertThat(down.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
        .filteredOn(env -> env.getName().equals("PACTFLOW_DATABASE_MIGRATION_TARGET"))
        .singleElement()
        .satisfies(env -> assertThat(env.getValue()).isEqualTo("20240101"));
  }
}
