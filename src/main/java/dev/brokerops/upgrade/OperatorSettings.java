package dev.brokerops.upgrade;

import dev.brokerops.upgrade.plan.ImagePolicy;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The operator's settings, all from its environment (the Deployment in {@code manifests/} sets
 * them); a value that cannot be read stops the start with a message naming the variable.
 *
 * @param watchNamespaces namespaces to watch; empty watches every namespace
 * @param bindAddress the address the endpoints listen on; empty listens on every interface
 * @param healthPort port of {@code /healthz} and {@code /readyz}; empty serves none
 * @param metricsPort port of {@code /metrics}; empty serves none
 * @param leaderElection the Lease the replicas elect their leader through; empty runs alone
 * @param imagePolicy repositories {@code spec.image} may name
 * @param reconcileLimit longest healthy reconciliation, for the liveness probe
 * @param informerGrace longest informer outage before the liveness probe fails
 * @param reconcileThreads how many BrokerUpgrades are reconciled at the same moment
 */
public record OperatorSettings(
    Set<String> watchNamespaces,
    Optional<String> bindAddress,
    OptionalInt healthPort,
    OptionalInt metricsPort,
    Optional<LeaderElection> leaderElection,
    ImagePolicy imagePolicy,
    Duration reconcileLimit,
    Duration informerGrace,
    int reconcileThreads) {

  /** Comma-separated namespaces to watch; unset or empty watches all namespaces. */
  public static final String WATCH_NAMESPACES = "WATCH_NAMESPACES";

  /**
   * The pod's IP (downward API): the endpoints listen there only, which is what the kubelet's
   * probes and Prometheus reach, and lets replicas that share a host network bind the same ports.
   */
  static final String POD_IP = "POD_IP";

  static final String HEALTH_PORT = "HEALTH_PORT";
  static final String METRICS_PORT = "METRICS_PORT";

  /** Namespace of the Lease; set, the replicas elect one leader and the others stand by. */
  static final String LEADER_ELECTION_NAMESPACE = "LEADER_ELECTION_NAMESPACE";

  /** This replica's name in the Lease; the pod's name through the downward API. */
  static final String POD_NAME = "POD_NAME";

  /**
   * Reconciler threads. A pass is a few API requests (milliseconds), and a BrokerUpgrade waits for
   * Jobs and rollouts between passes, not in them: 10 keep 100 upgrades at once moving (measured by
   * {@code make bench}) where JOSDK's default 50 would keep 40 more idle thread stacks resident.
   */
  static final String RECONCILE_THREADS = "RECONCILE_THREADS";

  static final int DEFAULT_RECONCILE_THREADS = 10;

  /** The Lease's name, one per installed operator. */
  static final String LEASE_NAME = "brokerupgrade-operator";

  /**
   * Where and as whom this replica takes part in leader election.
   *
   * @param identity what the Lease's {@code holderIdentity} says while this replica leads
   */
  public record LeaderElection(String namespace, String leaseName, String identity) {}

  /** Reads the settings from an environment such as {@link System#getenv()}. */
  public static OperatorSettings from(Map<String, String> env) {
    return new OperatorSettings(
        namespaces(env.get(WATCH_NAMESPACES)),
        Optional.ofNullable(env.get(POD_IP)).map(String::strip).filter(ip -> !ip.isEmpty()),
        port(HEALTH_PORT, env.get(HEALTH_PORT)),
        port(METRICS_PORT, env.get(METRICS_PORT)),
        leaderElection(env),
        ImagePolicy.parse(env.get(ImagePolicy.ENV)),
        Liveness.seconds(
            ReconcileWatchdog.LIMIT_ENV,
            env.get(ReconcileWatchdog.LIMIT_ENV),
            ReconcileWatchdog.DEFAULT_LIMIT),
        Liveness.seconds(
            Liveness.INFORMER_GRACE_ENV,
            env.get(Liveness.INFORMER_GRACE_ENV),
            Liveness.DEFAULT_INFORMER_GRACE),
        threads(RECONCILE_THREADS, env.get(RECONCILE_THREADS), DEFAULT_RECONCILE_THREADS));
  }

  /** What {@code make run} and the tests' operator use: every default, the given namespaces. */
  public static OperatorSettings watching(Set<String> namespaces) {
    return from(
        Map.of(WATCH_NAMESPACES, namespaces.stream().sorted().collect(Collectors.joining(","))));
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

  /** Where an endpoint on this port listens. */
  InetSocketAddress endpoint(int port) {
    return bindAddress
        .map(ip -> new InetSocketAddress(ip, port))
        .orElseGet(() -> new InetSocketAddress(port));
  }

  private static OptionalInt port(String name, String value) {
    return wholeNumber(name, value, 0, 65535, "a port number");
  }

  private static int threads(String name, String value, int fallback) {
    return wholeNumber(name, value, 1, 200, "a whole number from 1 to 200").orElse(fallback);
  }

  /** A setting's whole number from {@code min} to {@code max}; none when unset or blank. */
  private static OptionalInt wholeNumber(
      String name, String value, int min, int max, String whatItMustBe) {
    if (value == null || value.isBlank()) {
      return OptionalInt.empty();
    }
    try {
      int number = Integer.parseInt(value.strip());
      if (number >= min && number <= max) {
        return OptionalInt.of(number);
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(name + " must be " + whatItMustBe + ", was '" + value + "'");
  }

  private static Optional<LeaderElection> leaderElection(Map<String, String> env) {
    String namespace = env.get(LEADER_ELECTION_NAMESPACE);
    if (namespace == null || namespace.isBlank()) {
      return Optional.empty();
    }
    String identity =
        Optional.ofNullable(env.get(POD_NAME))
            .filter(s -> !s.isBlank())
            .or(() -> Optional.ofNullable(env.get("HOSTNAME")).filter(s -> !s.isBlank()))
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        LEADER_ELECTION_NAMESPACE
                            + " is set, so "
                            + POD_NAME
                            + " (or HOSTNAME) must name this replica"));
    return Optional.of(new LeaderElection(namespace.strip(), LEASE_NAME, identity.strip()));
  }
}
