package dev.brokerops.upgrade.api;

/** What a failed upgrade run does. */
public enum FailurePolicy {
  /** Stop and report the failing step, Job and message. */
  Halt,
  /** Roll back automatically to the version the failed run started from. */
  Rollback
}
