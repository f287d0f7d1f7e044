package dev.brokerops.upgrade.plan;

/**
 * Something a person should hear about: a log line always, and a Kubernetes Event when {@code
 * event} (a run starting or ending, and every warning). A step's start and end are in {@code
 * status.run.steps} and the log: an Event for each would double the writes of an upgrade.
 */
public record Notice(boolean warning, String reason, String message, boolean event) {

  public static Notice normal(String reason, String message) {
    return new Notice(false, reason, message, true);
  }

  public static Notice warning(String reason, String message) {
    return new Notice(true, reason, message, true);
  }

  /** A transition status already shows, told in the log only. */
  public static Notice logOnly(String reason, String message) {
    return new Notice(false, reason, message, false);
  }
}
