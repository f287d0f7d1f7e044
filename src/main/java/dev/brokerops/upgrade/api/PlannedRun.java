package dev.brokerops.upgrade.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/**
 * A run that will start once nothing holds it (paused, or another run in flight): `status.nextRun`.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PlannedRun {

  private RunType type;
  private String from;
  private String to;
  private List<String> plan = new ArrayList<>();

  @JsonPropertyDescription("Why it has not started yet.")
  private String waitingFor;

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

  public List<String> getPlan() {
    return plan;
  }

  public void setPlan(List<String> plan) {
    this.plan = plan;
  }

  public String getWaitingFor() {
    return waitingFor;
  }

  public void setWaitingFor(String waitingFor) {
    this.waitingFor = waitingFor;
  }
}
