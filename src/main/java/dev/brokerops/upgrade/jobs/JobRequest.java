package dev.brokerops.upgrade.jobs;

import dev.brokerops.upgrade.api.StepName;
import java.util.List;
import java.util.Map;

/** What one step needs from its Job: which image runs which command, with which extra variables. */
public record JobRequest(
    String runId,
    int stepIndex,
    StepName step,
    String hop,
    String image,
    List<String> command,
    Map<String, String> extraEnv) {}
