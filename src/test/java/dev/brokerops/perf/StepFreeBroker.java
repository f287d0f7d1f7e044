package dev.brokerops.perf;

import dev.brokerops.bench.Bench;
import dev.brokerops.bench.TestImages;
import dev.brokerops.bench.node.ImageDirectories;
import dev.brokerops.e2e.BrokerFixture;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;

/**
 * A broker whose steps take no time, so that Kubernetes and the operator are all a measurement
 * sees: {@code db-version} and {@code db-migrate} return at once, and the app is a process that
 * sleeps, ready as soon as it runs (an exec readiness probe, which the bench's node passes at
 * once). Versions 1.0.0, 1.1.0 and 1.2.0 are the same image under three tags.
 */
public final class StepFreeBroker {

  public static final String REPOSITORY = "bench.perf/step-free";
  public static final List<String> TAGS = List.of("1.0.0", "1.1.0", "1.2.0");
  public static final String DEPLOYMENT = BrokerFixture.DEPLOYMENT;
  public static final String CONTAINER = "pactflow";
  public static final String APP_LABEL = "app=" + DEPLOYMENT;
  public static final int REPLICAS = 2;

  private StepFreeBroker() {}

  public static String image(String tag) {
    return REPOSITORY + ":" + tag;
  }

  /** Writes the image folders, one per tag. */
  public static void buildImages(ImageDirectories images) {
    for (String tag : TAGS) {
      TestImages.write(
          images,
          REPOSITORY,
          tag,
          "app",
          Map.of(
              "app", "#!/bin/sh\nexec sleep infinity\n",
              "db-version", "#!/bin/sh\necho 20240101\n",
              "db-migrate", "#!/bin/sh\nexit 0\n"));
    }
  }

  /**
   * The Deployment as the reference broker's fixture has it ({@link BrokerFixture#deploymentFor}),
   * minus the database: two replicas, a rolling update that never drops below them, a readiness
   * probe.
   */
  public static Deployment deployment(String tag) {
    return BrokerFixture.deploymentFor(
        REPLICAS,
        new PodSpecBuilder()
            .withTerminationGracePeriodSeconds(10L)
            .addNewContainer()
            .withName(CONTAINER)
            .withImage(image(tag))
            .withNewReadinessProbe()
            .withNewExec()
            .withCommand("true")
            .endExec()
            .withPeriodSeconds(1)
            .endReadinessProbe()
            .endContainer()
            .build());
  }

  /** Creates the Deployment at {@code tag} in {@code namespace}. */
  public static void deploy(Bench bench, String namespace, String tag) {
    bench.client().apps().deployments().inNamespace(namespace).resource(deployment(tag)).create();
  }

  /** Every replica updated and available, and no pod of an older ReplicaSet left. */
  public static boolean rolledOut(Bench bench, String namespace) {
    Deployment d =
        bench.client().apps().deployments().inNamespace(namespace).withName(DEPLOYMENT).get();
    if (d == null || d.getStatus() == null) {
      return false;
    }
    var s = d.getStatus();
    Integer replicas = d.getSpec().getReplicas();
    int pods =
        bench
            .client()
            .pods()
            .inNamespace(namespace)
            .withLabel("app", DEPLOYMENT)
            .list()
            .getItems()
            .size();
    return s.getObservedGeneration() != null
        && s.getObservedGeneration() >= d.getMetadata().getGeneration()
        && replicas.equals(s.getUpdatedReplicas())
        && replicas.equals(s.getAvailableReplicas())
        && replicas.equals(s.getReplicas())
        && pods == replicas;
  }
}
