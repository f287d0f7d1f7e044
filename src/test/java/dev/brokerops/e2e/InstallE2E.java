package dev.brokerops.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.brokerops.bench.Bench;
import dev.brokerops.bench.Kubectl;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The install as a platform team applies it: {@code kubectl apply -k manifests/} runs the operator
 * as a pod, in-cluster, with its own service account and nothing but its ClusterRole, and it
 * upgrades a broker.
 */
class InstallE2E {

  private static final String SYSTEM = "brokerops-system";

  @RegisterExtension static final Bench bench = Bench.full();

  @AfterAll
  static void uninstallOperator() {
    // other test classes run their own operator: leave no second one behind
    new Kubectl(bench.kubeconfig())
        .run(
            "delete",
            "deployment",
            "brokerupgrade-operator",
            "-n",
            SYSTEM,
            "--wait=true",
            "--timeout=60s");
  }

  @Test
  void theInstalledOperatorUpgradesABrokerThroughItsOwnServiceAccount() {
    String image = OperatorImage.build(bench.images());
    Kubectl kubectl = new Kubectl(bench.kubeconfig());

    Kubectl.Result installed =
        kubectl.run("apply", "--server-side", "--force-conflicts", "-k", "manifests");
    assertThat(installed.exitCode()).as(installed.output()).isZero();
    await("operator pod ready")
        .atMost(Duration.ofMinutes(1))
        .until(
            () ->
                operatorPods().stream()
                    .anyMatch(
                        p ->
                            p.getStatus().getConditions().stream()
                                .anyMatch(
                                    c ->
                                        c.getType().equals("Ready")
                                            && c.getStatus().equals("True"))));
    Pod operatorPod = operatorPods().get(0);
    assertThat(operatorPod.getSpec().getServiceAccountName()).isEqualTo("brokerupgrade-operator");
    assertThat(operatorPod.getSpec().getContainers().get(0).getImage()).isEqualTo(image);

    String namespace = bench.createNamespace("installed");
    BrokerFixture broker = BrokerFixture.deploy(bench, namespace, "1.0.0", 2);
    BrokerUpgrades upgrades = new BrokerUpgrades(bench, namespace);
    upgrades.apply("1.1.0", "");

    assertThat(upgrades.waitReady(300).exitCode()).isZero();
    assertThat(broker.runningVersion()).isEqualTo("1.1.0");
    broker.stopWritersAndAssertNoDowntime();
    assertThat(operatorPods().get(0).getStatus().getContainerStatuses().get(0).getRestartCount())
        .as("the operator never restarted")
        .isZero();
  }

  private static List<Pod> operatorPods() {
    return bench
        .client()
        .pods()
        .inNamespace(SYSTEM)
        .withLabel("app.kubernetes.io/name", "brokerupgrade-operator")
        .list()
        .getItems();
  }
}
