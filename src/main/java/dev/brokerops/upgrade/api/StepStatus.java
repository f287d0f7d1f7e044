package dev.brokerops.upgrade.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One step of a run as it happened: `status.run.steps[]`. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StepStatus {

  @JsonPropertyDescription("Step of the procedure.")
  private StepName name;

  @JsonPropertyDescription("Version this step's hop moves to.")
  private String hop;

  @JsonPropertyDescription("Image the step's Job runs, or the Deployment is set to.")
  private String image;

  @JsonPropertyDescription("Pending, Running, Succeeded or Failed.")
  private StepState state = StepState.Pending;

  @JsonPropertyDescription("Name of the step's Job, when it runs one.")
  private String job;

  private String startedAt;
  private String finishedAt;

  @JsonPropertyDescription(
      "One word for how it ended, e.g. Complete, BackoffLimitExceeded, ImagePullBackOff, RolloutTimeout.")
  private String reason;

  @JsonPropertyDescription(
      "What happened, for people: the failure message (trimmed, secrets redacted) or a summary.")
  private String message;

  @JsonPropertyDescription(
      "The value the step produced and later steps use (database version, migration number).")
  private String output;

  public StepStatus() {}

  public StepStatus(StepName name, String hop, String image) {
    this.name = name;
    this.hop = hop;
    this.image = image;
  }

  public StepName getName() {
    return name;
  }

  public void setName(StepName name) {
    this.name = name;
  }

  public String getHop() {
    return hop;
  }

  public void setHop(String hop) {
    this.hop = hop;
  }

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public StepState getState() {
    return state;
  }

  public void setState(StepState state) {
    this.state = state;
  }

  public String getJob() {
    return job;
  }

  public void setJob(String job) {
    this.job = job;
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

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public String getOutput() {
    return output;
  }

  public void setOutput(String output) {
    this.output = output;
  }
}
