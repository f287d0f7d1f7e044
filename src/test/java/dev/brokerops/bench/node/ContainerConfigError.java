package dev.brokerops.bench.node;

/** What the kubelet reports as a waiting reason when a container cannot be set up yet. */
final class ContainerConfigError extends Exception {

  private final String reason;

  ContainerConfigError(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  static ContainerConfigError config(String message) {
    return new ContainerConfigError("CreateContainerConfigError", message);
  }

  static ContainerConfigError mount(String message) {
    return new ContainerConfigError("ContainerCreating", message);
  }

  static ContainerConfigError create(String message) {
    return new ContainerConfigError("CreateContainerError", message);
  }

  String reason() {
    return reason;
  }
}
