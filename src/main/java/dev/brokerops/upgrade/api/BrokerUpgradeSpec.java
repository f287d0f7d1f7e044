package dev.brokerops.upgrade.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** What the broker should run and how to get there: the `spec` of a BrokerUpgrade. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BrokerUpgradeSpec {

  /**
   * MAJOR.MINOR.PATCH with an optional -suffix; the planner's {@code Version} parses the same
   * shape.
   */
  public static final String VERSION_REGEX =
      "^[0-9]+[.][0-9]+[.][0-9]+(-[0-9A-Za-z][0-9A-Za-z.-]*)?$";

  /** Bounds the CEL cost the API server estimates for the version rules. */
  static final int MAX_VERSION_LENGTH = 64;

  static final String VERSION_RULE = "self.matches('" + VERSION_REGEX + "')";
  static final String VERSION_RULE_ITEM = "v.matches('" + VERSION_REGEX + "')";

  @Required
  @Size(max = 253)
  @ValidationRule(
      value = "self.matches('^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$')",
      message =
          "deployment must be the name of a Deployment: lowercase letters, digits, '-' and '.'")
  @JsonPropertyDescription("Name of the broker Deployment in the same namespace.")
  private String deployment;

  @JsonPropertyDescription(
      "Container of that Deployment that runs the broker; required when it has several.")
  private String container;

  @Required
  @Size(max = MAX_VERSION_LENGTH)
  @ValidationRule(
      value = VERSION_RULE,
      message =
          "version must look like MAJOR.MINOR.PATCH with an optional -suffix, e.g. 2.4.1 or 2.5.0-rc.1")
  @JsonPropertyDescription("Desired image tag, e.g. 2.4.1 (MAJOR.MINOR.PATCH, optional -suffix).")
  private String version;

  @Size(max = 255)
  @ValidationRule(
      value = "!self.contains('@') && !self.contains(' ') && !self.matches(':[^/]*$')",
      message =
          "image is a repository without a tag, e.g. quay.io/pactflow/enterprise; the tag comes from spec.version")
  @JsonPropertyDescription(
      "Image repository, e.g. quay.io/pactflow/enterprise. Default: the repository of the container's current image.")
  private String image;

  @Default("false")
  @JsonPropertyDescription("When true, no new run starts; the planned run is shown in status.")
  private boolean paused;

  @Default("false")
  @JsonPropertyDescription(
      "A version lower than the running one is a rollback; it is refused unless this is true.")
  private boolean allowDowngrade;

  @Default("Halt")
  @JsonPropertyDescription(
      "What a failed upgrade run does: Halt (stop and report) or Rollback (back to the version it came from).")
  private FailurePolicy onFailure = FailurePolicy.Halt;

  @Default("{}")
  @JsonPropertyDescription("Rules for which version paths are allowed.")
  private VersionPolicySpec versionPolicy = new VersionPolicySpec();

  @Default("{}")
  @JsonPropertyDescription("Commands and environment variables of PactFlow's migration procedure.")
  private ProcedureSpec procedure = new ProcedureSpec();

  @Default("{}")
  @JsonPropertyDescription("Settings of the migration Jobs.")
  private JobsSpec jobs = new JobsSpec();

  @Default("{}")
  @JsonPropertyDescription("Settings of the Deployment rollout.")
  private RolloutSpec rollout = new RolloutSpec();

  public String getDeployment() {
    return deployment;
  }

  public void setDeployment(String deployment) {
    this.deployment = deployment;
  }

  public String getContainer() {
    return container;
  }

  public void setContainer(String container) {
    this.container = container;
  }

  public String getVersion() {
    return version;
  }

  public void setVersion(String version) {
    this.version = version;
  }

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public boolean isPaused() {
    return paused;
  }

  public void setPaused(boolean paused) {
    this.paused = paused;
  }

  public boolean isAllowDowngrade() {
    return allowDowngrade;
  }

  public void setAllowDowngrade(boolean allowDowngrade) {
    this.allowDowngrade = allowDowngrade;
  }

  public FailurePolicy getOnFailure() {
    return onFailure == null ? FailurePolicy.Halt : onFailure;
  }

  public void setOnFailure(FailurePolicy onFailure) {
    this.onFailure = onFailure;
  }

  public VersionPolicySpec getVersionPolicy() {
    return versionPolicy == null ? new VersionPolicySpec() : versionPolicy;
  }

  public void setVersionPolicy(VersionPolicySpec versionPolicy) {
    this.versionPolicy = versionPolicy;
  }

  public ProcedureSpec getProcedure() {
    return procedure == null ? new ProcedureSpec() : procedure;
  }

  public void setProcedure(ProcedureSpec procedure) {
    this.procedure = procedure;
  }

  public JobsSpec getJobs() {
    return jobs == null ? new JobsSpec() : jobs;
  }

  public void setJobs(JobsSpec jobs) {
    this.jobs = jobs;
  }

  public RolloutSpec getRollout() {
    return rollout == null ? new RolloutSpec() : rollout;
  }

  public void setRollout(RolloutSpec rollout) {
    this.rollout = rollout;
  }
}
