package dev.brokerops.upgrade.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.brokerops.bench.Bench;
import dev.brokerops.upgrade.OperatorMain;
import dev.brokerops.upgrade.api.BrokerUpgrade;
import dev.brokerops.upgrade.api.BrokerUpgradeCrd;
import dev.brokerops.upgrade.api.BrokerUpgradeSpec;
import dev.brokerops.upgrade.api.Phase;
import dev.brokerops.upgrade.api.StepName;
import dev.brokerops.upgrade.api.StepState;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The reconciler on a real API server, without controllers or a node: the test plays the Job controller and the
 * kubelet by writing Job and pod status, and watches what the operator does through the API only.
 */
class BrokerUpgradeReconcilerIT {

  @RegisterExtension
  static final Bench bench = Bench.controlPlane();

  private static final Duration PATIENCE = Duration.ofSeconds(30);
  private static Operator operator;
  private String namespace;

  @BeforeAll
  static void startOperator() throws Exception {
    BrokerUpgradeCrd.apply(bench.client());
    operator = OperatorMain.start(bench.client(), Set.of());
  }

  @AfterAll
  static void stopOperator() {
    if (operator != null) {
      operator.stop();
    }
  }

  @BeforeEach
  void namespaceWithBroker() {
    namespace = bench.createNamespace("reconcile");
    // No service-account controller on this bench: pods are admitted once the default ServiceAccount exists.
    client().serviceAccounts().inNamespace(namespace).resource(new ServiceAccountBuilder().withNewMetadata()
        .withName("default").endMetadata().build()).create();
    client().apps().deployments().inNamespace(namespace).resource(new DeploymentBuilder()
        .withNewMetadata().withName("pactflow").endMetadata()
        .withNewSpec().withReplicas(2)
          .withNewSelector().addToMatchLabels("app", "pactflow").endSelector()
          .withNewTemplate().withNewMetadata().addToLabels("app", "pactflow").endMetadata().withNewSpec()
            .addNewContainer().withName("broker").withImage("quay.io/pactflow/enterprise:2.3.0")
              .addNewEnv().withName("PACTFLOW_DATABASE_URL").withNewValueFrom()
                .withNewSecretKeyRef("url", "pactflow-db", false).endValueFrom().endEnv()
            .endContainer()
          .endSpec().endTemplate()
        .endSpec().build()).create();
  }

  private static KubernetesClient client() {
    return bench.client();
  }

  private BrokerUpgrade createUpgrade(String name, String version) {
    BrokerUpgrade upgrade = new BrokerUpgrade();
    upgrade.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    BrokerUpgradeSpec spec = new BrokerUpgradeSpec();
    spec.setDeployment("pactflow");
    spec.setVersion(version);
    upgrade.setSpec(spec);
    return client().resource(upgrade).create();
  }

  private BrokerUpgrade upgrade(String name) {
    return client().resources(BrokerUpgrade.class).inNamespace(namespace).withName(name).get();
  }

  private Job job(String name) {
    return client().batch().v1().jobs().inNamespace(namespace).withName(name).get();
  }

  private List<Event> events(String reason) {
    return client().v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(event -> reason.equals(event.getReason())).toList();
  }

