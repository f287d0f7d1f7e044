package dev.brokerops.upgrade.plan;

import dev.brokerops.upgrade.api.RunStatus;
import dev.brokerops.upgrade.api.StepState;
import dev.brokerops.upgrade.api.StepStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Moves the Rollout step: patches the Deployment once, then waits until PROCEDURE.md's "done when"
 * holds, the controller reports this rollout's progress deadline exceeded, or the timeout passes.
 */
final class RolloutStepPlanner {

  private RolloutStepPlanner() {}

  static StepResult advance(PassContext pass, RunStatus run, StepStatus step) {
    String autoMigrateEnv = pass.spec().getProcedure().getAutoMigrateEnv();
    if (step.getState() == StepState.Pending) {
      pass.book()
          .started(
              run,
              step,
              "Deployment "
                  + pass.spec().getDeployment()
                  + " set to "
                  + step.getImage()
                  + " with "
                  + autoMigrateEnv
                  + "=false");
    }
    if (!pass.broker().runs(step.getImage(), autoMigrateEnv, "false")) {
      return StepResult.waitFor(
          new Action.RolloutDeployment(
              pass.spec().getDeployment(),
              pass.broker().name(),
              step.getImage(),
              autoMigrateEnv,
              "false"));
    }
    if (pass.rollout().done()) {
      pass.book()
          .complete(
              run,
              step,
              "RolloutComplete",
              null,
              "Deployment "
                  + pass.spec().getDeployment()
                  + " runs "
                  + step.getImage()
                  + ": "
                  + pass.rollout().summary());
      return StepResult.CONTINUE;
    }
    Instant stepStarted = Instant.parse(step.getStartedAt());
    // The controller dates its conditions to the second; one from before this step is stale.
    boolean deadlineExceeded =
        pass.rollout()
            .deadlineExceededSince()
            .filter(since -> !since.isBefore(stepStarted.truncatedTo(ChronoUnit.SECONDS)))
            .isPresent();
    if (deadlineExceeded) {
      pass.book()
          .fail(
              run,
              step,
              "ProgressDeadlineExceeded",
              "Deployment "
                  + pass.spec().getDeployment()
                  + " exceeded its progress deadline: "
                  + pass.rollout().summary());
      return StepResult.CONTINUE;
    }
    Duration timeout = Duration.ofSeconds(pass.spec().getRollout().getTimeoutSeconds());
    Duration elapsed = Duration.between(stepStarted, pass.now());
    if (elapsed.compareTo(timeout) >= 0) {
      pass.book()
          .fail(
              run,
              step,
              "RolloutTimeout",
              "rollout of Deployment "
                  + pass.spec().getDeployment()
                  + " did not finish within "
                  + timeout.toSeconds()
                  + "s: "
                  + pass.rollout().summary());
      return StepResult.CONTINUE;
    }
    // The only timer: nothing in the cluster announces that a timeout passed.
    pass.status().setStep(step.getName().name());
    return StepResult.waitUntil(timeout.minus(elapsed));
  }
}
