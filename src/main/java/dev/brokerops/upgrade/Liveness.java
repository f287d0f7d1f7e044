package dev.brokerops.upgrade;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Decides whether the operator process is hung and worth restarting: a reconciliation stuck past
 * its limit, or event sources (informers) unhealthy for longer than a grace period.
 */
final class Liveness {

  /** Seconds the event sources may stay unhealthy without a break before the operator is hung. */
  static final String INFORMER_GRACE_ENV = "LIVENESS_INFORMER_GRACE_SECONDS";

  // Informers lose their watch whenever the API server restarts or a connection drops, and the
  // client re-lists and re-watches by itself; only an outage of minutes that does not heal is
  // worth a restart (a restart during a real API server outage would not help either).
  static final Duration DEFAULT_INFORMER_GRACE = Duration.ofSeconds(300);

  private final Clock clock;
  private final ReconcileWatchdog watchdog;
  private final Supplier<List<String>> unhealthyEventSources;
  private final Duration informerGrace;

  // Since the first check that saw an unhealthy event source, with no healthy check after it.
  private Instant unhealthySince;

  /**
   * @param unhealthyEventSources names of the event sources unhealthy right now, asked at every
   *     check
   */
  Liveness(
      Clock clock,
      ReconcileWatchdog watchdog,
      Supplier<List<String>> unhealthyEventSources,
      Duration informerGrace) {
    this.clock = clock;
    this.watchdog = watchdog;
    this.unhealthyEventSources = unhealthyEventSources;
    this.informerGrace = informerGrace;
  }

  /** Why the operator counts as hung, in one line; empty while it is alive. */
  synchronized Optional<String> problem() {
    // Asked first so that the unhealthy streak is followed even while a reconciliation is stuck.
    Optional<String> lostEventSources = lostEventSources();
    Optional<String> stuck = watchdog.stuckReconciliation();
    return stuck.isPresent() ? stuck : lostEventSources;
  }

  private Optional<String> lostEventSources() {
    List<String> unhealthy = unhealthyEventSources.get();
    Instant now = clock.instant();
    if (unhealthy.isEmpty()) {
      unhealthySince = null;
      return Optional.empty();
    }
    if (unhealthySince == null) {
      unhealthySince = now;
    }
    Duration unhealthyFor = Duration.between(unhealthySince, now);
    if (unhealthyFor.compareTo(informerGrace) <= 0) {
      return Optional.empty();
    }
    return Optional.of(
        "event sources unhealthy for "
            + unhealthyFor.toSeconds()
            + " s (grace "
            + informerGrace.toSeconds()
            + " s): "
            + String.join(", ", unhealthy));
  }

  /**
   * A positive number of whole seconds from the environment variable {@code name}; unset or blank
   * gives the default, anything else fails the start rather than leaving liveness unguarded.
   */
  static Duration seconds(String name, String value, Duration fallback) {
    if (value == null || value.isBlank()) {
      return fallback;
    }
    long seconds;
    try {
      seconds = Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      seconds = 0;
    }
    if (seconds <= 0) {
      throw new IllegalArgumentException(
          name + " must be a positive number of seconds, was '" + value + "'");
    }
    return Duration.ofSeconds(seconds);
  }
}
