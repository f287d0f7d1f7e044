package dev.brokerops.referencebroker;

/**
 * A failure the broker reports as one line on stderr and a non-zero exit; its message never holds a
 * secret.
 */
final class BrokerFailure extends RuntimeException {

  BrokerFailure(String message) {
    super(message, null, false, false);
  }

  BrokerFailure(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}
