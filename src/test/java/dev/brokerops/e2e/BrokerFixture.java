package dev.brokerops.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.brokerops.bench.Bench;
import dev.brokerops.bench.postgres.PostgresDatabase;
import dev.brokerops.bench.postgres.PostgresServer;
import dev.brokerops.referencebroker.BrokerDatabaseInspector;
import dev.brokerops.referencebroker.ReferenceBrokerImages;
import dev.brokerops.referencebroker.WriterCounters;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A PactFlow installation on the bench as a platform team would have it: the reference broker's
 * Deployment (replicas writing steadily, readiness probe, rolling update with no unavailable
 * replica), its database URL and licence in Secrets, and a fresh database.
 */
public final class BrokerFixture {

  public static final String DEPLOYMENT = "pactflow";
  public static final String CONTAINER = "pactflow";

  /**
   * How a broker pod stops: it drains (serves and writes) for {@code drainSeconds} after SIGTERM,
   * within a grace period long enough that the kubelet never needs SIGKILL, so its final counters
   * are always written.
   */
  public record Shutdown(int drainSeconds, long terminationGracePeriodSeconds) {

    /** Stops writing at SIGTERM. */
    public static final Shutdown IMMEDIATE = new Shutdown(0, 20);

    public Shutdown {
      if (drainSeconds < 0 || terminationGracePeriodSeconds < drainSeconds + 10) {
        throw new IllegalArgumentException(
            "the grace period must leave at least 10 s after the drain to stop cleanly: "
                + drainSeconds
                + " s drain, "
                + terminationGracePeriodSeconds
                + " s grace");
      }
    }

    /** Drains for {@code seconds}, with 20 s of grace after the drain. */
    public static Shutdown draining(int seconds) {
      return new Shutdown(seconds, seconds + 20L);
    }
  }

  private final Bench bench;
  private final String namespace;
  private final PostgresDatabase database;
  private final Path countersDir;
  private final Shutdown shutdown;

  private BrokerFixture(
      Bench bench,
      String namespace,
      PostgresDatabase database,
      Path countersDir,
      Shutdown shutdown) {
    this.bench = bench;
    this.namespace = namespace;
    this.database = database;
    this.countersDir = countersDir;
    this.shutdown = shutdown;
  }

  /** Deploys {@code version} with {@code replicas} writers and waits until it is rolled out. */
  public static BrokerFixture deploy(Bench bench, String namespace, String version, int replicas) {
    return deploy(bench, namespace, version, replicas, Shutdown.IMMEDIATE, Map.of());
  }

  /**
   * As {@link #deploy(Bench, String, String, int)}, with pods that stop as {@code shutdown} says.
   */
  public static BrokerFixture deploy(
      Bench bench, String namespace, String version, int replicas, Shutdown shutdown) {
    return deploy(bench, namespace, version, replicas, shutdown, Map.of());
  }

  /**
   * As {@link #deploy(Bench, String, String, int)}, with more variables in the broker container:
   * the migration Jobs inherit them (e.g. the reference broker's test-only {@code
   * MIGRATION_DELAY_SECONDS}).
   */
  public static BrokerFixture deploy(
      Bench bench, String namespace, String version, int replicas, Map<String, String> extraEnv) {
    return deploy(bench, namespace, version, replicas, Shutdown.IMMEDIATE, extraEnv);
  }

  /** Deploys with every option: how pods stop, and extra variables in the broker container. */
  public static BrokerFixture deploy(
      Bench bench,
      String namespace,
      String version,
      int replicas,
      Shutdown shutdown,
      Map<String, String> extraEnv) {
    ReferenceBrokerImages.buildAll(bench.images().root());
    PostgresDatabase database = PostgresServer.shared().createDatabase();
    Path countersDir;
    try {
      countersDir =
          Files.createDirectories(Path.of("target", "e2e", namespace, "writers").toAbsolutePath());
      // a namespace with a fixed name (InstallE2E's) may hold the counters of an earlier run
      try (var stale = Files.list(countersDir)) {
        for (Path file : stale.toList()) {
          Files.delete(file);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    KubernetesClient client = bench.client();
    client
        .secrets()
        .inNamespace(namespace)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("pactflow-database")
                .endMetadata()
                .addToStringData("url", database.brokerUrl())
                .build())
        .create();
    client
        .secrets()
        .inNamespace(namespace)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("pactflow-licence")
                .endMetadata()
                .addToStringData("pactflow-onprem.lic", "licensed to the bench")
                .build())
        .create();
    Deployment deployment =
        deploymentFor(replicas, brokerPod(version, shutdown, extraEnv, countersDir));
    client.apps().deployments().inNamespace(namespace).resource(deployment).create();
    BrokerFixture fixture = new BrokerFixture(bench, namespace, database, countersDir, shutdown);
    await("broker " + version + " rolled out")
        .atMost(Duration.ofMinutes(2))
        .until(fixture::rolledOut);
    return fixture;
  }

  /**
   * The broker's Deployment as a platform team has it, running {@code pod}: named {@code pactflow},
   * its pods labelled {@code app=pactflow}, {@code replicas} of them, and a rolling update that
   * never drops below them (no replica unavailable, one pod more at most). The cost benchmark's
   * step-free broker runs in it too.
   */
  public static Deployment deploymentFor(int replicas, PodSpec pod) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(DEPLOYMENT)
        .addToLabels("app", "pactflow")
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .withNewSelector()
        .addToMatchLabels("app", "pactflow")
        .endSelector()
        .withNewStrategy()
        .withType("RollingUpdate")
        .withNewRollingUpdate()
        .withMaxUnavailable(new IntOrString(0))
        .withMaxSurge(new IntOrString(1))
        .endRollingUpdate()
        .endStrategy()
        .withNewTemplate()
        .withNewMetadata()
        .addToLabels("app", "pactflow")
        .endMetadata()
        .withSpec(pod)
        .endTemplate()
        .endSpec()
        .build();
  }

