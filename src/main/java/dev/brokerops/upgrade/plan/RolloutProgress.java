package dev.brokerops.upgrade.plan;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How far a Deployment rollout has come, judged as PROCEDURE.md's "done when" demands.
 *
 * @param deadlineExceededSince when the Deployment controller last said the rollout exceeded its
 *     progress deadline, if it says so for the Deployment's current generation; a caller compares
 *     it with the start of its own rollout, since the condition can be left from an earlier one
 */
public record RolloutProgress(
    boolean done, Optional<Instant> deadlineExceededSince, String summary) {

  private static final String REVISION = "deployment.kubernetes.io/revision";

  /**
   * Done when the controller has seen the latest spec, every replica is updated and available, and
   * no pod of an older ReplicaSet is left, terminating ones included: an old pod still shutting
   * down can still write rows the old way, and the data migration after the rollout must come after
   * its last write. {@code pods} are every pod of the Deployment (found by its ReplicaSets' names
   * and pod-template-hash), so an old pod whose ReplicaSet is already gone (revisionHistoryLimit:
   * 0) still counts.
   */
  public static RolloutProgress of(
      Deployment deployment, List<ReplicaSet> replicaSets, List<Pod> pods) {
    var status = deployment.getStatus();
    long generation = Optional.ofNullable(deployment.getMetadata().getGeneration()).orElse(0L);
    long observed =
        status == null || status.getObservedGeneration() == null
            ? -1
            : status.getObservedGeneration();
    int wanted = Optional.ofNullable(deployment.getSpec().getReplicas()).orElse(1);
    int replicas = status == null ? 0 : zeroIfNull(status.getReplicas());
    int updated = status == null ? 0 : zeroIfNull(status.getUpdatedReplicas());
    int available = status == null ? 0 : zeroIfNull(status.getAvailableReplicas());

    String revision = annotation(deployment, REVISION);
    Optional<String> newest =
        replicaSets.stream()
            .filter(rs -> ownedBy(rs, deployment))
            .filter(rs -> revision != null && revision.equals(annotation(rs, REVISION)))
            .map(rs -> rs.getMetadata().getName())
            .findFirst();
    long oldPods =
        pods.stream()
            .map(RolloutProgress::replicaSetOf)
            .filter(rs -> rs.isEmpty() || newest.isEmpty() || !rs.get().equals(newest.get()))
            .count();

    boolean caughtUp = observed >= generation;
    boolean done =
        caughtUp
            && newest.isPresent()
            && updated == wanted
            && available == wanted
            && replicas == wanted
            && oldPods == 0;
    Optional<Instant> deadlineExceededSince =
        !caughtUp || status.getConditions() == null
            ? Optional.empty()
            : status.getConditions().stream()
                .filter(RolloutProgress::progressDeadlineExceeded)
                .map(RolloutProgress::since)
                .flatMap(Optional::stream)
                .findFirst();
    String summary =
        updated
            + "/"
            + wanted
            + " replicas updated, "
            + available
            + " available, "
            + oldPods
            + " old pod(s) left"
            + (caughtUp ? "" : ", controller has not seen the change yet");
    return new RolloutProgress(done, deadlineExceededSince, summary);
  }

  private static boolean progressDeadlineExceeded(DeploymentCondition condition) {
    return "Progressing".equals(condition.getType())
        && "False".equals(condition.getStatus())
        && "ProgressDeadlineExceeded".equals(condition.getReason());
  }

  private static Optional<Instant> since(DeploymentCondition condition) {
    String time =
        condition.getLastUpdateTime() != null
            ? condition.getLastUpdateTime()
            : condition.getLastTransitionTime();
    // A condition without a time cannot be dated; it counts as current.
    return Optional.of(time == null ? Instant.MAX : Instant.parse(time));
  }

  private static boolean ownedBy(HasMetadata child, Deployment deployment) {
    List<OwnerReference> owners =
        Optional.ofNullable(child.getMetadata().getOwnerReferences()).orElse(List.of());
    return owners.stream()
        .anyMatch(
            owner ->
                "Deployment".equals(owner.getKind())
                    && Objects.equals(owner.getName(), deployment.getMetadata().getName())
                    && (deployment.getMetadata().getUid() == null
                        || Objects.equals(owner.getUid(), deployment.getMetadata().getUid())));
  }

  private static Optional<String> replicaSetOf(Pod pod) {
    return Optional.ofNullable(pod.getMetadata().getOwnerReferences()).orElse(List.of()).stream()
        .filter(owner -> "ReplicaSet".equals(owner.getKind()))
        .map(OwnerReference::getName)
        .findFirst();
  }

  private static String annotation(HasMetadata resource, String key) {
    var annotations = resource.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(key);
  }

  private static int zeroIfNull(Integer value) {
    return value == null ? 0 : value;
  }
}
