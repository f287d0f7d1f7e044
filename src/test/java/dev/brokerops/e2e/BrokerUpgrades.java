package dev.brokerops.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brokerops.bench.Bench;
import dev.brokerops.bench.Kubectl;
import dev.brokerops.upgrade.api.BrokerUpgrade;
import dev.brokerops.upgrade.api.StepName;
import dev.brokerops.upgrade.jobs.JobSpecFactory;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What the end-to-end tests do with BrokerUpgrades, the way a person does it: kubectl and the API.
 */
public final class BrokerUpgrades {

  public static final String NAME = "pactflow";
  public static final String ALL_VERSIONS =
      "[\"1.0.0\", \"1.1.0\", \"1.2.0\", \"2.0.0\", \"2.1.0\"]";

  private final Bench bench;
  private final Kubectl kubectl;
  private final String namespace;

  public BrokerUpgrades(Bench bench, String namespace) {
    this.bench = bench;
    this.kubectl = new Kubectl(bench.kubeconfig());
    this.namespace = namespace;
    ObservedBrokerUpgrades.watch(bench, namespace);
  }

  /** The manifest a platform team commits: the broker Deployment and the version it should run. */
  public static String manifest(String namespace, String version, String extraSpec) {
    return """
        apiVersion: upgrades.brokerops.dev/v1alpha1
        kind: BrokerUpgrade
        metadata:
          name: %s
          namespace: %s
        spec:
          deployment: %s
          version: "%s"
        """
            .formatted(NAME, namespace, BrokerFixture.DEPLOYMENT, version)
        + extraSpec.indent(2);
  }

  /**
   * {@code kubectl apply} of the manifest; fails the test with kubectl's words if it is refused.
   */
  public void apply(String version, String extraSpec) {
    Kubectl.Result result =
        kubectl.runWithInput(manifest(namespace, version, extraSpec), "apply", "-f", "-");
    if (!result.succeeded()) {
      throw new AssertionError("kubectl apply failed: " + result.output());
    }
  }

  /** Applies a version with every reference-broker release listed, so majors can be planned. */
  public void applyWithAvailableVersions(String version) {
    apply(version, "versionPolicy:\n  availableVersions: " + ALL_VERSIONS + "\n");
  }

  /** {@code kubectl wait --for=condition=Ready}: what a pipeline does. */
  public Kubectl.Result waitReady(int seconds) {
    return kubectl.run(
        "wait",
        "--for=condition=Ready",
        "bu/" + NAME,
        "-n",
        namespace,
        "--timeout=" + seconds + "s");
  }

  public Kubectl kubectl() {
    return kubectl;
  }

  public BrokerUpgrade get() {
    return bench
        .client()
        .resources(BrokerUpgrade.class)
        .inNamespace(namespace)
        .withName(NAME)
        .get();
  }

  public Optional<Condition> condition(String type) {
    BrokerUpgrade upgrade = get();
    if (upgrade == null
        || upgrade.getStatus() == null
        || upgrade.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return upgrade.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst();
  }

  public boolean conditionIs(String type, String status) {
    return condition(type).map(c -> c.getStatus().equals(status)).orElse(false);
  }

  /** The Jobs the operator made for a step, oldest first (one per hop). */
  public List<Job> jobsOf(StepName step) {
    return bench
        .client()
        .batch()
        .v1()
        .jobs()
        .inNamespace(namespace)
        .withLabel(JobSpecFactory.LABEL_STEP, step.name())
        .list()
        .getItems()
        .stream()
        .sorted(
            Comparator.comparing((Job j) -> j.getMetadata().getCreationTimestamp())
                .thenComparing(j -> j.getMetadata().getName()))
        .toList();
  }

  /**
   * The messages of the operator's log lines about this BrokerUpgrade with this reason: step
   * transitions are told there (and in status), not as events.
   */
  public List<String> logged(OperatorProcess operator, String reason) {
    try (Stream<String> lines = Files.lines(operator.log())) {
      return lines
          .filter(line -> line.contains(" reason=" + reason + " "))
          .filter(line -> line.contains(" namespace=" + namespace + " "))
          .map(line -> line.substring(line.indexOf(" message=") + 1))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Each migration step of a one-hop upgrade ran exactly once: one Job, whose one pod succeeded and
   * none failed.
   */
  public void assertEachJobStepRanOnce() {
    for (StepName step :
        List.of(StepName.RecordDatabaseVersion, StepName.SchemaMigration, StepName.DataMigration)) {
      List<Job> jobs = jobsOf(step);
      assertThat(jobs).as("one Job for " + step).hasSize(1);
      assertThat(jobs.get(0).getStatus().getSucceeded()).as("its one pod succeeded").isEqualTo(1);
      assertThat(jobs.get(0).getStatus().getFailed()).as(step + " ran once").isIn(null, 0);
    }
  }

  /** Events about the BrokerUpgrade with this reason. */
  public List<Event> events(String reason) {
    return eventsAbout().filter(e -> reason.equals(e.getReason())).toList();
  }

  public List<Event> warnings() {
    return eventsAbout().filter(e -> "Warning".equals(e.getType())).toList();
  }

  private Stream<Event> eventsAbout() {
    return bench.client().v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> NAME.equals(e.getInvolvedObject().getName()));
  }
}
