package dev.brokerops.upgrade.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;

/** `spec.rollout`: how long the Deployment rollout may take. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RolloutSpec {

  public static final long DEFAULT_TIMEOUT_SECONDS = 900;

  @Default("900")
  @Min(1)
  @JsonPropertyDescription("Longest wait for the Deployment rollout, in seconds.")
  private Long timeoutSeconds = DEFAULT_TIMEOUT_SECONDS;

  public long getTimeoutSeconds() {
    return timeoutSeconds == null ? DEFAULT_TIMEOUT_SECONDS : timeoutSeconds;
  }

  public void setTimeoutSeconds(Long timeoutSeconds) {
    this.timeoutSeconds = timeoutSeconds;
  }
}
