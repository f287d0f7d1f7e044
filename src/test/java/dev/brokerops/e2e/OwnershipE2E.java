package dev.brokerops.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.brokerops.bench.Bench;
import dev.brokerops.referencebroker.ReferenceBrokerImages;
import dev.brokerops.upgrade.api.BrokerUpgrade;
import dev.brokerops.upgrade.api.Phase;
import dev.brokerops.upgrade.api.StepName;
import dev.brokerops.upgrade.api.StepStatus;
import dev.brokerops.upgrade.jobs.JobSpecFactory;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Whose Jobs are whose: a Job is adopted only when it is this run's step's, run ids never repeat
 * across a re-created BrokerUpgrade, and one Deployment never has two runs at once.
 */
class OwnershipE2E {

  @RegisterExtension
  @Order(1)
  static final Bench bench = Bench.full();

  @RegisterExtension
  @Order(2)
  static final OperatorProcess operator = OperatorProcess.forClass(bench);

  @Test
  void aJobUnderTheStepsNameIsNotAdoptedAndARecreatedBrokerUpgradeNeverReusesJobNames() {
    String namespace = bench.createNamespace("adoption");
    BrokerFixture broker = BrokerFixture.deploy(bench, namespace, "1.0.0", 2);
    BrokerUpgrades upgrades = new BrokerUpgrades(bench, namespace);
    // Somebody's Job that happens to carry the name of run r1's first step.
    Job stranger =
        new JobBuilder()
            .withNewMetadata()
            .withName(BrokerUpgrades.NAME + "-r1-1-dbversion")
            .addToLabels(JobSpecFactory.LABEL_MANAGED_BY, JobSpecFactory.MANAGED_BY)
            .endMetadata()
            .withNewSpec()
            .withSuspend(true)
            .withNewTemplate()
            .withNewSpec()
            .withRestartPolicy("Never")
            .addNewContainer()
            .withName("report")
            .withImage(ReferenceBrokerImages.image("1.0.0"))
            .withCommand("db-version")
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    bench.client().batch().v1().jobs().inNamespace(namespace).resource(stranger).create();
    long generation = broker.deployment().getMetadata().getGeneration();

    upgrades.apply("1.1.0", "");

    await("refused to adopt")
        .atMost(Duration.ofSeconds(30))
        .until(() -> upgrades.conditionIs("Degraded", "True"));
    assertThat(upgrades.condition("Degraded").orElseThrow().getReason()).isEqualTo("JobNotOurs");
    assertThat(upgrades.condition("Degraded").orElseThrow().getMessage())
        .contains(stranger.getMetadata().getName(), "not owned by this BrokerUpgrade");
    assertThat(upgrades.get().getStatus().getPhase()).isEqualTo(Phase.Blocked);
    await().atMost(Duration.ofSeconds(10)).until(() -> !upgrades.events("JobNotOurs").isEmpty());
    assertThat(broker.deployment().getMetadata().getGeneration()).isEqualTo(generation);
    assertThat(stranger(namespace).getSpec().getSuspend()).as("left as it was").isTrue();

    bench.client().resource(stranger).inNamespace(namespace).delete();
    assertThat(upgrades.waitReady(180).exitCode()).as(operator.log().toString()).isZero();
    List<String> firstJobs = jobNames(namespace);
    assertThat(firstJobs).allMatch(name -> name.contains("-r1-"));

    // Deleted with its Jobs kept, then created again: its first run is r2, nothing is adopted.
    assertThat(
            upgrades
                .kubectl()
                .run("delete", "bu/" + BrokerUpgrades.NAME, "-n", namespace, "--cascade=orphan")
                .succeeded())
        .isTrue();
    await().atMost(Duration.ofSeconds(30)).until(() -> upgrades.get() == null);
    upgrades.apply("1.2.0", "");

    assertThat(upgrades.waitReady(180).exitCode()).as(operator.log().toString()).isZero();
    BrokerUpgrade recreated = upgrades.get();
    assertThat(recreated.getStatus().getRun().getId()).isEqualTo("r2");
    assertThat(recreated.getStatus().getRun().getSteps())
        .map(StepStatus::getJob)
        .filteredOn(Objects::nonNull)
        .allMatch(name -> name.contains("-r2-"));
    assertThat(jobNames(namespace)).containsAll(firstJobs);
    broker.stopWritersAndAssertNoDowntime();
  }

