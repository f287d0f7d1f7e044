package dev.brokerops.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.brokerops.bench.Bench;
import dev.brokerops.upgrade.api.Phase;
import dev.brokerops.upgrade.api.StepName;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Checks before anything is touched: a paused Deployment, somebody else's rollout in progress, and
 * a Deployment that cannot upgrade without downtime.
 */
class PreflightE2E {

  @RegisterExtension
  @Order(1)
  static final Bench bench = Bench.full();

  @RegisterExtension
  @Order(2)
  static final OperatorProcess operator = OperatorProcess.forClass(bench);

  @Test
  void aPausedDeploymentIsBlockedUntilResumedAndOneReplicaIsWarnedAbout() {
    String namespace = bench.createNamespace("paused");
    BrokerFixture broker = BrokerFixture.deploy(bench, namespace, "1.0.0", 1);
    BrokerUpgrades upgrades = new BrokerUpgrades(bench, namespace);
    var kubectl = upgrades.kubectl();
    assertThat(kubectl.run("rollout", "pause", "deployment/pactflow", "-n", namespace).succeeded())
        .isTrue();
    long generation = broker.deployment().getMetadata().getGeneration();

    upgrades.apply("1.1.0", "");

    await("blocked")
        .atMost(Duration.ofSeconds(30))
        .until(() -> degraded(upgrades).filter("DeploymentPaused"::equals).isPresent());
    assertThat(upgrades.get().getStatus().getPhase()).isEqualTo(Phase.Blocked);
    assertThat(upgrades.condition("Degraded").map(Condition::getMessage).orElseThrow())
        .contains("spec.paused: true", "kubectl rollout resume deployment/pactflow");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> !upgrades.events("DeploymentPaused").isEmpty());
    assertThat(upgrades.kubectl().run("get", "bu", "-n", namespace).output()).contains("Blocked");
    assertThat(upgrades.jobsOf(StepName.RecordDatabaseVersion)).as("nothing ran").isEmpty();
    assertThat(broker.deployment().getMetadata().getGeneration()).isEqualTo(generation);

    assertThat(kubectl.run("rollout", "resume", "deployment/pactflow", "-n", namespace).succeeded())
        .isTrue();

    assertThat(upgrades.waitReady(180).exitCode()).as(operator.log().toString()).isZero();
    assertThat(broker.runningVersion()).isEqualTo("1.1.0");
    assertThat(upgrades.events("NotZeroDowntime"))
        .singleElement()
        .satisfies(
            event -> {
              assertThat(event.getType()).isEqualTo("Warning");
              assertThat(event.getMessage()).contains("1 replica");
            });
    assertThat(upgrades.get().getStatus().getRun().getSteps().get(0).getMessage())
        .contains("not zero-downtime: 1 replica");
  }

  @Test
  void aRolloutSomebodyElseStartedIsWaitedForNeverRunOver() {
    String namespace = bench.createNamespace("rolling");
    BrokerFixture broker = BrokerFixture.deploy(bench, namespace, "1.0.0", 2);
    BrokerConfigFault config = BrokerConfigFault.install(bench, broker, 600);
    BrokerUpgrades upgrades = new BrokerUpgrades(bench, namespace);
    config.breakIt();
    // Somebody changes the Deployment; its new pod crashes, so that rollout stays in progress.
    assertThat(
            upgrades
                .kubectl()
                .run("set", "env", "deployment/pactflow", "-n", namespace, "TEAM=payments")
                .succeeded())
        .isTrue();
    long generation = broker.deployment().getMetadata().getGeneration();

    upgrades.apply("1.1.0", "");

    await("blocked")
        .atMost(Duration.ofSeconds(30))
        .until(() -> degraded(upgrades).filter("RolloutInProgress"::equals).isPresent());
    assertThat(upgrades.condition("Degraded").map(Condition::getMessage).orElseThrow())
        .contains("is rolling out already", "the run starts when that rollout is complete");
    assertThat(upgrades.jobsOf(StepName.RecordDatabaseVersion)).as("nothing ran").isEmpty();
    assertThat(broker.deployment().getMetadata().getGeneration()).isEqualTo(generation);

    config.fix(); // that rollout can finish now; the upgrade follows by itself

    assertThat(upgrades.waitReady(240).exitCode()).as(operator.log().toString()).isZero();
    assertThat(broker.runningVersion()).isEqualTo("1.1.0");
    assertThat(
            broker.deployment().getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
        .anyMatch(env -> env.getName().equals("TEAM") && "payments".equals(env.getValue()));
    broker.stopWritersAndAssertNoDowntime();
  }

  private static java.util.Optional<String> degraded(BrokerUpgrades upgrades) {
    return upgrades
        .condition("Degraded")
        .filter(c -> "True".equals(c.getStatus()))
        .map(Condition::getReason);
  }
}
