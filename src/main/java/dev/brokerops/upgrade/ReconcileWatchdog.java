package dev.brokerops.upgrade;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Notices a reconciliation that has been running longer than any healthy one can. */
final class ReconcileWatchdog implements Metrics {

  /** Seconds a single reconciliation may run before the operator counts as hung. */
  static final String LIMIT_ENV = "LIVENESS_RECONCILE_LIMIT_SECONDS";

  // A reconciliation makes a handful of API calls, each bounded by the client's timeouts (10 s by
  // default), and waits for Jobs and rollouts through events, never inside the call: minutes mean
  // a thread is stuck.
  static final Duration DEFAULT_LIMIT = Duration.ofSeconds(300);

  private final Clock clock;
  private final Duration limit;
  private final Map<String, Instant> running = new ConcurrentHashMap<>();

  ReconcileWatchdog(Clock clock, Duration limit) {
    if (limit.isNegative() || limit.isZero()) {
      throw new IllegalArgumentException("reconcile limit must be positive, was " + limit);
    }
    this.clock = clock;
    this.limit = limit;
  }

  /**
   * JOSDK calls this on the executor thread right before it dispatches a resource to the reconciler
   * (or cleaner); it never runs one resource twice at once, so the resource names the execution.
   */
  @Override
  public void reconciliationExecutionStarted(HasMetadata resource, Map<String, Object> metadata) {
    if (resource != null) {
      running.put(execution(resource), clock.instant());
    }
  }

  /** JOSDK calls this in a {@code finally}: after success, failure or an early return alike. */
  @Override
  public void reconciliationExecutionFinished(HasMetadata resource, Map<String, Object> metadata) {
    if (resource != null) {
      running.remove(execution(resource));
    }
  }

  /** The oldest reconciliation still running past the limit, said in one line; empty if none. */
  Optional<String> stuckReconciliation() {
    Instant now = clock.instant();
    return running.entrySet().stream()
        .min(Map.Entry.comparingByValue(Comparator.naturalOrder()))
        .filter(oldest -> Duration.between(oldest.getValue(), now).compareTo(limit) > 0)
        .map(
            oldest ->
                "reconciliation of "
                    + oldest.getKey()
                    + " running for "
                    + Duration.between(oldest.getValue(), now).toSeconds()
                    + " s (limit "
                    + limit.toSeconds()
                    + " s)");
  }

  private static String execution(HasMetadata resource) {
    String namespace = resource.getMetadata().getNamespace();
    String name = resource.getMetadata().getName();
    return resource.getKind() + " " + (namespace == null ? name : namespace + "/" + name);
  }
}
