package dev.brokerops.upgrade.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** `spec.procedure`: the commands and variables of PactFlow's documented migration procedure. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ProcedureSpec {

  public static final List<String> DEFAULT_MIGRATE_COMMAND = List.of("db-migrate");
  public static final List<String> DEFAULT_VERSION_COMMAND = List.of("db-version");
  public static final String DEFAULT_AUTO_MIGRATE_ENV = "PACTFLOW_DATABASE_AUTO_MIGRATE";
  public static final String DEFAULT_MIGRATION_TARGET_ENV = "PACTFLOW_DATABASE_MIGRATION_TARGET";
  public static final String DEFAULT_MIGRATIONS_DIR = "/home/pact_broker_fork/db/migrations";

  private static final String ENV_NAME = "^[A-Za-z_][A-Za-z0-9_]*$";
  private static final String NO_EMPTY_WORDS = "self.all(word, size(word) > 0)";

  @Default("[\"db-migrate\"]")
  @Size(min = 1, max = 64)
  @ValidationRule(value = NO_EMPTY_WORDS, message = "migrateCommand must not contain empty strings")
  @JsonPropertyDescription(
      "Container command of the migration Jobs (the image's db-migrate entrypoint).")
  private List<String> migrateCommand = DEFAULT_MIGRATE_COMMAND;

  @Default("[\"db-version\"]")
  @Size(min = 1, max = 64)
  @ValidationRule(value = NO_EMPTY_WORDS, message = "versionCommand must not contain empty strings")
  @JsonPropertyDescription("Container command that prints the current database migration version.")
  private List<String> versionCommand = DEFAULT_VERSION_COMMAND;

  @Default(DEFAULT_AUTO_MIGRATE_ENV)
  @Pattern(ENV_NAME)
  @JsonPropertyDescription(
      "Env var set to \"false\" on the Deployment during and after the rollout.")
  private String autoMigrateEnv = DEFAULT_AUTO_MIGRATE_ENV;

  @Default(DEFAULT_MIGRATION_TARGET_ENV)
  @Pattern(ENV_NAME)
  @JsonPropertyDescription("Env var that makes db-migrate migrate down to a target (rollback).")
  private String migrationTargetEnv = DEFAULT_MIGRATION_TARGET_ENV;

  @Default(DEFAULT_MIGRATIONS_DIR)
  @Size(max = 1024)
  @ValidationRule(
      value = "self.startsWith('/')",
      message = "migrationsDir must be an absolute path, e.g. /home/pact_broker_fork/db/migrations")
  @JsonPropertyDescription(
      "Where the image keeps its migration files; a rollback reads the newest migration number from here.")
  private String migrationsDir = DEFAULT_MIGRATIONS_DIR;

  public List<String> getMigrateCommand() {
    return orDefault(migrateCommand, DEFAULT_MIGRATE_COMMAND);
  }

  public void setMigrateCommand(List<String> migrateCommand) {
    this.migrateCommand = migrateCommand;
  }

  public List<String> getVersionCommand() {
    return orDefault(versionCommand, DEFAULT_VERSION_COMMAND);
  }

  public void setVersionCommand(List<String> versionCommand) {
    this.versionCommand = versionCommand;
  }

  public String getAutoMigrateEnv() {
    return autoMigrateEnv == null ? DEFAULT_AUTO_MIGRATE_ENV : autoMigrateEnv;
  }

  public void setAutoMigrateEnv(String autoMigrateEnv) {
    this.autoMigrateEnv = autoMigrateEnv;
  }

  public String getMigrationTargetEnv() {
    return migrationTargetEnv == null ? DEFAULT_MIGRATION_TARGET_ENV : migrationTargetEnv;
  }

  public void setMigrationTargetEnv(String migrationTargetEnv) {
    this.migrationTargetEnv = migrationTargetEnv;
  }

  public String getMigrationsDir() {
    return migrationsDir == null ? DEFAULT_MIGRATIONS_DIR : migrationsDir;
  }

  public void setMigrationsDir(String migrationsDir) {
    this.migrationsDir = migrationsDir;
  }

  private static List<String> orDefault(List<String> value, List<String> fallback) {
    return value == null || value.isEmpty() ? fallback : value;
  }
}
