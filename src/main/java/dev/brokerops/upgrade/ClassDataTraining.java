package dev.brokerops.upgrade;

import dev.brokerops.upgrade.api.BrokerUpgrade;
import dev.brokerops.upgrade.plan.ImagePolicy;
import dev.brokerops.upgrade.reconcile.BrokerUpgradeReconciler;
import dev.brokerops.upgrade.reconcile.UpgradeMetrics;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.monitoring.AggregatedMetrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * The classes the operator loads at start, loaded once without a cluster, for a class-data sharing
 * archive ({@code -XX:ArchiveClassesAtExit}) that the image's JVM maps instead of loading them.
 */
public final class ClassDataTraining {

  private ClassDataTraining() {}

  public static void main(String[] args) {
    LoggerFactory.getLogger(ClassDataTraining.class).debug("training class data");
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(new ConfigBuilder().withMasterUrl("https://127.0.0.1:1").build())
            .build()) {
      var json = client.getKubernetesSerialization();
      json.unmarshal(
          "{\"apiVersion\":\"upgrades.brokerops.dev/v1alpha1\",\"kind\":\"BrokerUpgrade\","
              + "\"metadata\":{\"name\":\"t\"},\"spec\":{\"deployment\":\"d\",\"version\":\"1.0.0\"}}",
          BrokerUpgrade.class);
      json.unmarshal("{\"kind\":\"Deployment\",\"apiVersion\":\"apps/v1\"}", Deployment.class);
      json.unmarshal("{\"kind\":\"Job\",\"apiVersion\":\"batch/v1\"}", Job.class);
      Operator operator =
          new Operator(
              overrider ->
                  overrider
                      .withKubernetesClient(client)
                      .withMetrics(
                          new AggregatedMetrics(
                              List.of(MicrometerMetrics.withoutPerResourceMetrics(registry)))));
      operator.register(
          new BrokerUpgradeReconciler(
              Clock.systemUTC(),
              ImagePolicy.DEPLOYMENTS_OWN_REPOSITORY,
              new UpgradeMetrics(registry)));
      registry.scrape();
    }
  }
}