  /** What the kubelet and the Job controller would write when the Job's only pod ends this way. */
  private void finishJob(String jobName, ContainerStatus containerStatus, boolean complete) {
    Job job = job(jobName);
    Pod pod = client().pods().inNamespace(namespace).resource(new PodBuilder()
        .withNewMetadata().withName(jobName + "-pod").withLabels(job.getSpec().getTemplate().getMetadata().getLabels())
          .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("batch/v1").withKind("Job")
              .withName(jobName).withUid(job.getMetadata().getUid()).withController(true).build())
        .endMetadata()
        .withSpec(job.getSpec().getTemplate().getSpec())
        .build()).create();
    pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase(complete ? "Succeeded" : "Pending")
        .withContainerStatuses(containerStatus).build());
    client().pods().inNamespace(namespace).resource(pod).updateStatus();
    if (complete) {
      String now = Instant.now().toString();
      job.setStatus(new io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder()
          .withStartTime(now).withCompletionTime(now).withSucceeded(1)
          .withConditions(
              new JobConditionBuilder().withType("SuccessCriteriaMet").withStatus("True").build(),
              new JobConditionBuilder().withType("Complete").withStatus("True").build())
          .build());
      client().batch().v1().jobs().inNamespace(namespace).resource(job).updateStatus();
    }
  }

  @Test
  void recordsTheDatabaseVersionThenStartsTheSchemaMigration() {
    createUpgrade("pactflow", "2.4.1");

    await().atMost(PATIENCE).untilAsserted(() -> {
      BrokerUpgrade upgrade = upgrade("pactflow");
      assertThat(upgrade.getStatus()).isNotNull();
      assertThat(upgrade.getStatus().getPhase()).isEqualTo(Phase.Running);
      assertThat(upgrade.getStatus().getStep()).isEqualTo("RecordDatabaseVersion");
      assertThat(upgrade.getStatus().getCurrentVersion()).isEqualTo("2.3.0");
      assertThat(job("pactflow-r1-1-dbversion")).isNotNull();
    });
    Job dbVersion = job("pactflow-r1-1-dbversion");
    assertThat(dbVersion.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(owner -> assertThat(owner.getName()).isEqualTo("pactflow"));
    assertThat(dbVersion.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("quay.io/pactflow/enterprise:2.3.0");
    await().atMost(PATIENCE).until(() -> !events("RunStarted").isEmpty());

    finishJob("pactflow-r1-1-dbversion", new ContainerStatusBuilder().withName("migration").withNewState()
        .withNewTerminated().withExitCode(0).withMessage("20240101").withReason("Completed").endTerminated()
        .endState().build(), true);

    await().atMost(PATIENCE).untilAsserted(() -> {
      BrokerUpgrade upgrade = upgrade("pactflow");
      assertThat(upgrade.getStatus().getRun().getDatabaseVersionBefore()).isEqualTo("20240101");
      assertThat(upgrade.getStatus().getStep()).isEqualTo("SchemaMigration");
      assertThat(job("pactflow-r1-2-schema")).isNotNull();
    });
    assertThat(job("pactflow-r1-2-schema").getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("quay.io/pactflow/enterprise:2.4.1");
    assertThat(client().apps().deployments().inNamespace(namespace).withName("pactflow").get().getSpec()
        .getTemplate().getSpec().getContainers().get(0).getImage())
        .as("the Deployment is not touched before the schema migration succeeded")
        .endsWith(":2.3.0");
    assertThat(client().batch().v1().jobs().inNamespace(namespace).list().getItems()).hasSize(2);
  }

  @Test
  void anUnpullableImageFailsTheStepRightAwayAndRemovesItsJob() {
    createUpgrade("pactflow", "2.4.1");
    await().atMost(PATIENCE).until(() -> job("pactflow-r1-1-dbversion") != null);
    finishJob("pactflow-r1-1-dbversion", new ContainerStatusBuilder().withName("migration").withNewState()
        .withNewTerminated().withExitCode(0).withMessage("20240101").endTerminated().endState().build(), true);
    await().atMost(PATIENCE).until(() -> job("pactflow-r1-2-schema") != null);

    finishJob("pactflow-r1-2-schema", new ContainerStatusBuilder().withName("migration").withNewState()
        .withNewWaiting().withReason("ImagePullBackOff")
        .withMessage("Back-off pulling image \"quay.io/pactflow/enterprise:2.4.1\"").endWaiting().endState().build(),
        false);

    await().atMost(PATIENCE).untilAsserted(() -> {
      BrokerUpgrade upgrade = upgrade("pactflow");
      assertThat(upgrade.getStatus().getPhase()).isEqualTo(Phase.Failed);
      var failed = upgrade.getStatus().getRun().getSteps().stream()
          .filter(step -> step.getName() == StepName.SchemaMigration).findFirst().orElseThrow();
      assertThat(failed.getState()).isEqualTo(StepState.Failed);
      assertThat(failed.getJob()).isEqualTo("pactflow-r1-2-schema");
      assertThat(failed.getMessage()).contains("ImagePullBackOff");
      assertThat(upgrade.getStatus().getConditions()).anySatisfy(condition -> {
        assertThat(condition.getType()).isEqualTo("Degraded");
        assertThat(condition.getStatus()).isEqualTo("True");
      });
    });
    await().atMost(PATIENCE).until(() -> job("pactflow-r1-2-schema") == null);
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(events("StepFailed")).singleElement()
        .satisfies(event -> {
          assertThat(event.getType()).isEqualTo("Warning");
          assertThat(event.getMessage()).contains("pactflow-r1-2-schema", "ImagePullBackOff");
        }));
  }

  @Test
  void aSecondBrokerUpgradeForTheSameDeploymentIsRefusedUntilTheFirstIsGone() {
    createUpgrade("first", "2.4.1");
    await().atMost(PATIENCE).until(() -> upgrade("first").getStatus() != null);

    createUpgrade("second", "2.5.0");

    await().atMost(PATIENCE).untilAsserted(() -> {
      BrokerUpgrade second = upgrade("second");
      assertThat(second.getStatus()).isNotNull();
      assertThat(second.getStatus().getPhase()).isEqualTo(Phase.Blocked);
      assertThat(second.getStatus().getConditions()).anySatisfy(condition -> {
        assertThat(condition.getType()).isEqualTo("Degraded");
        assertThat(condition.getReason()).isEqualTo("DeploymentOwnedByOther");
        assertThat(condition.getMessage()).contains("BrokerUpgrade first");
      });
    });
    assertThat(upgrade("first").getStatus().getPhase()).isEqualTo(Phase.Running);
    assertThat(client().batch().v1().jobs().inNamespace(namespace).list().getItems())
        .extracting(j -> j.getMetadata().getName()).allMatch(name -> name.startsWith("first-"));
    await().atMost(PATIENCE).until(() -> events("DeploymentOwnedByOther").size() == 1);

    client().resources(BrokerUpgrade.class).inNamespace(namespace).withName("first").delete();

    await().atMost(PATIENCE).untilAsserted(() -> {
      assertThat(upgrade("second").getStatus().getPhase()).isEqualTo(Phase.Running);
      assertThat(job("second-r1-1-dbversion")).isNotNull();
    });
  }
}
