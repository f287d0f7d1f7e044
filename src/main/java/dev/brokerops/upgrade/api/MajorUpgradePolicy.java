package dev.brokerops.upgrade.api;

/** How a change of major version is allowed to happen. */
public enum MajorUpgradePolicy {
  /** Reach the newest patch of the previous major first (PactFlow's documented rule). */
  RequireLatestPatch,
  /** Go straight to the target; the person setting this takes responsibility. */
  Allow
}
