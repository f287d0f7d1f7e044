package dev.brokerops.upgrade.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/** `spec.jobs`: limits and housekeeping of the migration Jobs. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class JobsSpec {

  public static final long DEFAULT_ACTIVE_DEADLINE_SECONDS = 1800;
  public static final int DEFAULT_BACKOFF_LIMIT = 0;
  public static final int DEFAULT_TTL_SECONDS_AFTER_FINISHED = 86400;
  public static final int MIN_TTL_SECONDS_AFTER_FINISHED = 60;

  @Default("1800")
  @Min(1)
  @JsonPropertyDescription("Longest time one migration Job may run, in seconds.")
  private Long activeDeadlineSeconds = DEFAULT_ACTIVE_DEADLINE_SECONDS;

  @Default("0")
  @Min(0)
  @JsonPropertyDescription("Retries of a failed migration pod before the Job fails.")
  private Integer backoffLimit = DEFAULT_BACKOFF_LIMIT;

  @Default("86400")
  @ValidationRule(
      value = "self >= " + MIN_TTL_SECONDS_AFTER_FINISHED,
      message =
          "jobs.ttlSecondsAfterFinished must be at least "
              + MIN_TTL_SECONDS_AFTER_FINISHED
              + " seconds: the operator reads a finished Job's result and output before the Job is"
              + " removed")
  @JsonPropertyDescription(
      "Finished Jobs are kept this long (seconds) for kubectl logs; at least 60.")
  private Integer ttlSecondsAfterFinished = DEFAULT_TTL_SECONDS_AFTER_FINISHED;

  @JsonPropertyDescription("Resources of the Job container. Default: the broker container's own.")
  private ResourceRequirements resources;

  public long getActiveDeadlineSeconds() {
    return activeDeadlineSeconds == null ? DEFAULT_ACTIVE_DEADLINE_SECONDS : activeDeadlineSeconds;
  }

  public void setActiveDeadlineSeconds(Long activeDeadlineSeconds) {
    this.activeDeadlineSeconds = activeDeadlineSeconds;
  }

  public int getBackoffLimit() {
    return backoffLimit == null ? DEFAULT_BACKOFF_LIMIT : backoffLimit;
  }

  public void setBackoffLimit(Integer backoffLimit) {
    this.backoffLimit = backoffLimit;
  }

  public int getTtlSecondsAfterFinished() {
    return ttlSecondsAfterFinished == null
        ? DEFAULT_TTL_SECONDS_AFTER_FINISHED
        : ttlSecondsAfterFinished;
  }

  public void setTtlSecondsAfterFinished(Integer ttlSecondsAfterFinished) {
    this.ttlSecondsAfterFinished = ttlSecondsAfterFinished;
  }

  public ResourceRequirements getResources() {
    return resources;
  }

  public void setResources(ResourceRequirements resources) {
    this.resources = resources;
  }
}
