package dev.brokerops.upgrade.jobs;

import dev.brokerops.upgrade.api.StepName;
import java.util.List;
import java.util.Map;

/**
 * What one step needs from its Job: its name, which image runs which command, with which extra
 * variables.
 */
public record JobRequest(
    String name,
    String runId,
    int stepIndex,
    StepName step,
    String hop,
    String image,
    List<String> command,
    Map<String, String> extraEnv) {

  /** The request for a run's step, named the one way a step's Job is named. */
  public static JobRequest forStep(
      String upgradeName,
      String runId,
      int stepIndex,
      StepName step,
      String hop,
      String image,
      List<String> command,
      Map<String, String> extraEnv) {
    return new JobRequest(
        JobNames.forStep(upgradeName, runId, stepIndex, step),
        runId,
        stepIndex,
        step,
        hop,
        image,
        command,
        extraEnv);
  }
}
