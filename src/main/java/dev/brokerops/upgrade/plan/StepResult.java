package dev.brokerops.upgrade.plan;

import java.time.Duration;

/**
 * What one step's pass came to: go on to the next step or wait, the action it needs, the verdict
 * when it is blocked, and when to look again if no event would come.
 */
record StepResult(
    StepResult.Progress progress, Action action, Verdict blockedBy, Duration recheckAfter) {

  /** Whether the planner may go on to the next step in this pass. */
  enum Progress {
    CONTINUE,
    WAIT
  }

  static final StepResult CONTINUE = new StepResult(Progress.CONTINUE, null, null, null);
  static final StepResult WAIT = new StepResult(Progress.WAIT, null, null, null);

  static StepResult waitFor(Action action) {
    return new StepResult(Progress.WAIT, action, null, null);
  }

  static StepResult blocked(Verdict verdict) {
    return new StepResult(Progress.WAIT, null, verdict, null);
  }

  static StepResult failedAndThen(Action cleanUp) {
    return new StepResult(Progress.CONTINUE, cleanUp, null, null);
  }

  static StepResult waitUntil(Duration recheckAfter) {
    return new StepResult(Progress.WAIT, null, null, recheckAfter);
  }
}
