package dev.brokerops.upgrade.api;

/** Where a BrokerUpgrade stands, in one word (the PHASE column). */
public enum Phase {
  /** The Deployment runs the target version and nothing is to be done. */
  Idle,
  /** A run would start but `spec.paused` holds it. */
  Paused,
  /** A run cannot start; the Degraded condition says what to change. */
  Blocked,
  Running,
  Succeeded,
  Failed,
  /** An upgrade failed and was rolled back to the version it came from. */
  RolledBack
}
