package dev.brokerops.e2e;

import dev.brokerops.bench.Bench;
import dev.brokerops.bench.Kubectl;
import dev.brokerops.referencebroker.ReferenceBrokerImages;
import dev.brokerops.referencebroker.WriterCounters;
import dev.brokerops.upgrade.api.BrokerUpgrade;
import dev.brokerops.upgrade.api.StepName;
import dev.brokerops.upgrade.jobs.JobSpecFactory;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/** PactFlow's no-downtime upgrade, run by the operator on the bench against the reference broker. */
class UpgradeE2E {

  @RegisterExtension
  static final Bench bench = Bench.full();

  private static OperatorProcess operator;
  private static Kubectl kubectl;

  @BeforeAll
  static void startOperator() {
    operator = OperatorProcess.start(bench);
    kubectl = new Kubectl(bench.kubeconfig());
  }

  @AfterAll
  static void stopOperator() {
    operator.close();
  }

  @Test
  void minorUpgradeRunsTheStepsInOrderWithNoDowntime() {
    upgradesWithNoDowntime("1.0.0", "1.1.0");
  }

  @Test
  void majorUpgradeFromTheNewestPatchRunsTheStepsInOrderWithNoDowntime() {
    upgradesWithNoDowntime("1.2.0", "2.0.0");
  }

  private void upgradesWithNoDowntime(String from, String to) {
    String namespace = bench.createNamespace("upgrade");
    BrokerFixture broker = BrokerFixture.deploy(bench, namespace, from, 3);

    // a major upgrade needs the list that proves `from` is the newest patch of its major
    String manifest = brokerUpgrade(namespace, to) + """
          versionPolicy:
            availableVersions: ["1.0.0", "1.1.0", "1.2.0", "2.0.0", "2.1.0"]
        """;
    Kubectl.Result applied = kubectl.runWithInput(manifest, "apply", "-f", "-");
    assertThat(applied.exitCode()).as(applied.output()).isZero();
    Kubectl.Result waited = kubectl.run("wait", "--for=condition=Ready", "bu/pactflow", "-n", namespace,
        "--timeout=300s");
    assertThat(waited.exitCode()).as(waited.output() + "\noperator log: " + operator.log()).isZero();

    // the Deployment runs the target with auto-migrate off
    assertThat(broker.runningVersion()).isEqualTo(to);
    assertThat(broker.deployment().getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
        .anySatisfy(e -> {
          assertThat(e.getName()).isEqualTo("PACTFLOW_DATABASE_AUTO_MIGRATE");
          assertThat(e.getValue()).isEqualTo("false");
        });

    // the steps ran in order: Job creation and the Deployment's change prove it
    Job record = stepJob(namespace, StepName.RecordDatabaseVersion);
    Job schema = stepJob(namespace, StepName.SchemaMigration);
    Job data = stepJob(namespace, StepName.DataMigration);
    Instant schemaDone = Instant.parse(schema.getStatus().getCompletionTime());
    Instant deploymentChanged = newestReplicaSetCreated(namespace);
    assertThat(created(record)).isBeforeOrEqualTo(created(schema));
    assertThat(Instant.parse(record.getStatus().getCompletionTime())).isBeforeOrEqualTo(created(schema));
    assertThat(deploymentChanged).as("the Deployment is untouched until the schema migration completed")
        .isAfterOrEqualTo(schemaDone);
    assertThat(created(data)).isAfterOrEqualTo(deploymentChanged);
    assertThat(schema.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo(ReferenceBrokerImages.REPOSITORY + ":" + to);
    assertThat(record.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo(ReferenceBrokerImages.REPOSITORY + ":" + from);

    BrokerUpgrade upgrade = bench.client().resources(BrokerUpgrade.class).inNamespace(namespace).withName("pactflow").get();
    assertThat(upgrade.getStatus().getRun().getDatabaseVersionBefore())
        .isEqualTo(String.valueOf(ReferenceBrokerImages.newestMigrationNumber(from)));
    assertThat(upgrade.getStatus().getCurrentVersion()).isEqualTo(to);

    Kubectl.Result listed = kubectl.run("get", "bu", "-n", namespace);
    assertThat(listed.output()).containsPattern("NAME\\s+DEPLOYMENT\\s+CURRENT\\s+TARGET\\s+PHASE\\s+STEP\\s+AGE")
        .containsPattern("pactflow\\s+pactflow\\s+" + to.replace(".", "\\.") + "\\s+" + to.replace(".", "\\.")
            + "\\s+Succeeded");

    // no downtime: no failed write, no lost row, no row left in the old shape
    List<WriterCounters> writers = broker.stopWriters();
    assertThat(writers).hasSizeGreaterThanOrEqualTo(6);
    assertThat(writers).allSatisfy(w -> assertThat(w.errors()).as(w.toString()).isZero());
    assertThat(broker.inspector().lostRows(writers)).isZero();
    assertThat(broker.inspector().unmigratedRows()).isZero();
  }

  static String brokerUpgrade(String namespace, String version) {
    return """
        apiVersion: upgrades.brokerops.dev/v1alpha1
        kind: BrokerUpgrade
        metadata:
          name: pactflow
          namespace: %s
        spec:
          deployment: pactflow
          version: "%s"
        """.formatted(namespace, version);
  }

  private Job stepJob(String namespace, StepName step) {
    List<Job> jobs = bench.client().batch().v1().jobs().inNamespace(namespace)
        .withLabel(JobSpecFactory.LABEL_STEP, step.name()).list().getItems();
    assertThat(jobs).as("Jobs of step " + step).hasSize(1);
    return jobs.get(0);
  }

  private static Instant created(Job job) {
    return Instant.parse(job.getMetadata().getCreationTimestamp());
  }

  private Instant newestReplicaSetCreated(String namespace) {
    return bench.client().apps().replicaSets().inNamespace(namespace).list().getItems().stream()
        .map(ReplicaSet::getMetadata).map(m -> Instant.parse(m.getCreationTimestamp()))
        .max(Comparator.naturalOrder()).orElseThrow();
  }
}
