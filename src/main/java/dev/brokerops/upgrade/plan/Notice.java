package dev.brokerops.upgrade.plan;

/** Something a person should hear about: becomes a Kubernetes Event and a log line. */
public record Notice(boolean warning, String reason, String message) {

  public static Notice normal(String reason, String message) {
    return new Notice(false, reason, message);
  }

  public static Notice warning(String reason, String message) {
    return new Notice(true, reason, message);
  }
}
