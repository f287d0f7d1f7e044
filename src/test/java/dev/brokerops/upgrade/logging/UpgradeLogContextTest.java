package dev.brokerops.upgrade.logging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brokerops.upgrade.api.BrokerUpgrade;
import dev.brokerops.upgrade.api.BrokerUpgradeStatus;
import dev.brokerops.upgrade.api.RunStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class UpgradeLogContextTest {

  @AfterEach
  void clearMdc() {
    MDC.clear();
  }

  @Test
  void setsNamespaceNameRunAndStepAndRemovesExactlyThoseOnClose() {
    MDC.put("resource.name", "pactflow"); // JOSDK's, around the pass
    BrokerUpgrade upgrade = upgrade(status("r3", "SchemaMigration"));

    try (UpgradeLogContext ignored = UpgradeLogContext.open(upgrade)) {
      assertThat(MDC.get("namespace")).isEqualTo("shop");
      assertThat(MDC.get("name")).isEqualTo("pactflow");
      assertThat(MDC.get("run")).isEqualTo("r3");
      assertThat(MDC.get("step")).isEqualTo("SchemaMigration");
    }

    assertThat(MDC.getCopyOfContextMap()).containsOnlyKeys("resource.name");
  }

  @Test
  void updateFollowsTheDecidedStatusAndDropsWhatItNoLongerHas() {
    try (UpgradeLogContext log = UpgradeLogContext.open(upgrade(null))) {
      assertThat(MDC.get("run")).isNull();
      assertThat(MDC.get("step")).isNull();

      log.update(status("r1", "Preflight"));
      assertThat(MDC.get("run")).isEqualTo("r1");
      assertThat(MDC.get("step")).isEqualTo("Preflight");

      log.update(status("r1", null)); // the run ended
      assertThat(MDC.get("run")).isEqualTo("r1");
      assertThat(MDC.get("step")).isNull();

      log.update(new BrokerUpgradeStatus());
      assertThat(MDC.get("run")).isNull();
      assertThat(MDC.get("name")).isEqualTo("pactflow");
    }
    assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();
  }

  @Test
  void closeEvenAfterAnExceptionPutsBackWhatWasThereBefore() {
    MDC.put("name", "outer");
    MDC.put("step", "outer-step");

    try (UpgradeLogContext ignored = UpgradeLogContext.open(upgrade(status("r1", "Rollout")))) {
      throw new IllegalStateException("the pass failed");
    } catch (IllegalStateException expected) {
      // the finally part already ran
    }

    assertThat(MDC.getCopyOfContextMap())
        .containsOnly(
            org.assertj.core.api.Assertions.entry("name", "outer"),
            org.assertj.core.api.Assertions.entry("step", "outer-step"));
  }

  private static BrokerUpgrade upgrade(BrokerUpgradeStatus status) {
    BrokerUpgrade upgrade = new BrokerUpgrade();
    upgrade.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("pactflow").build());
    upgrade.setStatus(status);
    return upgrade;
  }

  private static BrokerUpgradeStatus status(String run, String step) {
    BrokerUpgradeStatus status = new BrokerUpgradeStatus();
    RunStatus runStatus = new RunStatus();
    runStatus.setId(run);
    status.setRun(runStatus);
    status.setStep(step);
    return status;
  }
}
