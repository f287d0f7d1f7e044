package dev.brokerops.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.brokerops.bench.Bench;
import dev.brokerops.bench.Kubectl;
import dev.brokerops.upgrade.api.BrokerUpgrade;
import dev.brokerops.upgrade.api.StepName;
import dev.brokerops.upgrade.api.StepState;
import dev.brokerops.upgrade.api.StepStatus;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The install as a platform team applies it: {@code kubectl apply -k manifests/} runs two operator
 * pods, in-cluster, with their own service account and nothing but their roles; one leads, the
 * other takes over when the leader goes mid-run. The namespaced overlay upgrades a broker in its
 * namespace under nothing but its Role.
 */
class InstallE2E {

  private static final Logger LOG = LoggerFactory.getLogger(InstallE2E.class);
  private static final String SYSTEM = "brokerops-system";
  private static final String OPERATOR = "brokerupgrade-operator";
  // JOSDK's defaults: a standby may take the Lease 15 s after the leader's last renewal, and
  // tries every 2 s.
  private static final Duration LEASE_DURATION = Duration.ofSeconds(15);
  private static final Duration RETRY_PERIOD = Duration.ofSeconds(2);

  @RegisterExtension static final Bench bench = Bench.full();

  private static Kubectl kubectl;

  @BeforeAll
  static void buildTheOperatorImage() {
    OperatorImage.build(bench.images());
    kubectl = new Kubectl(bench.kubeconfig());
  }

  @AfterEach
  void uninstallOperators() {
    // other test classes run their own operator: leave no second one behind
    for (String namespace : List.of(SYSTEM, NAMESPACED)) {
      kubectl.run(
          "delete",
          "deployment",
          OPERATOR,
          "-n",
          namespace,
          "--ignore-not-found",
          "--wait=true",
          "--timeout=60s");
    }
    await("operator pods gone")
        .atMost(Duration.ofMinutes(1))
        .until(() -> operatorPods(SYSTEM).isEmpty() && operatorPods(NAMESPACED).isEmpty());
  }

  @Test
  void twoReplicasOneLeadsAndTheStandbyFinishesTheRunWhenTheLeaderGoes() throws Exception {
    Kubectl.Result installed =
        kubectl.run("apply", "--server-side", "--force-conflicts", "-k", "manifests");
    assertThat(installed.exitCode()).as(installed.output()).isZero();
    List<Pod> pods = awaitReadyOperators(SYSTEM, 2);
    String leader = awaitLeader(SYSTEM);
    Pod leaderPod = pod(pods, leader);
    Pod standbyPod = pods.stream().filter(p -> p != leaderPod).findFirst().orElseThrow();
    for (Pod pod : pods) {
      assertThat(pod.getSpec().getServiceAccountName()).isEqualTo(OPERATOR);
      assertThat(pod.getSpec().getContainers().get(0).getImage())
          .isEqualTo(OperatorImage.REPOSITORY + ":" + OperatorImage.TAG);
    }
    // the standby is ready, and says it stands by rather than looking broken
    assertThat(get(leaderPod, 8081, "/readyz")).isEqualTo("ok: leader " + leader + "\n");
    // (the standby learns who leads at its next try for the Lease)
    await("the standby names the leader")
        .atMost(RETRY_PERIOD.plusSeconds(10))
        .until(
            () -> get(standbyPod, 8081, "/readyz"),
            body ->
                body.equals(
                    "ok: standby "
                        + standbyPod.getMetadata().getName()
                        + ", leader is "
                        + leader
                        + "\n"));

    String namespace = bench.createNamespace("installed");
    // old pods drain for a few seconds, so the rollout lasts long enough to lose the leader in it
    BrokerFixture broker =
        BrokerFixture.deploy(bench, namespace, "1.0.0", 3, BrokerFixture.Shutdown.draining(4));
    BrokerUpgrades upgrades = new BrokerUpgrades(bench, namespace);
    upgrades.apply("1.1.0", "");

    try {
      await("the run's Rollout step")
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> StepName.Rollout.name().equals(stepOf(upgrades)));
    } catch (RuntimeException e) {
      throw new AssertionError(
          "no Rollout step; BrokerUpgrade:\n"
              + upgrades.kubectl().run("get", "bu", "-n", namespace, "-o", "yaml").output()
              + "\noperator logs:\n"
              + operatorLogs(SYSTEM),
          e);
    }
    Instant killed = Instant.now();
    bench.client().pods().inNamespace(SYSTEM).withName(leader).delete();
    // the Lease's own clock: the old leader's last renewal, then the new leader's acquisition
    AtomicReference<ZonedDateTime> lastRenewal = new AtomicReference<>();
    Lease taken =
        await("a new leader")
            .atMost(LEASE_DURATION.plus(RETRY_PERIOD).plusSeconds(20))
            .pollInterval(Duration.ofMillis(100))
            .until(
                () -> lease(SYSTEM),
                lease -> {
                  if (leader.equals(lease.getSpec().getHolderIdentity())) {
                    lastRenewal.set(lease.getSpec().getRenewTime());
                    return false;
                  }
                  return lease.getSpec().getHolderIdentity() != null;
                });
    String newLeader = taken.getSpec().getHolderIdentity();
    Duration takeover = Duration.between(lastRenewal.get(), taken.getSpec().getAcquireTime());
    LOG.info(
        "{} took the Lease {} ms after the leader's last renewal ({} ms after its pod was deleted)",
        newLeader,
        takeover.toMillis(),
        Duration.between(killed, Instant.now()).toMillis());
    // the standby, or the replica the ReplicaSet started in the leader's place, whichever takes
    // the Lease first
    assertThat(newLeader).isNotEqualTo(leader);
    // a standby sees the last renewal at its next try (every retry period), counts the lease
    // duration from then, and takes the Lease at its first try after that
    assertThat(takeover)
        .as("a standby takes over once the lease has expired")
        .isGreaterThanOrEqualTo(LEASE_DURATION)
        .isLessThanOrEqualTo(LEASE_DURATION.plus(RETRY_PERIOD.multipliedBy(2)).plusSeconds(1));

