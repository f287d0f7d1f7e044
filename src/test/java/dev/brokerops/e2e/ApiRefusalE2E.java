package dev.brokerops.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.brokerops.bench.Bench;
import dev.brokerops.bench.Kubectl;
import dev.brokerops.upgrade.api.Phase;
import dev.brokerops.upgrade.api.StepName;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the user sees when the API server refuses the operator's change (a ResourceQuota, an
 * admission policy): Degraded quoting the API server, one Warning, the Deployment untouched, and
 * the run going on by itself once the refusal is lifted.
 */
class ApiRefusalE2E {

  @RegisterExtension
  @Order(1)
  static final Bench bench = Bench.full();

  @RegisterExtension
  @Order(2)
  static final OperatorProcess operator = OperatorProcess.forClass(bench);

  @Test
  void aQuotaThatRefusesJobsDegradesTheUpgradeUntilItIsLifted() {
    String namespace = bench.createNamespace("quota");
    BrokerFixture broker = BrokerFixture.deploy(bench, namespace, "1.0.0", 1);
    long generation = broker.deployment().getMetadata().getGeneration();
    Kubectl kubectl = new Kubectl(bench.kubeconfig());
    apply(
        kubectl,
        """
        apiVersion: v1
        kind: ResourceQuota
        metadata:
          name: no-jobs
          namespace: %s
        spec:
          hard:
            count/jobs.batch: "0"
        """
            .formatted(namespace));
    // Until the quota controller has counted, admission refuses with "status unknown" instead.
    await("quota usage counted")
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              var quota =
                  bench.client().resourceQuotas().inNamespace(namespace).withName("no-jobs").get();
              return quota.getStatus() != null
                  && quota.getStatus().getUsed() != null
                  && quota.getStatus().getUsed().containsKey("count/jobs.batch");
            });
    BrokerUpgrades upgrades = new BrokerUpgrades(bench, namespace);

    upgrades.apply("1.1.0", "");

    await("Degraded quotes the quota")
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                upgrades
                    .condition("Degraded")
                    .filter(c -> c.getStatus().equals("True"))
                    .filter(c -> c.getReason().equals("JobRefused"))
                    .isPresent());
    String message = upgrades.condition("Degraded").orElseThrow().getMessage();
    assertThat(message)
        .contains("create Job pactflow-r1-1-dbversion", "HTTP 403", "exceeded quota: no-jobs");
    assertThat(upgrades.get().getStatus().getPhase()).isEqualTo(Phase.Blocked);
    assertThat(upgrades.conditionIs("Ready", "False")).isTrue();
    assertThat(upgrades.kubectl().run("get", "bu", "-n", namespace).output()).contains("Blocked");
    await("one Warning event")
        .atMost(Duration.ofSeconds(10))
        .until(() -> !upgrades.events("JobRefused").isEmpty());
    assertThat(upgrades.events("JobRefused"))
        .singleElement()
        .satisfies(
            event -> {
              assertThat(event.getType()).isEqualTo("Warning");
              assertThat(event.getMessage()).contains("exceeded quota: no-jobs");
            });
    // The operator keeps retrying (5 s, then as long as the refusal has lasted): each retry is
    // refused the same way and tells nobody again.
    await("retries tell nothing new")
        .during(Duration.ofSeconds(12))
        .atMost(Duration.ofSeconds(15))
        .until(() -> upgrades.events("JobRefused").size() == 1);
    assertThat(upgrades.logged(operator, "StepStarted")).as("no step started").isEmpty();
    assertThat(upgrades.jobsOf(StepName.RecordDatabaseVersion)).isEmpty();
    assertThat(broker.deployment().getMetadata().getGeneration()).isEqualTo(generation);

    bench.client().resourceQuotas().inNamespace(namespace).withName("no-jobs").delete();

    assertThat(upgrades.waitReady(300).exitCode()).as(operator.log().toString()).isZero();
    assertThat(upgrades.get().getStatus().getPhase()).isEqualTo(Phase.Succeeded);
    assertThat(upgrades.conditionIs("Degraded", "False")).isTrue();
    assertThat(broker.runningVersion()).isEqualTo("1.1.0");
    broker.stopWritersAndAssertNoDowntime();
  }

  @Test
  void anAdmissionPolicyThatRefusesTheRolloutDegradesTheUpgradeUntilItIsLifted() {
    String namespace = bench.createNamespace("policy");
    BrokerFixture broker = BrokerFixture.deploy(bench, namespace, "1.0.0", 1);
    Kubectl kubectl = new Kubectl(bench.kubeconfig());
    String policy = "image-freeze-" + namespace;
    // A change freeze as a platform team writes it: Deployments in this namespace keep their
    // images.
    apply(
        kubectl,
        """
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicy
        metadata:
          name: %1$s
        spec:
          failurePolicy: Fail
          matchConstraints:
            resourceRules:
              - apiGroups: ["apps"]
                apiVersions: ["v1"]
                operations: ["UPDATE"]
                resources: ["deployments"]
          validations:
            - expression: >-
                object.spec.template.spec.containers.all(c,
                oldObject.spec.template.spec.containers.exists(o,
                o.name == c.name && o.image == c.image))
              message: "change freeze: Deployment images may not change in this namespace"
        ---
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicyBinding
        metadata:
          name: %1$s
        spec:
          policyName: %1$s
          validationActions: [Deny]
          matchResources:
            namespaceSelector:
              matchLabels:
                kubernetes.io/metadata.name: %2$s
        """
            .formatted(policy, namespace));
    // The API server learns of a policy through its own informer: wait until it refuses.
    await("policy in force")
        .atMost(Duration.ofSeconds(30))
        .until(() -> imageChangeRefused(namespace));
    BrokerUpgrades upgrades = new BrokerUpgrades(bench, namespace);

    upgrades.apply("1.1.0", "");

    await("Degraded quotes the policy")
        .atMost(Duration.ofSeconds(120))
        .until(
            () ->
                upgrades
                    .condition("Degraded")
                    .filter(c -> c.getStatus().equals("True"))
                    .filter(c -> c.getReason().equals("DeploymentPatchRefused"))
                    .isPresent());
    assertThat(upgrades.condition("Degraded").orElseThrow().getMessage())
        .contains("patch Deployment pactflow", "change freeze: Deployment images may not change");
    assertThat(upgrades.get().getStatus().getPhase()).isEqualTo(Phase.Blocked);
    await("a Warning event")
        .atMost(Duration.ofSeconds(10))
        .until(() -> !upgrades.events("DeploymentPatchRefused").isEmpty());
    List<Event> refused = upgrades.events("DeploymentPatchRefused");
    assertThat(refused)
        .singleElement()
        .satisfies(
            event -> {
              assertThat(event.getType()).isEqualTo("Warning");
              assertThat(event.getMessage()).contains("change freeze");
            });
    assertThat(broker.runningVersion()).as("the Deployment keeps its image").isEqualTo("1.0.0");
    assertThat(upgrades.jobsOf(StepName.SchemaMigration))
        .as("the steps before the rollout ran")
        .hasSize(1);
    assertThat(upgrades.jobsOf(StepName.DataMigration)).isEmpty();

    assertThat(
            kubectl
                .run("delete", "validatingadmissionpolicybinding", policy, "--wait=true")
                .exitCode())
        .isZero();

    assertThat(upgrades.waitReady(300).exitCode()).as(operator.log().toString()).isZero();
    assertThat(upgrades.get().getStatus().getPhase()).isEqualTo(Phase.Succeeded);
    assertThat(upgrades.conditionIs("Degraded", "False")).isTrue();
    assertThat(broker.runningVersion()).isEqualTo("1.1.0");
    kubectl.run("delete", "validatingadmissionpolicy", policy);
    broker.stopWritersAndAssertNoDowntime();
  }

  private static void apply(Kubectl kubectl, String yaml) {
    Kubectl.Result result = kubectl.runWithInput(yaml, "apply", "-f", "-");
    assertThat(result.succeeded()).as(result.output()).isTrue();
  }

  /** A server-side dry run of an image change: refused once the policy is in force. */
  private static boolean imageChangeRefused(String namespace) {
    try {
      bench
          .client()
          .apps()
          .deployments()
          .inNamespace(namespace)
          .withName(BrokerFixture.DEPLOYMENT)
          .dryRun()
          .patch(
              PatchContext.of(PatchType.STRATEGIC_MERGE),
              """
              {"spec":{"template":{"spec":{"containers":[
                {"name":"%s","image":"dry-run:0.0.0"}]}}}}
              """
                  .formatted(BrokerFixture.CONTAINER));
      return false;
    } catch (KubernetesClientException e) {
      return e.getMessage().contains("change freeze");
    }
  }
}
