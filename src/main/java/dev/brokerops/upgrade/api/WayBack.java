package dev.brokerops.upgrade.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The way back from the last successful upgrade, visible before it is needed: `status.wayBack`. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WayBack {

  @JsonPropertyDescription("The run that upgraded.")
  private String run;

  @JsonPropertyDescription("Version the Deployment ran before that upgrade: where a rollback goes.")
  private String version;

  @JsonPropertyDescription(
      "Database version (db-version) recorded before that upgrade: where a rollback takes the"
          + " database.")
  private String databaseVersion;

  @JsonPropertyDescription("Version the upgrade reached.")
  private String upgradedTo;

  @JsonPropertyDescription("When the upgrade finished.")
  private String upgradedAt;

  public static WayBack of(RunStatus upgrade) {
    WayBack wayBack = new WayBack();
    wayBack.run = upgrade.getId();
    wayBack.version = upgrade.getFrom();
    wayBack.databaseVersion = upgrade.getDatabaseVersionBefore();
    wayBack.upgradedTo = upgrade.getTo();
    wayBack.upgradedAt = upgrade.getFinishedAt();
    return wayBack;
  }

  public String getRun() {
    return run;
  }

  public void setRun(String run) {
    this.run = run;
  }

  public String getVersion() {
    return version;
  }

  public void setVersion(String version) {
    this.version = version;
  }

  public String getDatabaseVersion() {
    return databaseVersion;
  }

  public void setDatabaseVersion(String databaseVersion) {
    this.databaseVersion = databaseVersion;
  }

  public String getUpgradedTo() {
    return upgradedTo;
  }

  public void setUpgradedTo(String upgradedTo) {
    this.upgradedTo = upgradedTo;
  }

  public String getUpgradedAt() {
    return upgradedAt;
  }

  public void setUpgradedAt(String upgradedAt) {
    this.upgradedAt = upgradedAt;
  }
}
