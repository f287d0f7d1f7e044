package dev.brokerops.upgrade.plan;

import dev.brokerops.upgrade.api.Phase;

/**
 * How a planning pass settles for people when no run moves: the phase to show, and why the
 * BrokerUpgrade is degraded, if it is.
 */
record Verdict(Phase phase, String degradedReason, String degradedMessage) {

  static final Verdict IDLE = new Verdict(Phase.Idle, null, null);
  static final Verdict SUCCEEDED = new Verdict(Phase.Succeeded, null, null);

  static Verdict blocked(String reason, String message) {
    return new Verdict(Phase.Blocked, reason, message);
  }

  boolean blocked() {
    return phase == Phase.Blocked;
  }

  boolean degraded() {
    return degradedReason != null;
  }
}
