package dev.brokerops.upgrade.plan;

import dev.brokerops.upgrade.api.RunStatus;
import dev.brokerops.upgrade.api.StepState;
import dev.brokerops.upgrade.api.StepStatus;
import java.time.Instant;
import java.util.List;

/**
 * Records step transitions in status and tells of each (in the log; a failure also as a Warning
 * event): one way to start, end or fail a step.
 */
record StepBook(List<Notice> notices, Instant now) {

  void started(RunStatus run, StepStatus step, String what) {
    step.setState(StepState.Running);
    step.setStartedAt(now.toString());
    notices.add(Notice.logOnly("StepStarted", label(run, step) + " started: " + what));
  }

  void complete(RunStatus run, StepStatus step, String reason, String output, String message) {
    step.setState(StepState.Succeeded);
    step.setFinishedAt(now.toString());
    step.setReason(reason);
    step.setOutput(output);
    step.setMessage(message);
    notices.add(Notice.logOnly("StepSucceeded", label(run, step) + " succeeded: " + message));
  }

  void fail(RunStatus run, StepStatus step, String reason, String message) {
    step.setState(StepState.Failed);
    step.setFinishedAt(now.toString());
    step.setReason(reason);
    step.setMessage(MessageRedactor.redact(message));
    notices.add(Notice.warning("StepFailed", label(run, step) + " failed: " + step.getMessage()));
  }

  static String label(RunStatus run, StepStatus step) {
    return "run " + run.getId() + " step " + step.getName() + " (" + step.getHop() + ")";
  }
}
