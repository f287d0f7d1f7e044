package dev.brokerops.upgrade.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RolloutProgressTest {

  /**
   * A Deployment of 3 at revision 2 whose status the case sets, with ReplicaSets rs1 (old) and rs2
   * (new).
   */
  private record Case(
      long generation,
      long observedGeneration,
      int updated,
      int available,
      int replicas,
      int newPods,
      int oldPods,
      boolean oldPodsTerminating,
      boolean newReplicaSetSeen) {}

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("all updated, no old pod", new Case(2, 2, 3, 3, 3, 3, 0, false, true), true),
        Arguments.of(
            "controller has not seen the new spec",
            new Case(3, 2, 3, 3, 3, 3, 0, false, true),
            false),
        Arguments.of("two of three updated", new Case(2, 2, 2, 3, 3, 2, 1, false, true), false),
        Arguments.of(
            "updated but one not available", new Case(2, 2, 3, 2, 3, 3, 0, false, true), false),
        Arguments.of("surge pod still counted", new Case(2, 2, 3, 3, 4, 3, 1, false, true), false),
        Arguments.of("old pod terminating", new Case(2, 2, 3, 3, 3, 3, 1, true, true), false),
        Arguments.of(
            "new ReplicaSet not in the cache yet",
            new Case(2, 2, 3, 3, 3, 3, 0, false, false),
            false));
  }

  @ParameterizedTest(name = "{0} → done={2}")
  @MethodSource("cases")
  void isDoneOnlyWhenEveryOldPodIsGone(String name, Case c, boolean done) {
    Deployment deployment =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName("pactflow")
            .withUid("d-uid")
            .withGeneration(c.generation())
            .addToAnnotations("deployment.kubernetes.io/revision", "2")
            .endMetadata()
            .withNewSpec()
            .withReplicas(3)
            .endSpec()
            .withNewStatus()
            .withObservedGeneration(c.observedGeneration())
            .withUpdatedReplicas(c.updated())
            .withAvailableReplicas(c.available())
            .withReplicas(c.replicas())
            .endStatus()
            .build();
    List<ReplicaSet> replicaSets = new ArrayList<>(List.of(replicaSet("pactflow-rs1", "1")));
    if (c.newReplicaSetSeen()) {
      replicaSets.add(replicaSet("pactflow-rs2", "2"));
    }
    List<Pod> pods = new ArrayList<>();
    for (int i = 0; i < c.newPods(); i++) {
      pods.add(pod("pactflow-rs2-" + i, "pactflow-rs2", false));
    }
    for (int i = 0; i < c.oldPods(); i++) {
      pods.add(pod("pactflow-rs1-" + i, "pactflow-rs1", c.oldPodsTerminating()));
    }

    RolloutProgress progress = RolloutProgress.of(deployment, replicaSets, pods);

    assertThat(progress.done()).isEqualTo(done);
    if (c.newReplicaSetSeen()) {
      assertThat(progress.summary()).contains(c.oldPods() + " old pod(s) left");
    }
  }

  @Test
  void anOldPodWhoseReplicaSetIsAlreadyDeletedStillCounts() {
    // revisionHistoryLimit: 0 deletes the old ReplicaSet while its pods still terminate.
    Deployment deployment = settledDeployment();
    List<Pod> pods = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      pods.add(pod("pactflow-rs2-" + i, "pactflow-rs2", false));
    }
    pods.add(pod("pactflow-rs1-0", "pactflow-rs1", true));

    RolloutProgress progress =
        RolloutProgress.of(deployment, List.of(replicaSet("pactflow-rs2", "2")), pods);

    assertThat(progress.done()).isFalse();
    assertThat(progress.summary()).contains("1 old pod(s) left");
  }

  @Test
  void reportsWhenTheControllerSaidTheProgressDeadlineWasExceeded() {
    Deployment deployment = settledDeployment();
    deployment
        .getStatus()
        .setConditions(
            List.of(
                new DeploymentConditionBuilder()
                    .withType("Progressing")
                    .withStatus("False")
                    .withReason("ProgressDeadlineExceeded")
                    .withLastUpdateTime("2026-01-01T10:00:07Z")
                    .build()));

    assertThat(RolloutProgress.of(deployment, List.of(), List.of()).deadlineExceededSince())
        .contains(Instant.parse("2026-01-01T10:00:07Z"));

    deployment.getMetadata().setGeneration(3L); // a newer spec the controller has not seen
    assertThat(RolloutProgress.of(deployment, List.of(), List.of()).deadlineExceededSince())
        .as("a condition about an older generation says nothing about this one")
        .isEmpty();
  }

  private static Deployment settledDeployment() {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName("pactflow")
        .withUid("d-uid")
        .withGeneration(2L)
        .addToAnnotations("deployment.kubernetes.io/revision", "2")
        .endMetadata()
        .withNewSpec()
        .withReplicas(3)
        .endSpec()
        .withNewStatus()
        .withObservedGeneration(2L)
        .withUpdatedReplicas(3)
        .withAvailableReplicas(3)
        .withReplicas(3)
        .endStatus()
        .build();
  }

  private static ReplicaSet replicaSet(String name, String revision) {
    return new ReplicaSetBuilder()
        .withNewMetadata()
        .withName(name)
        .addToAnnotations("deployment.kubernetes.io/revision", revision)
        .addNewOwnerReference()
        .withKind("Deployment")
        .withName("pactflow")
        .withUid("d-uid")
        .endOwnerReference()
        .endMetadata()
        .build();
  }

  private static Pod pod(String name, String replicaSet, boolean terminating) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withDeletionTimestamp(terminating ? "2026-01-01T10:00:00Z" : null)
        .addNewOwnerReference()
        .withKind("ReplicaSet")
        .withName(replicaSet)
        .endOwnerReference()
        .endMetadata()
        .build();
  }
}
