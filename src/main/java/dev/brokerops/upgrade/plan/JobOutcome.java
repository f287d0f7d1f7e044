package dev.brokerops.upgrade.plan;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a migration Job has come to, read from the Job's conditions and its pods' container states.
 */
public sealed interface JobOutcome {

  /**
   * Waiting reasons the kubelet keeps retrying but that do not heal by waiting: without this a Job
   * with a mistyped image tag would sit Pending until its activeDeadlineSeconds (30 minutes by
   * default).
   */
  Set<String> HOPELESS_WAITING_REASONS =
      Set.of(
          "ImagePullBackOff",
          "ErrImageNeverPull",
          "InvalidImageName",
          "CreateContainerConfigError");

  record Running() implements JobOutcome {}

  /**
   * Completed; output is the termination message of the succeeded pod, empty until that pod is
   * seen.
   */
  record Succeeded(Optional<String> output) implements JobOutcome {}

  record Failed(String message) implements JobOutcome {}

  /**
   * Its pod cannot start and will not by waiting; the Job should be deleted and the step failed.
   */
  record Stuck(String reason, String message) implements JobOutcome {}

  /** The pods of the Job named {@code jobName} among {@code pods}. */
  static List<Pod> podsOf(String jobName, List<Pod> pods) {
    return pods.stream()
        .filter(
            pod ->
                Optional.ofNullable(pod.getMetadata().getOwnerReferences())
                    .orElse(List.of())
                    .stream()
                    .anyMatch(
                        owner -> "Job".equals(owner.getKind()) && jobName.equals(owner.getName())))
        .toList();
  }

  static JobOutcome of(Job job, List<Pod> pods) {
    if (hasCondition(job, "Complete")) {
      return new Succeeded(
          pods.stream()
              .flatMap(pod -> terminated(pod).stream())
              .filter(state -> Integer.valueOf(0).equals(state.getExitCode()))
              .map(state -> state.getMessage() == null ? "" : state.getMessage().strip())
              .findFirst());
    }
    if (hasCondition(job, "Failed")) {
      return new Failed(failureMessage(job, pods));
    }
    for (Pod pod : pods) {
      for (ContainerStatus status : containerStatuses(pod)) {
        ContainerStateWaiting waiting =
            status.getState() == null ? null : status.getState().getWaiting();
        if (waiting != null && HOPELESS_WAITING_REASONS.contains(waiting.getReason())) {
          return new Stuck(
              waiting.getReason(),
              "pod "
                  + pod.getMetadata().getName()
                  + " cannot start: "
                  + waiting.getReason()
                  + (waiting.getMessage() == null ? "" : ": " + waiting.getMessage()));
        }
      }
    }
    return new Running();
  }

  private static String failureMessage(Job job, List<Pod> pods) {
    Optional<String> fromPod =
        pods.stream()
            .sorted(
                Comparator.comparing(
                        (Pod pod) -> pod.getMetadata().getCreationTimestamp(),
                        Comparator.nullsFirst(Comparator.naturalOrder()))
                    .reversed())
            .flatMap(pod -> terminated(pod).stream())
            .filter(state -> state.getExitCode() != null && state.getExitCode() != 0)
            .findFirst()
            .map(
                state ->
                    "exit code "
                        + state.getExitCode()
                        + (state.getMessage() == null || state.getMessage().isBlank()
                            ? ""
                            : ": " + state.getMessage().strip()));
    String condition =
        job.getStatus().getConditions().stream()
            .filter(c -> "Failed".equals(c.getType()) && "True".equals(c.getStatus()))
            .findFirst()
            .map(c -> c.getReason() + (c.getMessage() == null ? "" : ": " + c.getMessage()))
            .orElse("Failed");
    return MessageRedactor.redact(
        fromPod.map(message -> condition + "; " + message).orElse(condition));
  }

  private static boolean hasCondition(Job job, String type) {
    if (job.getStatus() == null || job.getStatus().getConditions() == null) {
      return false;
    }
    for (JobCondition condition : job.getStatus().getConditions()) {
      if (type.equals(condition.getType()) && "True".equals(condition.getStatus())) {
        return true;
      }
    }
    return false;
  }

  private static List<ContainerStatus> containerStatuses(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
      return List.of();
    }
    return pod.getStatus().getContainerStatuses();
  }

  private static Optional<ContainerStateTerminated> terminated(Pod pod) {
    return containerStatuses(pod).stream()
        .filter(status -> status.getState() != null && status.getState().getTerminated() != null)
        .map(status -> status.getState().getTerminated())
        .findFirst();
  }
}
