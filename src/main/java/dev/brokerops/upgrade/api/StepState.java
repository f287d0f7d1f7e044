package dev.brokerops.upgrade.api;

/** Progress of one step of a run. */
public enum StepState {
  Pending,
  Running,
  Succeeded,
  Failed;

  public boolean finished() {
    return this == Succeeded || this == Failed;
  }
}
