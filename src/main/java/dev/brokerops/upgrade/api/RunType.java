package dev.brokerops.upgrade.api;

/** Whether a run moves the broker up or down. */
public enum RunType {
  Upgrade,
  Rollback
}