  @Test
  void aBrokerUpgradeWithARunInFlightKeepsItsDeploymentAndNoTwoJobsOverlap() {
    String namespace = bench.createNamespace("owners");
    BrokerFixture broker = BrokerFixture.deploy(bench, namespace, "1.0.0", 2);
    BrokerUpgrades upgrades = new BrokerUpgrades(bench, namespace);
    // The older BrokerUpgrade manages another Deployment at first.
    applyAlpha(namespace, "elsewhere");
    await().atMost(Duration.ofSeconds(30)).until(() -> alpha(namespace).getStatus() != null);

    upgrades.apply("1.1.0", "");
    await("the run is in flight")
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () ->
                upgrades.get().getStatus() != null
                    && StepName.SchemaMigration.name()
                        .equals(upgrades.get().getStatus().getStep()));
    applyAlpha(namespace, BrokerFixture.DEPLOYMENT); // now it names the same Deployment

    await("the older one is refused while the other's run is in flight")
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                alpha(namespace).getStatus().getPhase() == Phase.Blocked
                    && alpha(namespace).getStatus().getConditions().stream()
                        .anyMatch(c -> "DeploymentOwnedByOther".equals(c.getReason())));
    assertThat(upgrades.waitReady(180).exitCode()).as(operator.log().toString()).isZero();
    // Once that run is over, the older BrokerUpgrade owns the Deployment (and, finding no record
    // of a data migration of its own at 1.1.0, runs one).
    await("the older one takes over")
        .atMost(Duration.ofMinutes(2))
        .until(
            () ->
                alpha(namespace).getStatus().getConditions().stream()
                    .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> upgrades.get().getStatus().getPhase() == Phase.Blocked);

    List<Job> jobs =
        bench.client().batch().v1().jobs().inNamespace(namespace).list().getItems().stream()
            .sorted(Comparator.comparing(job -> job.getMetadata().getCreationTimestamp()))
            .toList();
    assertThat(jobs)
        .extracting(job -> job.getMetadata().getName())
        .anyMatch(n -> n.startsWith("alpha-"));
    for (int i = 1; i < jobs.size(); i++) {
      Instant previousEnd = Instant.parse(jobs.get(i - 1).getStatus().getCompletionTime());
      assertThat(Instant.parse(jobs.get(i).getMetadata().getCreationTimestamp()))
          .as("Job " + jobs.get(i).getMetadata().getName() + " starts after the previous one ended")
          .isAfterOrEqualTo(previousEnd.minusSeconds(1));
    }
    assertThat(broker.runningVersion()).isEqualTo("1.1.0");

    // The owner goes: the refused claimant hears of it and takes over.
    bench.client().resources(BrokerUpgrade.class).inNamespace(namespace).withName("alpha").delete();
    assertThat(upgrades.waitReady(60).exitCode()).as(operator.log().toString()).isZero();
    assertThat(upgrades.get().getStatus().getPhase()).isNotEqualTo(Phase.Blocked);
    broker.stopWritersAndAssertNoDowntime();
  }

  private static void applyAlpha(String namespace, String deployment) {
    String manifest =
        """
        apiVersion: upgrades.brokerops.dev/v1alpha1
        kind: BrokerUpgrade
        metadata:
          name: alpha
          namespace: %s
        spec:
          deployment: %s
          version: "1.1.0"
        """
            .formatted(namespace, deployment);
    var result =
        new dev.brokerops.bench.Kubectl(bench.kubeconfig())
            .runWithInput(manifest, "apply", "-f", "-");
    assertThat(result.succeeded()).as(result.output()).isTrue();
  }

  private static BrokerUpgrade alpha(String namespace) {
    return bench
        .client()
        .resources(BrokerUpgrade.class)
        .inNamespace(namespace)
        .withName("alpha")
        .get();
  }

  private static Job stranger(String namespace) {
    return bench
        .client()
        .batch()
        .v1()
        .jobs()
        .inNamespace(namespace)
        .withName(BrokerUpgrades.NAME + "-r1-1-dbversion")
        .get();
  }

  private static List<String> jobNames(String namespace) {
    return bench.client().batch().v1().jobs().inNamespace(namespace).list().getItems().stream()
        .map(job -> job.getMetadata().getName())
        .toList();
  }
}
