package dev.brokerops.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brokerops.upgrade.reconcile.UnreadFields;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The warm-up's samples are real objects of their kinds, and a failed warm-up stops nothing. */
class StartUpWarmUpTest {

  @Test
  void eachSampleIsAListOfOneObjectOfItsKind() {
    try (KubernetesClient client = new KubernetesClientBuilder().build()) {
      var json = client.getKubernetesSerialization();
      StartUpWarmUp.LISTS.forEach(
          type -> {
            KubernetesResourceList<?> list =
                json.unmarshal(StartUpWarmUp.sample(type.getSimpleName()), type);
            assertThat(list.getItems()).as(type.getSimpleName()).hasSize(1);
            assertThat(list.getItems().get(0).getMetadata().getName()).isNotBlank();
          });
      var upgrades =
          json.unmarshal(
              new ByteArrayInputStream(
                  StartUpWarmUp.sample(StartUpWarmUp.UPGRADES_SAMPLE)
                      .getBytes(StandardCharsets.UTF_8)),
              StartUpWarmUp.UPGRADES);
      assertThat(upgrades.getItems()).hasSize(1);
      assertThat(upgrades.getItems().get(0).getSpec().getDeployment()).isEqualTo("d");
    }
  }

  @Test
  void theWatchEventSampleIsAPodsEventToTheOperatorsClient() {
    assertThat(
            UnreadFields.serialization()
                .unmarshal(StartUpWarmUp.WATCH_EVENT, WatchEvent.class)
                .getObject())
        .isInstanceOf(Pod.class);
  }

  @Test
  void anUnreachableApiServerEndsTheWarmUpQuietly() {
    try (KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder()
                    .withMasterUrl("https://127.0.0.1:1")
                    .withRequestRetryBackoffLimit(0)
                    .build())
            .build()) {
      StartUpWarmUp.warmUp(client);
    }
  }
}
