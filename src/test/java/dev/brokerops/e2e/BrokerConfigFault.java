package dev.brokerops.e2e;

import static org.awaitility.Awaitility.await;

import dev.brokerops.bench.Bench;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import java.time.Duration;

/**
 * A configuration mistake as platform teams make them: the broker reads its port from a ConfigMap,
 * and a bad value there crashes every pod that starts after it (running pods keep the value they
 * started with), until somebody fixes it.
 */
final class BrokerConfigFault {

  private static final String CONFIG_MAP = "pactflow-config";

  private final Bench bench;
  private final BrokerFixture broker;

  private BrokerConfigFault(Bench bench, BrokerFixture broker) {
    this.bench = bench;
    this.broker = broker;
  }

  /**
   * Makes the broker read PORT from a ConfigMap (a rollout of its own, waited for), with {@code
   * progressDeadlineSeconds} set on the Deployment.
   */
  static BrokerConfigFault install(Bench bench, BrokerFixture broker, int progressDeadlineSeconds) {
    bench
        .client()
        .configMaps()
        .inNamespace(broker.namespace())
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName(CONFIG_MAP)
                .endMetadata()
                .addToData("port", "9292")
                .build())
        .create();
    bench
        .client()
        .apps()
        .deployments()
        .inNamespace(broker.namespace())
        .withName(BrokerFixture.DEPLOYMENT)
        .edit(
            deployment -> {
              deployment.getSpec().setProgressDeadlineSeconds(progressDeadlineSeconds);
              deployment
                  .getSpec()
                  .getTemplate()
                  .getSpec()
                  .getContainers()
                  .get(0)
                  .getEnv()
                  .add(
                      new EnvVarBuilder()
                          .withName("PORT")
                          .withNewValueFrom()
                          .withNewConfigMapKeyRef("port", CONFIG_MAP, false)
                          .endValueFrom()
                          .build());
              return deployment;
            });
    await("the broker reads its port from the ConfigMap")
        .atMost(Duration.ofMinutes(2))
        .until(broker::rolledOut);
    return new BrokerConfigFault(bench, broker);
  }

  /** From now on, a broker pod that starts exits at once: its port is not a number. */
  void breakIt() {
    setPort("not-a-port");
  }

  /** Crashing pods start cleanly on their next restart. */
  void fix() {
    setPort("9292");
  }

  private void setPort(String value) {
    bench
        .client()
        .configMaps()
        .inNamespace(broker.namespace())
        .withName(CONFIG_MAP)
        .edit(
            configMap -> {
              configMap.getData().put("port", value);
              return configMap;
            });
  }
}
