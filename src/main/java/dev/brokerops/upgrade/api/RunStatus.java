package dev.brokerops.upgrade.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The current or last run of the procedure: `status.run`. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RunStatus {

  @JsonPropertyDescription(
      "Run identifier, unique within this BrokerUpgrade; part of its Job names.")
  private String id;

  private RunType type;

  @JsonPropertyDescription("What started the run: spec generation and retry annotation value.")
  private String trigger;

  @JsonPropertyDescription("True when onFailure: Rollback started this run after a failed upgrade.")
  private Boolean automatic;

  @JsonPropertyDescription("Version the Deployment ran when the run started.")
  private String from;

  @JsonPropertyDescription("Version the run moves to.")
  private String to;

  @JsonPropertyDescription("Hops of the run, in order; each a full procedure.")
  private List<String> plan = new ArrayList<>();

  @JsonPropertyDescription(
      "Output of db-version before the first schema migration; what a rollback returns to.")
  private String databaseVersionBefore;

  private String startedAt;
  private String finishedAt;

  @JsonPropertyDescription("Succeeded or Failed, once finished.")
  private RunResult result;

  private List<StepStatus> steps = new ArrayList<>();

  @JsonIgnore
  public boolean inFlight() {
    return finishedAt == null;
  }

  /** The first step that has not succeeded yet: the one in progress. */
  @JsonIgnore
  public Optional<StepStatus> currentStep() {
    return steps.stream().filter(step -> step.getState() != StepState.Succeeded).findFirst();
  }

  public String getId() {
    return id;
  }

  public void setId(String id) {
    this.id = id;
  }

  public RunType getType() {
    return type;
  }

  public void setType(RunType type) {
    this.type = type;
  }

  public String getTrigger() {
    return trigger;
  }

  public void setTrigger(String trigger) {
    this.trigger = trigger;
  }

  /**
   * True for a rollback that onFailure: Rollback started; not a bean getter, so JSON sees only
   * `automatic`.
   */
  public boolean startedAutomatically() {
    return Boolean.TRUE.equals(automatic);
  }

  public Boolean getAutomatic() {
    return automatic;
  }

  // Absent rather than false on ordinary runs, to keep status short.
  public void setAutomatic(Boolean automatic) {
    this.automatic = Boolean.TRUE.equals(automatic) ? Boolean.TRUE : null;
  }

  public String getFrom() {
    return from;
  }

  public void setFrom(String from) {
    this.from = from;
  }

  public String getTo() {
    return to;
  }

  public void setTo(String to) {
    this.to = to;
  }

  public List<String> getPlan() {
    return plan;
  }

  public void setPlan(List<String> plan) {
    this.plan = plan;
  }

  public String getDatabaseVersionBefore() {
    return databaseVersionBefore;
  }

  public void setDatabaseVersionBefore(String databaseVersionBefore) {
    this.databaseVersionBefore = databaseVersionBefore;
  }

  public String getStartedAt() {
    return startedAt;
  }

  public void setStartedAt(String startedAt) {
    this.startedAt = startedAt;
  }

  public String getFinishedAt() {
    return finishedAt;
  }

  public void setFinishedAt(String finishedAt) {
    this.finishedAt = finishedAt;
  }

  public RunResult getResult() {
    return result;
  }

  public void setResult(RunResult result) {
    this.result = result;
  }

  public List<StepStatus> getSteps() {
    return steps;
  }

  public void setSteps(List<StepStatus> steps) {
    this.steps = steps;
  }
}
