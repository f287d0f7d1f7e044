package dev.brokerops.upgrade;

import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This replica's part in leader election, as the readiness probe tells it: the leader reconciles, a
 * standby keeps its caches warm and waits to take over, and neither is broken.
 */
final class Leadership {

  private static final Logger LOG = LoggerFactory.getLogger(Leadership.class);

  private final String identity;
  private final AtomicBoolean leading = new AtomicBoolean();
  private final AtomicReference<String> leader = new AtomicReference<>();

  private Leadership(String identity) {
    this.identity = identity;
  }

  /** For a replica that takes part in leader election under this identity. */
  static Leadership electing(String identity) {
    return new Leadership(identity);
  }

  /** For an operator that runs alone: it always leads. */
  static Leadership alone() {
    Leadership alone = new Leadership(null);
    alone.leading.set(true);
    return alone;
  }

  /** What JOSDK's leader elector tells us; JOSDK itself starts event processing on leading. */
  LeaderCallbacks callbacks() {
    return new LeaderCallbacks(
        () -> {
          leading.set(true);
          LOG.info("{} leads: reconciling BrokerUpgrades", identity);
        },
        // JOSDK exits the process right after: a replica that lost its lease must not reconcile
        () -> leading.set(false),
        newLeader -> {
          leader.set(newLeader);
          if (!newLeader.equals(identity)) {
            LOG.info("{} stands by; leader is {}", identity, newLeader);
          }
        });
  }

  boolean leading() {
    return leading.get();
  }

  /** How readiness describes this replica when it is otherwise healthy. */
  String role() {
    if (identity == null) {
      return "ok";
    }
    if (leading.get()) {
      return "ok: leader " + identity;
    }
    return "ok: standby "
        + identity
        + Optional.ofNullable(leader.get())
            .map(current -> ", leader is " + current)
            .orElse(", no leader seen yet");
  }
}