  /**
   * The reference broker's pod: its database URL and licence from the Secrets, writing steadily
   * with its counters in {@code countersDir}, ready when its heartbeat answers.
   */
  private static PodSpec brokerPod(
      String version, Shutdown shutdown, Map<String, String> extraEnv, Path countersDir) {
    return new PodSpecBuilder()
        .withTerminationGracePeriodSeconds(shutdown.terminationGracePeriodSeconds())
        .addNewVolume()
        .withName("licence")
        .withNewSecret()
        .withSecretName("pactflow-licence")
        .endSecret()
        .endVolume()
        .addNewContainer()
        .withName(CONTAINER)
        .withImage(ReferenceBrokerImages.image(version))
        .withEnv(
            new EnvVarBuilder()
                .withName("PACTFLOW_DATABASE_URL")
                .withNewValueFrom()
                .withNewSecretKeyRef("url", "pactflow-database", false)
                .endValueFrom()
                .build(),
            new EnvVarBuilder()
                .withName("POD_NAME")
                .withNewValueFrom()
                .withNewFieldRef()
                .withFieldPath("metadata.name")
                .endFieldRef()
                .endValueFrom()
                .build(),
            new EnvVarBuilder()
                .withName("POD_IP")
                .withNewValueFrom()
                .withNewFieldRef()
                .withFieldPath("status.podIP")
                .endFieldRef()
                .endValueFrom()
                .build(),
            // the bench's pods share the host network: each binds its own address
            new EnvVarBuilder().withName("BIND_ADDRESS").withValue("$(POD_IP)").build(),
            new EnvVarBuilder().withName("WRITES_PER_SECOND").withValue("10").build(),
            new EnvVarBuilder()
                .withName("WRITER_COUNTERS_FILE")
                .withValue(countersDir + "/$(POD_NAME).json")
                .build(),
            new EnvVarBuilder()
                .withName("DRAIN_SECONDS")
                .withValue(Integer.toString(shutdown.drainSeconds()))
                .build())
        .addAllToEnv(
            extraEnv.entrySet().stream()
                .map(e -> new EnvVarBuilder().withName(e.getKey()).withValue(e.getValue()).build())
                .toList())
        .addNewPort()
        .withName("http")
        .withContainerPort(9292)
        .endPort()
        .addNewVolumeMount()
        .withName("licence")
        .withMountPath("/home/pactflow-onprem.lic")
        .withSubPath("pactflow-onprem.lic")
        .withReadOnly(true)
        .endVolumeMount()
        .withNewReadinessProbe()
        .withNewHttpGet()
        .withPath("/diagnostic/status/heartbeat")
        .withPort(new IntOrString("http"))
        .endHttpGet()
        .withPeriodSeconds(1)
        .endReadinessProbe()
        .endContainer()
        .build();
  }

  public String namespace() {
    return namespace;
  }

  public PostgresDatabase database() {
    return database;
  }

  public BrokerDatabaseInspector inspector() {
    return BrokerDatabaseInspector.of(database);
  }

  public Deployment deployment() {
    return bench.client().apps().deployments().inNamespace(namespace).withName(DEPLOYMENT).get();
  }

  /** The tag of the broker container's image. */
  public String runningVersion() {
    String image = deployment().getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    return image.substring(image.lastIndexOf(':') + 1);
  }

  /** Every replica updated and available, and no pod of an older ReplicaSet left. */
  public boolean rolledOut() {
    Deployment d = deployment();
    var s = d.getStatus();
    int replicas = d.getSpec().getReplicas();
    long pods =
        bench
            .client()
            .pods()
            .inNamespace(namespace)
            .withLabel("app", "pactflow")
            .list()
            .getItems()
            .size();
    return s != null
        && s.getObservedGeneration() != null
        && s.getObservedGeneration() >= d.getMetadata().getGeneration()
        && Integer.valueOf(replicas).equals(s.getUpdatedReplicas())
        && Integer.valueOf(replicas).equals(s.getAvailableReplicas())
        && Integer.valueOf(replicas).equals(s.getReplicas())
        && pods == replicas;
  }

  /**
   * Stops the writers and asserts what no downtime means: no failed write, no acknowledged row
   * lost, no row left in an older shape. Returns the writers' final counters.
   */
  public List<WriterCounters> stopWritersAndAssertNoDowntime() {
    List<WriterCounters> writers = stopWriters();
    assertThat(writers)
        .isNotEmpty()
        .allSatisfy(w -> assertThat(w.errors()).as(w.toString()).isZero());
    assertThat(inspector().lostRows(writers)).as("lost rows").isZero();
    assertThat(inspector().unmigratedRows()).as("unmigrated rows").isZero();
    return writers;
  }

  /**
   * Scales the broker to zero so every writer stops cleanly, then reads each writer's final
   * counters.
   */
  public List<WriterCounters> stopWriters() {
    bench.client().apps().deployments().inNamespace(namespace).withName(DEPLOYMENT).scale(0);
    await("every broker pod gone")
        .atMost(Duration.ofMinutes(1).plusSeconds(shutdown.terminationGracePeriodSeconds()))
        .until(
            () ->
                bench
                    .client()
                    .pods()
                    .inNamespace(namespace)
                    .withLabel("app", "pactflow")
                    .list()
                    .getItems()
                    .isEmpty());
    try (var files = Files.list(countersDir)) {
      return files
          .filter(f -> f.toString().endsWith(".json"))
          .map(
              f -> {
                try {
                  return WriterCounters.fromJson(Files.readString(f));
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              })
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
