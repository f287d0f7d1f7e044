package dev.brokerops.upgrade.api;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Installs the committed CRD in crds/ (the build checks it is what the Java types generate), as a
 * person would with kubectl apply.
 */
public final class BrokerUpgradeCrd {

  public static final Path GENERATED =
      Path.of("crds", "brokerupgrades.upgrades.brokerops.dev-v1.yml");

  private BrokerUpgradeCrd() {}

  public static CustomResourceDefinition apply(KubernetesClient client) throws IOException {
    CustomResourceDefinition crd;
    try (InputStream yaml = Files.newInputStream(GENERATED)) {
      crd = client.getKubernetesSerialization().unmarshal(yaml, CustomResourceDefinition.class);
    }
    client.resource(crd).forceConflicts().serverSideApply();
    await("CRD " + crd.getMetadata().getName() + " established")
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              var current =
                  client
                      .apiextensions()
                      .v1()
                      .customResourceDefinitions()
                      .withName(crd.getMetadata().getName())
                      .get();
              // a CRD just created can have a status with no conditions yet
              return current != null
                  && current.getStatus() != null
                  && current.getStatus().getConditions() != null
                  && current.getStatus().getConditions().stream()
                      .anyMatch(
                          c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
            });
    return crd;
  }
}
