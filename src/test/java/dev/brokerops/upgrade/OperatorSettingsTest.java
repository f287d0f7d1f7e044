package dev.brokerops.upgrade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brokerops.upgrade.plan.ImagePolicy;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OperatorSettingsTest {

  @Test
  void anEmptyEnvironmentRunsAloneOverEveryNamespaceWithNoEndpoints() {
    OperatorSettings settings = OperatorSettings.from(Map.of());

    assertThat(settings.watchNamespaces()).isEmpty();
    assertThat(settings.healthPort()).isEmpty();
    assertThat(settings.endpoint(8081)).isEqualTo(new InetSocketAddress(8081));
    assertThat(settings.metricsPort()).isEmpty();
    assertThat(settings.leaderElection()).isEmpty();
    assertThat(settings.imagePolicy()).isEqualTo(ImagePolicy.DEPLOYMENTS_OWN_REPOSITORY);
    assertThat(settings.reconcileLimit()).isEqualTo(ReconcileWatchdog.DEFAULT_LIMIT);
    assertThat(settings.reconcileThreads()).isEqualTo(10);
  }

  @Test
  void theInstalledDeploymentsEnvironmentIsReadWhole() {
    OperatorSettings settings =
        OperatorSettings.from(
            Map.of(
                "WATCH_NAMESPACES", " pactflow, ,other ",
                "HEALTH_PORT", "8081",
                "METRICS_PORT", "8080",
                "POD_IP", "10.1.2.3",
                "LEADER_ELECTION_NAMESPACE", "brokerops-system",
                "POD_NAME", "brokerupgrade-operator-abc",
                "HOSTNAME", "ignored",
                "ALLOWED_IMAGE_REPOSITORIES", "quay.io/pactflow/*",
                "LIVENESS_RECONCILE_LIMIT_SECONDS", "120",
                "RECONCILE_THREADS", " 4 "));

    assertThat(settings.watchNamespaces()).isEqualTo(Set.of("pactflow", "other"));
    assertThat(settings.endpoint(8081)).isEqualTo(new InetSocketAddress("10.1.2.3", 8081));
    assertThat(settings.healthPort()).hasValue(8081);
    assertThat(settings.metricsPort()).hasValue(8080);
    assertThat(settings.leaderElection())
        .contains(
            new OperatorSettings.LeaderElection(
                "brokerops-system", "brokerupgrade-operator", "brokerupgrade-operator-abc"));
    assertThat(settings.imagePolicy().allowedRepositories())
        .isEqualTo(List.of("quay.io/pactflow/*"));
    assertThat(settings.reconcileLimit()).isEqualTo(Duration.ofSeconds(120));
    assertThat(settings.reconcileThreads()).isEqualTo(4);
  }

  @Test
  void leaderElectionWithoutAPodNameFallsBackToTheHostname() {
    assertThat(
            OperatorSettings.from(Map.of("LEADER_ELECTION_NAMESPACE", "ops", "HOSTNAME", "pod-1"))
                .leaderElection()
                .orElseThrow()
                .identity())
        .isEqualTo("pod-1");
    assertThatThrownBy(() -> OperatorSettings.from(Map.of("LEADER_ELECTION_NAMESPACE", "ops")))
        .hasMessageContaining("POD_NAME");
  }

  @Test
  void aThreadCountOutsideOneTo200StopsTheStartNamingTheVariable() {
    assertThatThrownBy(() -> OperatorSettings.from(Map.of("RECONCILE_THREADS", "0")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("RECONCILE_THREADS must be a whole number from 1 to 200, was '0'");
    assertThatThrownBy(() -> OperatorSettings.from(Map.of("RECONCILE_THREADS", "many")))
        .hasMessageContaining("RECONCILE_THREADS");
  }

  @Test
  void aBadPortStopsTheStartNamingTheVariable() {
    assertThatThrownBy(() -> OperatorSettings.from(Map.of("METRICS_PORT", "http")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("METRICS_PORT must be a port number, was 'http'");
    assertThatThrownBy(() -> OperatorSettings.from(Map.of("HEALTH_PORT", "70000")))
        .hasMessageContaining("HEALTH_PORT");
  }

  @Test
  void aStandbySaysSoAndNamesTheLeader() {
    Leadership standby = Leadership.electing("pod-b");
    assertThat(standby.role()).isEqualTo("ok: standby pod-b, no leader seen yet");

    standby.callbacks().onNewLeader("pod-a");
    assertThat(standby.role()).isEqualTo("ok: standby pod-b, leader is pod-a");
    assertThat(standby.leading()).isFalse();

    standby.callbacks().onStartLeading();
    assertThat(standby.role()).isEqualTo("ok: leader pod-b");
    assertThat(Leadership.alone().role()).isEqualTo("ok");
  }
}
