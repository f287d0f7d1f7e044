package dev.brokerops.upgrade.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brokerops.upgrade.plan.ImagePolicy;
import io.javaoperatorsdk.operator.api.config.BaseConfigurationService;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import org.junit.jupiter.api.Test;

/** How JOSDK runs the reconciler, as its annotation resolves. */
class ControllerConfigurationTest {

  private final BrokerUpgradeReconciler reconciler =
      new BrokerUpgradeReconciler(
          Clock.systemUTC(),
          ImagePolicy.DEPLOYMENTS_OWN_REPOSITORY,
          new UpgradeMetrics(new SimpleMeterRegistry()));

  @Test
  void reconcilesOnEventsOnlyWithNoPeriodicPass() {
    var configuration = new BaseConfigurationService().getConfigurationFor(reconciler);

    assertThat(configuration.maxReconciliationInterval()).isEmpty();
    assertThat(configuration.isGenerationAware()).isFalse();
  }
}