    Kubectl.Result waited = upgrades.waitReady(300);
    assertThat(waited.exitCode()).as(() -> waited.output() + "\n" + operatorLogs(SYSTEM)).isZero();
    assertThat(broker.runningVersion()).isEqualTo("1.1.0");
    BrokerUpgrade upgrade = upgrades.get();
    List<StepStatus> steps = upgrade.getStatus().getRun().getSteps();
    assertThat(steps).allSatisfy(s -> assertThat(s.getState()).isEqualTo(StepState.Succeeded));
    assertThat(steps.stream().map(s -> s.getName() + "@" + s.getHop()))
        .as("no step twice")
        .doesNotHaveDuplicates();
    upgrades.assertEachJobStepRanOnce();
    assertThat(upgrade.getStatus().getHistory()).hasSize(1);

    // the Deployment's image and auto-migrate variable are the operator's fields, under its name
    assertThat(broker.deployment().getMetadata().getManagedFields())
        .filteredOn(entry -> OPERATOR.equals(entry.getManager()))
        .singleElement()
        .extracting(ManagedFieldsEntry::getFieldsV1)
        .satisfies(
            fields ->
                assertThat(bench.client().getKubernetesSerialization().asJson(fields))
                    .contains("\"f:image\"", "PACTFLOW_DATABASE_AUTO_MIGRATE"));

    // the new leader's metrics show the run and the steps it carried out
    Pod leading = bench.client().pods().inNamespace(SYSTEM).withName(newLeader).get();
    String metrics = get(leading, 8080, "/metrics");
    assertThat(metrics)
        .contains("brokerupgrade_runs_total{result=\"Succeeded\",type=\"Upgrade\"} 1.0")
        .contains(
            "brokerupgrade_step_duration_seconds_count{result=\"Succeeded\",step=\"DataMigration\"} 1")
        .contains(
            "brokerupgrade_phase{name=\"pactflow\",namespace=\""
                + namespace
                + "\",phase=\"Succeeded\"} 1.0")
        .contains("brokerupgrade_runs_in_progress 0.0")
        .contains("operator_sdk_reconciliations_");

