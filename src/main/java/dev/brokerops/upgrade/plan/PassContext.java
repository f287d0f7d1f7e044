package dev.brokerops.upgrade.plan;

import dev.brokerops.upgrade.api.BrokerUpgrade;
import dev.brokerops.upgrade.api.BrokerUpgradeSpec;
import dev.brokerops.upgrade.api.BrokerUpgradeStatus;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Instant;

/**
 * What a planning pass knows once preflight passed, and where it writes: the status it builds and
 * the book of step transitions.
 */
record PassContext(
    Observation observed,
    Deployment deployment,
    BrokerContainer broker,
    RolloutProgress rollout,
    BrokerUpgradeStatus status,
    StepBook book) {

  BrokerUpgrade upgrade() {
    return observed.upgrade();
  }

  BrokerUpgradeSpec spec() {
    return observed.upgrade().getSpec();
  }

  Instant now() {
    return observed.now();
  }
}
