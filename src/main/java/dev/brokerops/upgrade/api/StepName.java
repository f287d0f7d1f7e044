package dev.brokerops.upgrade.api;

/** The steps of PactFlow's upgrade and rollback procedures (PROCEDURE.md). */
public enum StepName {
  Preflight(false),
  RecordDatabaseVersion(true),
  SchemaMigration(true),
  Rollout(false),
  DataMigration(true),
  FindMigrationTarget(true),
  MigrateDown(true),
  VerifyDatabaseVersion(true);

  private final boolean runsJob;

  StepName(boolean runsJob) {
    this.runsJob = runsJob;
  }

  /** True for the steps whose work happens in a migration Job. */
  public boolean runsJob() {
    return runsJob;
  }
}
