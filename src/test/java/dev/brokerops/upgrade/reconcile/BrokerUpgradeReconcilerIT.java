package dev.brokerops.upgrade.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.brokerops.bench.Bench;
import dev.brokerops.upgrade.OperatorMain;
import dev.brokerops.upgrade.api.BrokerUpgrade;
import dev.brokerops.upgrade.api.BrokerUpgradeCrd;
import dev.brokerops.upgrade.api.BrokerUpgradeSpec;
import dev.brokerops.upgrade.api.Phase;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The reconciler on a real API server, for what needs no pod to run: ownership of a Deployment
 * between two BrokerUpgrades. What needs Jobs and pods to run is shown on the whole bench by the
 * {@code *E2E} tests.
 */
class BrokerUpgradeReconcilerIT {

  @RegisterExtension static final Bench bench = Bench.controlPlane();

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
    // No service-account controller on this bench: pods are admitted once the default
    // ServiceAccount exists.
    client()
        .serviceAccounts()
        .inNamespace(namespace)
        .resource(
            new ServiceAccountBuilder().withNewMetadata().withName("default").endMetadata().build())
        .create();
    client()
        .apps()
        .deployments()
        .inNamespace(namespace)
        .resource(
            new DeploymentBuilder()
                .withNewMetadata()
                .withName("pactflow")
                .endMetadata()
                .withNewSpec()
                .withReplicas(2)
                .withNewSelector()
                .addToMatchLabels("app", "pactflow")
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("app", "pactflow")
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("broker")
                .withImage("quay.io/pactflow/enterprise:2.3.0")
                .addNewEnv()
                .withName("PACTFLOW_DATABASE_URL")
                .withNewValueFrom()
                .withNewSecretKeyRef("url", "pactflow-db", false)
                .endValueFrom()
                .endEnv()
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();
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
        .filter(event -> reason.equals(event.getReason()))
        .toList();
  }

  @Test
  void aSecondBrokerUpgradeForTheSameDeploymentIsRefusedUntilTheFirstIsGone() {
    createUpgrade("first", "2.4.1");
    await().atMost(PATIENCE).until(() -> upgrade("first").getStatus() != null);

    createUpgrade("second", "2.5.0");

    await()
        .atMost(PATIENCE)
        .untilAsserted(
            () -> {
              BrokerUpgrade second = upgrade("second");
              assertThat(second.getStatus()).isNotNull();
              assertThat(second.getStatus().getPhase()).isEqualTo(Phase.Blocked);
              assertThat(second.getStatus().getConditions())
                  .anySatisfy(
                      condition -> {
                        assertThat(condition.getType()).isEqualTo("Degraded");
                        assertThat(condition.getReason()).isEqualTo("DeploymentOwnedByOther");
                        assertThat(condition.getMessage()).contains("BrokerUpgrade first");
                      });
            });
    assertThat(upgrade("first").getStatus().getPhase()).isEqualTo(Phase.Running);
    assertThat(client().batch().v1().jobs().inNamespace(namespace).list().getItems())
        .extracting(j -> j.getMetadata().getName())
        .allMatch(name -> name.startsWith("first-"));
    await().atMost(PATIENCE).until(() -> events("DeploymentOwnedByOther").size() == 1);

    client().resources(BrokerUpgrade.class).inNamespace(namespace).withName("first").delete();

    // The first one's Job never ends on this bench (no Job controller): deleted mid-run, the first
    // BrokerUpgrade stays until its Job has gone, and the second may not start a migration beside
    // it. A person deleting that Job lets both go on.
    await()
        .atMost(PATIENCE)
        .until(() -> job("first-r1-1-dbversion").getMetadata().getOwnerReferences().isEmpty());
    assertThat(upgrade("first").getMetadata().getDeletionTimestamp()).isNotNull();
    assertThat(upgrade("second").getStatus().getPhase()).isEqualTo(Phase.Blocked);
    client().batch().v1().jobs().inNamespace(namespace).withName("first-r1-1-dbversion").delete();

    await()
        .atMost(PATIENCE)
        .untilAsserted(
            () -> {
              assertThat(upgrade("second").getStatus().getPhase()).isEqualTo(Phase.Running);
              assertThat(job("second-r1-1-dbversion")).isNotNull();
            });
  }
}
