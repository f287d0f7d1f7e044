package dev.brokerops.upgrade.reconcile;

import dev.brokerops.upgrade.api.BrokerUpgradeStatus;
import dev.brokerops.upgrade.api.Phase;
import dev.brokerops.upgrade.api.RunStatus;
import dev.brokerops.upgrade.api.RunSummary;
import dev.brokerops.upgrade.api.StepStatus;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * What the operator's runs look like to Prometheus, read from each status it stores: runs by type
 * and result, step durations, the phase of each BrokerUpgrade, and runs in progress.
 */
public final class UpgradeMetrics {

  static final String RUNS = "brokerupgrade.runs";
  static final String STEP_DURATION = "brokerupgrade.step.duration";
  static final String PHASE = "brokerupgrade.phase";
  static final String RUNS_IN_PROGRESS = "brokerupgrade.runs.in.progress";

  // Migration Jobs take seconds to many minutes, rollouts up to their 15-minute timeout.
  private static final Duration[] STEP_BUCKETS = {
    Duration.ofSeconds(1),
    Duration.ofSeconds(5),
    Duration.ofSeconds(15),
    Duration.ofSeconds(30),
    Duration.ofMinutes(1),
    Duration.ofMinutes(2),
    Duration.ofMinutes(5),
    Duration.ofMinutes(10),
    Duration.ofMinutes(15),
    Duration.ofMinutes(30)
  };

  private final MeterRegistry registry;
  private final Map<ResourceID, Phase> phases = new ConcurrentHashMap<>();

  public UpgradeMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder(RUNS_IN_PROGRESS, phases, all -> count(all, Phase.Running))
        .description("BrokerUpgrades with a run in flight")
        .register(registry);
  }

  /**
   * Records what changed between the status a pass started from and the one it stored: runs that
   * ended, steps that finished, the phase now.
   */
  void stored(ResourceID upgrade, BrokerUpgradeStatus before, BrokerUpgradeStatus after) {
    Set<String> endedBefore =
        Optional.ofNullable(before).map(BrokerUpgradeStatus::getHistory).orElse(List.of()).stream()
            .map(RunSummary::getId)
            .collect(Collectors.toSet());
    for (RunSummary ended : after.getHistory()) {
      if (!endedBefore.contains(ended.getId()) && ended.getResult() != null) {
        Counter.builder(RUNS)
            .description("Runs that ended, by type and result")
            .tag("type", String.valueOf(ended.getType()))
            .tag("result", ended.getResult().name())
            .register(registry)
            .increment();
      }
    }
    RunStatus run = after.getRun();
    if (run != null) {
      RunStatus runBefore =
          Optional.ofNullable(before)
              .map(BrokerUpgradeStatus::getRun)
              .filter(previous -> Objects.equals(previous.getId(), run.getId()))
              .orElse(null);
      for (StepStatus step : run.getSteps()) {
        if (step.getState() != null && step.getState().finished() && !finished(runBefore, step)) {
          duration(step)
              .ifPresent(
                  took ->
                      Timer.builder(STEP_DURATION)
                          .description("How long each step took, from start to its end")
                          .tag("step", step.getName().name())
                          .tag("result", step.getState().name())
                          .serviceLevelObjectives(STEP_BUCKETS)
                          .register(registry)
                          .record(took));
        }
      }
    }
    Phase phase = after.getPhase();
    if (phase != null && phases.put(upgrade, phase) == null) {
      for (Phase each : Phase.values()) {
        Gauge.builder(PHASE, phases, all -> all.get(upgrade) == each ? 1 : 0)
            .description("1 for the phase each BrokerUpgrade is in, 0 for the others")
            .tag("namespace", upgrade.getNamespace().orElse(""))
            .tag("name", upgrade.getName())
            .tag("phase", each.name())
            .register(registry);
      }
    }
  }

  /** A deleted BrokerUpgrade's phase series go with it. */
  void forget(ResourceID upgrade) {
    if (phases.remove(upgrade) != null) {
      registry.getMeters().stream()
          .filter(meter -> meter.getId().getName().equals(PHASE))
          .filter(meter -> upgrade.getName().equals(meter.getId().getTag("name")))
          .filter(
              meter -> upgrade.getNamespace().orElse("").equals(meter.getId().getTag("namespace")))
          .toList()
          .forEach(registry::remove);
    }
  }

  private static boolean finished(RunStatus runBefore, StepStatus step) {
    if (runBefore == null) {
      return false;
    }
    return runBefore.getSteps().stream()
        .filter(
            previous ->
                previous.getName() == step.getName()
                    && Objects.equals(previous.getHop(), step.getHop()))
        .anyMatch(previous -> previous.getState() != null && previous.getState().finished());
  }

  private static Optional<Duration> duration(StepStatus step) {
    try {
      if (step.getStartedAt() == null || step.getFinishedAt() == null) {
        return Optional.empty();
      }
      Duration took =
          Duration.between(Instant.parse(step.getStartedAt()), Instant.parse(step.getFinishedAt()));
      return took.isNegative() ? Optional.empty() : Optional.of(took);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static double count(Map<ResourceID, Phase> phases, Phase phase) {
    return phases.values().stream().filter(phase::equals).count();
  }
}
