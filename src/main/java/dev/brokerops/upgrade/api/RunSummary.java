package dev.brokerops.upgrade.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A finished run, as kept in `status.history`. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RunSummary {

  private String id;
  private RunType type;
  private String from;
  private String to;
  private RunResult result;
  private String startedAt;
  private String finishedAt;

  public RunSummary() {}

  public static RunSummary of(RunStatus run) {
    RunSummary summary = new RunSummary();
    summary.id = run.getId();
    summary.type = run.getType();
    summary.from = run.getFrom();
    summary.to = run.getTo();
    summary.result = run.getResult();
    summary.startedAt = run.getStartedAt();
    summary.finishedAt = run.getFinishedAt();
    return summary;
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

  public RunResult getResult() {
    return result;
  }

  public void setResult(RunResult result) {
    this.result = result;
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
}
