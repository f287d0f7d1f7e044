package dev.brokerops.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.brokerops.bench.Bench;
import dev.brokerops.bench.Kubectl;
import dev.brokerops.referencebroker.ReferenceBrokerImages;
import dev.brokerops.upgrade.api.BrokerUpgrade;
import dev.brokerops.upgrade.api.StepName;
import dev.brokerops.upgrade.jobs.JobRequest;
import dev.brokerops.upgrade.jobs.JobSpecFactory;
import dev.brokerops.upgrade.plan.BrokerContainer;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The procedure's steps driven by a test instead of the operator: each Job built the one way the
 * operator builds Jobs, owned by a paused BrokerUpgrade, and the rollout as one kubectl patch.
 */
final class ProcedureByHand {

  private final Bench bench;
  private final BrokerUpgrade owner;
  private final String namespace;

  /** {@code owner} must be paused, so that no operator acts on it meanwhile. */
  ProcedureByHand(Bench bench, BrokerUpgrade owner) {
    this.bench = bench;
    this.owner = owner;
    this.namespace = owner.getMetadata().getNamespace();
  }

  /** Runs one step's Job to completion; fails the test if the Job fails. */
  void runJob(int index, StepName step, String tag, String command) {
    var deployment =
        bench
            .client()
            .apps()
            .deployments()
            .inNamespace(namespace)
            .withName(BrokerFixture.DEPLOYMENT)
            .get();
    var found = (BrokerContainer.Lookup.Found) BrokerContainer.find(deployment, null);
    Job job =
        JobSpecFactory.build(
            owner,
            deployment,
            found.container().container(),
            JobRequest.forStep(
                owner.getMetadata().getName(),
                "manual",
                index,
                step,
                tag,
                ReferenceBrokerImages.image(tag),
                List.of(command),
                Map.of()));
    bench.client().batch().v1().jobs().inNamespace(namespace).resource(job).create();
    await(step + " Job complete")
        .atMost(Duration.ofMinutes(1))
        .until(
            () -> {
              Job current =
                  bench
                      .client()
                      .batch()
                      .v1()
                      .jobs()
                      .inNamespace(namespace)
                      .withName(job.getMetadata().getName())
                      .get();
              var conditions =
                  current.getStatus() == null ? null : current.getStatus().getConditions();
              if (conditions != null
                  && conditions.stream()
                      .anyMatch(
                          c -> c.getType().equals("Failed") && c.getStatus().equals("True"))) {
                throw new AssertionError(step + " Job failed: " + conditions);
              }
              return conditions != null
                  && conditions.stream()
                      .anyMatch(
                          c -> c.getType().equals("Complete") && c.getStatus().equals("True"));
            });
  }

  /**
   * Step 3's change, as the seed says: the image and auto-migrate off in one patch. Returns at
   * once; the rollout goes on.
   */
  void startRollout(String tag) {
    Kubectl.Result patched =
        new Kubectl(bench.kubeconfig())
            .run(
                "patch",
                "deployment",
                BrokerFixture.DEPLOYMENT,
                "-n",
                namespace,
                "--type=strategic",
                "-p",
                """
                {"spec":{"template":{"spec":{"containers":[{"name":"%s","image":"%s",
                 "env":[{"name":"PACTFLOW_DATABASE_AUTO_MIGRATE","value":"false"}]}]}}}}
                """
                    .formatted(BrokerFixture.CONTAINER, ReferenceBrokerImages.image(tag)));
    assertThat(patched.exitCode()).as(patched.output()).isZero();
  }
}
