package dev.brokerops.upgrade.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.brokerops.upgrade.api.BrokerUpgradeStatus;
import dev.brokerops.upgrade.api.Phase;
import dev.brokerops.upgrade.api.RunResult;
import dev.brokerops.upgrade.api.RunStatus;
import dev.brokerops.upgrade.api.RunSummary;
import dev.brokerops.upgrade.api.RunType;
import dev.brokerops.upgrade.api.StepName;
import dev.brokerops.upgrade.api.StepState;
import dev.brokerops.upgrade.api.StepStatus;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The metrics follow the statuses the reconciler stores, counting each transition once. */
class UpgradeMetricsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ResourceID UPGRADE = new ResourceID("pactflow", "broker");

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final UpgradeMetrics metrics = new UpgradeMetrics(registry);

  @Test
  void aRunIsCountedOnceAndEachStepTimedOnceWhenItFinishes() {
    BrokerUpgradeStatus running = status(Phase.Running, null);
    step(running, StepName.SchemaMigration, StepState.Running, null);
    metrics.stored(UPGRADE, null, running);
    assertThat(scrape()).contains("brokerupgrade_runs_in_progress 1.0");

    BrokerUpgradeStatus schemaDone = copy(running);
    schemaDone.getRun().getSteps().get(0).setState(StepState.Succeeded);
    schemaDone.getRun().getSteps().get(0).setFinishedAt("2026-01-01T10:00:42Z");
    metrics.stored(UPGRADE, running, schemaDone);
    metrics.stored(UPGRADE, schemaDone, copy(schemaDone)); // a pass that changed nothing

    BrokerUpgradeStatus succeeded = copy(schemaDone);
    succeeded.setPhase(Phase.Succeeded);
    succeeded.getRun().setFinishedAt("2026-01-01T10:01:00Z");
    succeeded.getRun().setResult(RunResult.Succeeded);
    succeeded.setHistory(new ArrayList<>(List.of(RunSummary.of(succeeded.getRun()))));
    metrics.stored(UPGRADE, schemaDone, succeeded);
    metrics.stored(UPGRADE, succeeded, copy(succeeded));

    String scraped = scrape();
    assertThat(scraped)
        .contains("brokerupgrade_runs_total{result=\"Succeeded\",type=\"Upgrade\"} 1.0")
        .contains(
            "brokerupgrade_step_duration_seconds_count{result=\"Succeeded\",step=\"SchemaMigration\"} 1")
        .contains(
            "brokerupgrade_step_duration_seconds_sum{result=\"Succeeded\",step=\"SchemaMigration\"} 42.0")
        .contains(
            "brokerupgrade_step_duration_seconds_bucket{result=\"Succeeded\",step=\"SchemaMigration\",le=\"60.0\"} 1")
        .contains(
            "brokerupgrade_phase{name=\"pactflow\",namespace=\"broker\",phase=\"Succeeded\"} 1.0")
        .contains(
            "brokerupgrade_phase{name=\"pactflow\",namespace=\"broker\",phase=\"Running\"} 0.0")
        .contains("brokerupgrade_runs_in_progress 0.0");
  }

  @Test
  void aDeletedBrokerUpgradesPhaseSeriesGo() {
    metrics.stored(UPGRADE, null, status(Phase.Idle, null));
    assertThat(scrape()).contains("brokerupgrade_phase{name=\"pactflow\"");

    metrics.forget(UPGRADE);

    assertThat(scrape()).doesNotContain("brokerupgrade_phase{");
  }

  private String scrape() {
    return registry.scrape();
  }

  private static BrokerUpgradeStatus status(Phase phase, RunResult result) {
    BrokerUpgradeStatus status = new BrokerUpgradeStatus();
    status.setPhase(phase);
    RunStatus run = new RunStatus();
    run.setId("r1");
    run.setType(RunType.Upgrade);
    run.setFrom("1.0.0");
    run.setTo("1.1.0");
    run.setStartedAt("2026-01-01T10:00:00Z");
    run.setResult(result);
    run.setSteps(new ArrayList<>());
    status.setRun(run);
    return status;
  }

  private static void step(
      BrokerUpgradeStatus status, StepName name, StepState state, String finishedAt) {
    StepStatus step = new StepStatus(name, "1.1.0", "quay.io/pactflow/enterprise:1.1.0");
    step.setState(state);
    step.setStartedAt("2026-01-01T10:00:00Z");
    step.setFinishedAt(finishedAt);
    status.getRun().getSteps().add(step);
  }

  private static BrokerUpgradeStatus copy(BrokerUpgradeStatus status) {
    return JSON.convertValue(status, BrokerUpgradeStatus.class);
  }
}
