package dev.brokerops.upgrade;

import dev.brokerops.upgrade.reconcile.BrokerUpgradeReconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the BrokerUpgrade operator against the current kubeconfig (or in-cluster service account).
 */
public final class OperatorMain {

  /** Comma-separated namespaces to watch; unset or empty watches all namespaces. */
  public static final String WATCH_NAMESPACES = "WATCH_NAMESPACES";

  private static final Logger LOG = LoggerFactory.getLogger(OperatorMain.class);

  private OperatorMain() {}

  public static void main(String[] args) throws IOException {
    Set<String> namespaces = namespaces(System.getenv(WATCH_NAMESPACES));
    Clock clock = Clock.systemUTC();
    ReconcileWatchdog watchdog =
        new ReconcileWatchdog(
            clock,
            Liveness.seconds(
                ReconcileWatchdog.LIMIT_ENV,
                System.getenv(ReconcileWatchdog.LIMIT_ENV),
                ReconcileWatchdog.DEFAULT_LIMIT));
    Duration informerGrace =
        Liveness.seconds(
            Liveness.INFORMER_GRACE_ENV,
            System.getenv(Liveness.INFORMER_GRACE_ENV),
            Liveness.DEFAULT_INFORMER_GRACE);
    Operator operator =
        start(new Operator(overrider -> overrider.withMetrics(watchdog)), namespaces);
    operator.installShutdownHook(Duration.ofSeconds(10));
    String healthPort = System.getenv(HealthEndpoint.PORT_ENV);
    if (healthPort != null && !healthPort.isBlank()) {
      Liveness liveness =
          new Liveness(
              clock, watchdog, () -> HealthEndpoint.unhealthyEventSources(operator), informerGrace);
      HealthEndpoint.start(operator, liveness, Integer.parseInt(healthPort.strip()));
      LOG.info("probes served on port {}: /healthz, /readyz", healthPort.strip());
    }
    LOG.info(
        "brokerupgrade operator started, watching {}",
        namespaces.isEmpty() ? "all namespaces" : "namespaces " + namespaces);
  }

  /**
   * Registers the reconciler and starts the operator against this client's cluster; the caller
   * stops it.
   */
  public static Operator start(KubernetesClient client, Set<String> namespaces) {
    return start(
        new Operator(
            overrider -> overrider.withKubernetesClient(client).withCloseClientOnStop(false)),
        namespaces);
  }

  private static Operator start(Operator operator, Set<String> namespaces) {
    operator.register(
        new BrokerUpgradeReconciler(Clock.systemUTC()),
        configuration -> {
          if (namespaces.isEmpty()) {
            configuration.watchingAllNamespaces();
          } else {
            configuration.settingNamespaces(namespaces);
          }
        });
    operator.start();
    return operator;
  }

  static Set<String> namespaces(String value) {
    if (value == null) {
      return Set.of();
    }
    return Arrays.stream(value.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .collect(Collectors.toSet());
  }
}
