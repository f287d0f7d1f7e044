package dev.brokerops.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brokerops.upgrade.api.BrokerUpgrade;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HealthEndpointTest {

  // Never started, so it never calls this address; the probes answer from its runtime info alone.
  private final KubernetesClient client =
      new KubernetesClientBuilder()
          .withConfig(new ConfigBuilder().withMasterUrl("https://127.0.0.1:1").build())
          .build();
  private final Operator operator =
      new Operator(overrider -> overrider.withKubernetesClient(client));
  private final MovableClock clock = new MovableClock();
  private final ReconcileWatchdog watchdog = new ReconcileWatchdog(clock, Duration.ofSeconds(300));
  private HealthEndpoint endpoint;

  @AfterEach
  void stop() {
    if (endpoint != null) {
      endpoint.close();
    }
    client.close();
  }

  @Test
  void healthzAnswersOkWhileNothingIsHung() throws Exception {
    start(List.of());

    HttpResponse<String> response = get("/healthz");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("ok\n");
  }

  @Test
  void healthzFailsWithTheReasonOnOneLineWhenAReconciliationIsStuck() throws Exception {
    start(List.of());
    BrokerUpgrade upgrade = new BrokerUpgrade();
    upgrade.setMetadata(new ObjectMetaBuilder().withNamespace("team-a").withName("pf").build());
    watchdog.reconciliationExecutionStarted(upgrade, Map.of());
    clock.advance(Duration.ofMinutes(10));

    HttpResponse<String> response = get("/healthz");

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.body())
        .isEqualTo("reconciliation of BrokerUpgrade team-a/pf running for 600 s (limit 300 s)\n");
  }

  @Test
  void healthzFailsWhenEventSourcesStayUnhealthy() throws Exception {
    start(List.of("brokerupgrade/jobs [team-a: not watching]"));
    assertThat(get("/healthz").statusCode()).isEqualTo(200);
    clock.advance(Duration.ofSeconds(61));

    HttpResponse<String> response = get("/healthz");

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.body())
        .isEqualTo(
            "event sources unhealthy for 61 s (grace 60 s): brokerupgrade/jobs [team-a: not"
                + " watching]\n");
  }

  @Test
  void readyzFailsUntilTheOperatorHasStarted() throws Exception {
    start(List.of());

    HttpResponse<String> response = get("/readyz");

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.body()).isEqualTo("not ready: operator not started\n");
  }

  @Test
  void namesNoUnhealthyEventSourceBeforeTheOperatorHasStarted() {
    assertThat(HealthEndpoint.unhealthyEventSources(operator)).isEmpty();
  }

  private void start(List<String> unhealthyEventSources) throws Exception {
    Liveness liveness =
        new Liveness(clock, watchdog, () -> unhealthyEventSources, Duration.ofSeconds(60));
    endpoint =
        HealthEndpoint.start(
            operator, liveness, Leadership.alone(), new InetSocketAddress("127.0.0.1", 0));
  }

  private HttpResponse<String> get(String path) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + path))
            .timeout(Duration.ofSeconds(10))
            .build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
  }
}
