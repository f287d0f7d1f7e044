package dev.brokerops.upgrade.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the operator observed and did: the `status` of a BrokerUpgrade. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BrokerUpgradeStatus {

  public static final int HISTORY_LIMIT = 10;

  @JsonPropertyDescription("Generation of the spec this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription("Idle, Paused, Blocked, Running, Succeeded, Failed or RolledBack.")
  private Phase phase;

  @JsonPropertyDescription("Version the Deployment runs now (its image tag).")
  private String currentVersion;

  @JsonPropertyDescription("spec.version as last seen.")
  private String targetVersion;

  @JsonPropertyDescription("Step in progress; empty when none.")
  private String step;

  @JsonPropertyDescription("The current or last run.")
  private RunStatus run;

  @JsonPropertyDescription("The run that starts once nothing holds it back.")
  private PlannedRun nextRun;

  @JsonPropertyDescription("The last 10 finished runs, newest first.")
  private List<RunSummary> history = new ArrayList<>();

  @JsonPropertyDescription(
      "For the last successful upgrade: the version it came from and the database version"
          + " recorded before it.")
  private WayBack wayBack;

  @JsonPropertyDescription("Ready, Progressing and Degraded.")
  private List<Condition> conditions = new ArrayList<>();

  public WayBack getWayBack() {
    return wayBack;
  }

  public void setWayBack(WayBack wayBack) {
    this.wayBack = wayBack;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public Phase getPhase() {
    return phase;
  }

  public void setPhase(Phase phase) {
    this.phase = phase;
  }

  public String getCurrentVersion() {
    return currentVersion;
  }

  public void setCurrentVersion(String currentVersion) {
    this.currentVersion = currentVersion;
  }

  public String getTargetVersion() {
    return targetVersion;
  }

  public void setTargetVersion(String targetVersion) {
    this.targetVersion = targetVersion;
  }

  public String getStep() {
    return step;
  }

  public void setStep(String step) {
    this.step = step;
  }

  public RunStatus getRun() {
    return run;
  }

  public void setRun(RunStatus run) {
    this.run = run;
  }

  public PlannedRun getNextRun() {
    return nextRun;
  }

  public void setNextRun(PlannedRun nextRun) {
    this.nextRun = nextRun;
  }

  public List<RunSummary> getHistory() {
    return history;
  }

  public void setHistory(List<RunSummary> history) {
    this.history = history;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }
}