    broker.stopWritersAndAssertNoDowntime();
  }

  private static final String NAMESPACED = "pactflow";

  @Test
  void theNamespacedOverlayUpgradesABrokerInItsNamespaceUnderItsRoleAlone() {
    bench
        .client()
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(NAMESPACED).endMetadata().build())
        .serverSideApply();
    await("default ServiceAccount in " + NAMESPACED)
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                bench.client().serviceAccounts().inNamespace(NAMESPACED).withName("default").get()
                    != null);
    // a cluster admin installs the CRD once; the team applies the overlay, unchanged
    assertThat(kubectl.run("apply", "--server-side", "--force-conflicts", "-k", "crds").exitCode())
        .isZero();
    Kubectl.Result installed =
        kubectl.run(
            "apply", "--server-side", "--force-conflicts", "-k", "manifests/overlays/namespaced");
    assertThat(installed.exitCode()).as(installed.output()).isZero();
    awaitReadyOperators(NAMESPACED, 2);
    awaitLeader(NAMESPACED);

    String serviceAccount = "system:serviceaccount:" + NAMESPACED + ":" + OPERATOR;
    assertThat(canI(serviceAccount, "list", "jobs", "-n", NAMESPACED)).isTrue();
    assertThat(canI(serviceAccount, "list", "jobs", "--all-namespaces"))
        .as("nothing beyond its namespace")
        .isFalse();
    assertThat(canI(serviceAccount, "get", "secrets", "-n", NAMESPACED)).isFalse();

    BrokerFixture broker = BrokerFixture.deploy(bench, NAMESPACED, "1.0.0", 2);
    BrokerUpgrades upgrades = new BrokerUpgrades(bench, NAMESPACED);
    upgrades.apply("1.1.0", "");

    Kubectl.Result waited = upgrades.waitReady(300);
    assertThat(waited.exitCode())
        .as(() -> waited.output() + "\n" + operatorLogs(NAMESPACED))
        .isZero();
    assertThat(broker.runningVersion()).isEqualTo("1.1.0");
    broker.stopWritersAndAssertNoDowntime();
  }

  @Test
  void editorsMayWriteBrokerUpgradesAndViewersOnlyReadThem() {
    Kubectl.Result installed =
        kubectl.run("apply", "--server-side", "--force-conflicts", "-k", "manifests");
    assertThat(installed.exitCode()).as(installed.output()).isZero();
    String namespace = bench.createNamespace("rbac");
    assertThat(
            kubectl
                .run(
                    "create",
                    "rolebinding",
                    "editor",
                    "--clusterrole=edit",
                    "--user=erin",
                    "-n",
                    namespace)
                .exitCode())
        .isZero();
    assertThat(
            kubectl
                .run(
                    "create",
                    "rolebinding",
                    "viewer",
                    "--clusterrole=view",
                    "--user=vic",
                    "-n",
                    namespace)
                .exitCode())
        .isZero();

    // the built-in roles gain BrokerUpgrades once the aggregation controller folds ours in
    await("edit aggregates brokerupgrades")
        .atMost(Duration.ofSeconds(30))
        .until(() -> canI("erin", "create", "brokerupgrades", "-n", namespace));
    assertThat(canI("erin", "patch", "brokerupgrades", "-n", namespace)).isTrue();
    assertThat(canI("erin", "delete", "brokerupgrades", "-n", namespace)).isTrue();
    assertThat(canI("vic", "get", "brokerupgrades", "-n", namespace)).isTrue();
    assertThat(canI("vic", "list", "brokerupgrades", "-n", namespace)).isTrue();
    assertThat(canI("vic", "create", "brokerupgrades", "-n", namespace)).isFalse();
    assertThat(canI("vic", "patch", "brokerupgrades", "-n", namespace)).isFalse();
    assertThat(canI("vic", "patch", "brokerupgrades/status", "-n", namespace)).isFalse();
  }

  private static boolean canI(String user, String verb, String resource, String... scope) {
    String[] args = new String[5 + scope.length];
    args[0] = "auth";
    args[1] = "can-i";
    args[2] = verb;
    args[3] = resource;
    args[4] = "--as=" + user;
    System.arraycopy(scope, 0, args, 5, scope.length);
    return kubectl.run(args).output().strip().endsWith("yes");
  }

  private static String stepOf(BrokerUpgrades upgrades) {
    return Optional.ofNullable(upgrades.get())
        .map(BrokerUpgrade::getStatus)
        .map(status -> status.getStep())
        .orElse("");
  }

  private static List<Pod> awaitReadyOperators(String namespace, int count) {
    return await(count + " operator pods ready in " + namespace)
        .atMost(Duration.ofMinutes(2))
        .until(
            () -> operatorPods(namespace),
            pods ->
                pods.size() == count
                    && pods.stream()
                        .allMatch(
                            p ->
                                p.getStatus().getConditions().stream()
                                    .anyMatch(
                                        c ->
                                            c.getType().equals("Ready")
                                                && c.getStatus().equals("True"))));
  }

  private static String awaitLeader(String namespace) {
    try {
      return await("a leader in " + namespace)
          .atMost(LEASE_DURATION.plus(RETRY_PERIOD).plusSeconds(30))
          .until(() -> holder(namespace), Optional::isPresent)
          .orElseThrow();
    } catch (RuntimeException e) {
      throw new AssertionError("no leader; operator logs:\n" + operatorLogs(namespace), e);
    }
  }

  private static String operatorLogs(String namespace) {
    StringBuilder logs = new StringBuilder();
    for (Pod pod : operatorPods(namespace)) {
      logs.append("--- ")
          .append(pod.getMetadata().getName())
          .append('\n')
          .append(bench.containerLog(pod, "operator").orElse("(no log)"))
          .append('\n');
    }
    return logs.toString();
  }

  private static Lease lease(String namespace) {
    return bench.client().leases().inNamespace(namespace).withName(OPERATOR).get();
  }

  private static Optional<String> holder(String namespace) {
    Lease lease = lease(namespace);
    return Optional.ofNullable(lease)
        .map(l -> l.getSpec().getHolderIdentity())
        .filter(holder -> !holder.isBlank())
        // a deleted leader's pod is gone from the API first; its name may linger in the Lease
        .filter(
            holder ->
                operatorPods(namespace).stream()
                    .anyMatch(p -> p.getMetadata().getName().equals(holder)));
  }

  private static Pod pod(List<Pod> pods, String name) {
    return pods.stream()
        .filter(p -> p.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("the leader " + name + " is not an operator pod"));
  }

  private static List<Pod> operatorPods(String namespace) {
    return bench
        .client()
        .pods()
        .inNamespace(namespace)
        .withLabel("app.kubernetes.io/name", OPERATOR)
        .list()
        .getItems()
        .stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .toList();
  }

  /** What the kubelet and Prometheus see: an HTTP GET to the pod's IP. */
  private static String get(Pod pod, int port, String path) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create("http://" + pod.getStatus().getPodIP() + ":" + port + path))
            .timeout(Duration.ofSeconds(10))
            .build();
    HttpResponse<String> response =
        HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
    return response.body();
  }
}
