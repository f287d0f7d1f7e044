package dev.brokerops.upgrade.api;

/** How a finished run ended. */
public enum RunResult {
  Succeeded,
  Failed
}
