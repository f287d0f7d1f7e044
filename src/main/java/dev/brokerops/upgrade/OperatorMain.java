package dev.brokerops.upgrade;

import dev.brokerops.upgrade.reconcile.BrokerUpgradeReconciler;
import dev.brokerops.upgrade.reconcile.UnreadFields;
import dev.brokerops.upgrade.reconcile.UpgradeMetrics;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ConfigurationService;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.javaoperatorsdk.operator.api.monitoring.AggregatedMetrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the BrokerUpgrade operator against the current kubeconfig (or in-cluster service account),
 * as {@link OperatorSettings} from the environment say.
 */
public final class OperatorMain {

  /** Comma-separated namespaces to watch; unset or empty watches all namespaces. */
  public static final String WATCH_NAMESPACES = OperatorSettings.WATCH_NAMESPACES;

  private static final Logger LOG = LoggerFactory.getLogger(OperatorMain.class);

  private OperatorMain() {}

  /** The JVM's memory, GC, threads, classes, CPU and uptime, as {@code /metrics} serves them. */
  static void bindJvmMetrics(MeterRegistry registry) {
    List.of(
            new JvmMemoryMetrics(),
            new JvmGcMetrics(),
            new JvmThreadMetrics(),
            new ClassLoaderMetrics(),
            new ProcessorMetrics(),
            new UptimeMetrics())
        .forEach(binder -> binder.bindTo(registry));
  }

  /**
   * Each collector's pauses since the JVM started, as {@code name count (total ms)}: with the
   * serial collector {@code Copy} is the young generation's, {@code MarkSweepCompact} the whole
   * heap's.
   */
  static String collectionsSoFar() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream()
        .map(
            gc ->
                gc.getName()
                    + " "
                    + gc.getCollectionCount()
                    + " ("
                    + gc.getCollectionTime()
                    + " ms)")
        .collect(Collectors.joining(", "));
  }

  /**
   * The operator's client on the given connection, the same for the operator and its class-data
   * training: JOSDK's limit of concurrent requests; HTTP/1.1, because over HTTP/2 every list and
   * watch shares one TLS connection decrypted by one thread, so the first lists at start-up take
   * turns on one core (measured: 0.3 s slower); decoding that skips what nobody reads ({@link
   * UnreadFields}); and a bounded pool of HTTP workers ({@link BoundedHttpClientFactory}).
   */
  static KubernetesClient client(ConfigBuilder connection) {
    return new KubernetesClientBuilder()
        .withConfig(
            connection
                .withMaxConcurrentRequests(ConfigurationService.DEFAULT_MAX_CONCURRENT_REQUEST)
                .withHttp2Disable(true)
                .build())
        .withKubernetesSerialization(UnreadFields.serialization())
        .withHttpClientFactory(new BoundedHttpClientFactory())
        .build();
  }

  public static void main(String[] args) throws IOException {
    OperatorSettings settings = OperatorSettings.from(System.getenv());
    // The client JOSDK would make, made here so that the warm-up can use it from the start.
    KubernetesClient client = client(new ConfigBuilder(Config.autoConfigure(null)));
    StartUpWarmUp.start(client);
    Clock clock = Clock.systemUTC();
    ReconcileWatchdog watchdog = new ReconcileWatchdog(clock, settings.reconcileLimit());
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Leadership leadership =
        settings
            .leaderElection()
            .map(election -> Leadership.electing(election.identity()))
            .orElseGet(Leadership::alone);

    Operator operator =
        new Operator(
            overrider -> {
              overrider.withKubernetesClient(client);
              overrider.withConcurrentReconciliationThreads(settings.reconcileThreads());
              // JOSDK times reconciliations with the first; the watchdog only needs start and end.
              overrider.withMetrics(
                  new AggregatedMetrics(
                      List.of(MicrometerMetrics.withoutPerResourceMetrics(registry), watchdog)));
              settings
                  .leaderElection()
                  .ifPresent(
                      election ->
                          overrider.withLeaderElectionConfiguration(
                              LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(
                                      election.leaseName())
                                  .withLeaseNamespace(election.namespace())
                                  .withIdentity(election.identity())
                                  .withLeaderCallbacks(leadership.callbacks())
                                  .build()));
            });
    operator.register(
        new BrokerUpgradeReconciler(clock, settings.imagePolicy(), new UpgradeMetrics(registry)),
        configuration -> {
          if (settings.watchNamespaces().isEmpty()) {
            configuration.watchingAllNamespaces();
          } else {
            configuration.settingNamespaces(settings.watchNamespaces());
          }
        });
    // Without leader election JOSDK installs this; with it JOSDK leaves the process to exit as is.
    operator.installShutdownHook(Duration.ofSeconds(10));
    operator.start();
    // start() returns once every informer has listed its resources: the caches are synced
    long uptime = ManagementFactory.getRuntimeMXBean().getUptime();
    LOG.info(
        "informers synced {} ms after the JVM started; garbage collection by then: {}",
        uptime,
        collectionsSoFar());

    // the JVM's own metrics, bound once the informers run: nothing reads them before /metrics
    bindJvmMetrics(registry);
    if (settings.healthPort().isPresent()) {
      Liveness liveness =
          new Liveness(
              clock,
              watchdog,
              () -> HealthEndpoint.unhealthyEventSources(operator),
              settings.informerGrace());
      InetSocketAddress address = settings.endpoint(settings.healthPort().getAsInt());
      HealthEndpoint.start(operator, liveness, leadership, address);
      LOG.info("probes served on {}: /healthz, /readyz", address);
    }
    if (settings.metricsPort().isPresent()) {
      InetSocketAddress address = settings.endpoint(settings.metricsPort().getAsInt());
      MetricsEndpoint.start(registry, address);
      LOG.info("metrics served on {}: /metrics", address);
    }
    LOG.info(
        "brokerupgrade operator started, watching {}{}",
        settings.watchNamespaces().isEmpty()
            ? "all namespaces"
            : "namespaces " + settings.watchNamespaces(),
        settings
            .leaderElection()
            .map(
                election ->
                    ", electing a leader through Lease "
                        + election.namespace()
                        + "/"
                        + election.leaseName()
                        + " as "
                        + election.identity())
            .orElse(", alone (no leader election)"));
  }
}
