package dev.brokerops.bench.node;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import java.time.Instant;

/** The kubelet's record of one container of a pod: its state, restarts and readiness. */
final class ContainerRun {

  enum Phase {
    WAITING,
    RUNNING,
    TERMINATED
  }

  final Container spec;
  Phase phase = Phase.WAITING;
  String waitingReason = "ContainerCreating";
  String waitingMessage;
  Instant nextAttempt = Instant.EPOCH;
  ContainerProcess process;
  Instant startedAt;
  Instant finishedAt;
  int exitCode;
  String terminationMessage;
  int restartCount;
  ContainerState lastState;
  boolean ready;
  int consecutiveProbeSuccesses;
  int consecutiveProbeFailures;
  Instant nextProbe;
  boolean probeInFlight;

  ContainerRun(Container spec) {
    this.spec = spec;
  }

  String name() {
    return spec.getName();
  }

  void waiting(String reason, String message, Instant retryAt) {
    phase = Phase.WAITING;
    waitingReason = reason;
    waitingMessage = message;
    nextAttempt = retryAt;
    ready = false;
  }

  void running(ContainerProcess started, Instant now) {
    phase = Phase.RUNNING;
    process = started;
    startedAt = now;
    finishedAt = null;
    waitingReason = null;
    waitingMessage = null;
    consecutiveProbeFailures = 0;
    consecutiveProbeSuccesses = 0;
    ready = spec.getReadinessProbe() == null;
    nextProbe =
        spec.getReadinessProbe() == null
            ? null
            : now.plusSeconds(orDefault(spec.getReadinessProbe().getInitialDelaySeconds(), 0));
  }

  void terminated(int code, String message, Instant now) {
    phase = Phase.TERMINATED;
    exitCode = code;
    terminationMessage = message;
    finishedAt = now;
    ready = false;
  }

  /** Moves the terminated state to lastState and waits to start again (CrashLoopBackOff). */
  void restartAfter(Instant retryAt) {
    lastState = currentState();
    restartCount++;
    waiting("CrashLoopBackOff", "back-off restarting failed container " + name(), retryAt);
  }

  ContainerState currentState() {
    return switch (phase) {
      case WAITING ->
          new ContainerStateBuilder()
              .withNewWaiting()
              .withReason(waitingReason)
              .withMessage(waitingMessage)
              .endWaiting()
              .build();
      case RUNNING ->
          new ContainerStateBuilder()
              .withNewRunning()
              .withStartedAt(NodeAgent.time(startedAt))
              .endRunning()
              .build();
      case TERMINATED ->
          new ContainerStateBuilder()
              .withNewTerminated()
              .withExitCode(exitCode)
              .withReason(exitCode == 0 ? "Completed" : "Error")
              .withMessage(
                  terminationMessage == null || terminationMessage.isEmpty()
                      ? null
                      : terminationMessage)
              .withStartedAt(NodeAgent.time(startedAt))
              .withFinishedAt(NodeAgent.time(finishedAt))
              .withContainerID(containerId())
              .endTerminated()
              .build();
    };
  }

  ContainerStatus status() {
    return new ContainerStatusBuilder()
        .withName(name())
        .withImage(spec.getImage())
        .withImageID(phase == Phase.WAITING && process == null ? "" : "bench://" + spec.getImage())
        .withContainerID(containerId())
        .withReady(ready)
        .withStarted(phase == Phase.RUNNING)
        .withRestartCount(restartCount)
        .withState(currentState())
        .withLastState(lastState)
        .build();
  }

  private String containerId() {
    return process == null ? null : "bench://" + process.pid();
  }

  static int orDefault(Integer value, int fallback) {
    return value == null ? fallback : value;
  }
}
