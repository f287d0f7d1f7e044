package dev.brokerops.referencebroker;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the image's schema migrations with Flyway (each once, recorded in Flyway's history
 * table), and migrates down the way Sequel's timestamp migrator does: each applied migration newer
 * than the target, newest first, runs its down SQL and loses its history row, in one transaction.
 */
final class SchemaMigrator {

  static final String HISTORY_TABLE = "flyway_schema_history";
  private static final Logger LOG = LoggerFactory.getLogger(SchemaMigrator.class);

  private final DatabaseUrl database;
  private final List<MigrationScript> scripts;

  SchemaMigrator(DatabaseUrl database, List<MigrationScript> scripts) {
    this.database = database;
    this.scripts = List.copyOf(scripts);
  }

  /** Applies pending migrations up to {@code target} (all when null); returns how many ran. */
  int migrateUp(Long target) {
    Flyway flyway =
        Flyway.configure(SchemaMigrator.class.getClassLoader())
            .dataSource(database.jdbcUrl(), database.user(), database.password())
            .table(HISTORY_TABLE)
            // The migrations are this image's files, handed over as Java migrations: no classpath
            // scanning.
            .skipDefaultResolvers(true)
            .skipDefaultCallbacks(true)
            .locations(new String[0])
            .javaMigrations(
                scripts.stream().map(ScriptMigration::new).toArray(JavaMigration[]::new))
            .target(target == null ? "latest" : Long.toString(target))
            .cleanDisabled(true)
            .load();
    try {
      MigrateResult result = flyway.migrate();
      return result.migrationsExecuted;
    } catch (FlywayException e) {
      throw new BrokerFailure(
          "schema migration failed: " + DatabaseUrl.firstLine(e.getMessage()), e);
    }
  }

  /**
   * Reverts every applied migration newer than {@code target}. Checks first that this image knows
   * all of them, so that it either can do the whole job or changes nothing.
   */
  List<Long> migrateDownTo(Connection connection, long target) throws SQLException {
    Map<Long, MigrationScript> known =
        scripts.stream().collect(Collectors.toMap(MigrationScript::number, Function.identity()));
    List<AppliedMigration> newer = new ArrayList<>();
    for (AppliedMigration applied : appliedMigrations(connection)) {
      if (applied.number() > target) {
        newer.add(applied);
      }
    }
    newer.sort(Comparator.comparingLong(AppliedMigration::number).reversed());
    for (AppliedMigration applied : newer) {
      if (!known.containsKey(applied.number())) {
        throw new BrokerFailure(
            "the database has migration "
                + applied.number()
                + ", which this image does not know; migrate down with the image that applied it");
      }
    }
    List<Long> reverted = new ArrayList<>();
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try {
      for (AppliedMigration applied : newer) {
        MigrationScript script = known.get(applied.number());
        try (Statement statement = connection.createStatement();
            PreparedStatement forget =
                connection.prepareStatement(
                    "DELETE FROM " + HISTORY_TABLE + " WHERE version = ?")) {
          statement.execute(script.downSql());
          forget.setString(1, applied.version());
          forget.executeUpdate();
          connection.commit();
        } catch (SQLException e) {
          connection.rollback();
          throw new BrokerFailure(
              "migrating down "
                  + script.fileName()
                  + " failed: "
                  + DatabaseUrl.firstLine(e.getMessage()),
              e);
        }
        LOG.info("Migrated down {}", script.fileName());
        reverted.add(applied.number());
      }
    } finally {
      connection.setAutoCommit(autoCommit);
    }
    return reverted;
  }

  /** The number of the newest applied migration, 0 when there is none (or no history table yet). */
  static long newestApplied(Connection connection) throws SQLException {
    return appliedMigrations(connection).stream()
        .mapToLong(AppliedMigration::number)
        .max()
        .orElse(0);
  }

  private static List<AppliedMigration> appliedMigrations(Connection connection)
      throws SQLException {
    List<AppliedMigration> applied = new ArrayList<>();
    try (Statement statement = connection.createStatement()) {
      try (ResultSet exists =
          statement.executeQuery("SELECT to_regclass('" + HISTORY_TABLE + "') IS NOT NULL")) {
        exists.next();
        if (!exists.getBoolean(1)) {
          return applied;
        }
      }
      try (ResultSet rows =
          statement.executeQuery(
              "SELECT version FROM " + HISTORY_TABLE + " WHERE success AND version IS NOT NULL")) {
        while (rows.next()) {
          String version = rows.getString(1);
          if (version.matches("[0-9]+")) {
            applied.add(new AppliedMigration(Long.parseLong(version), version));
          }
        }
      }
    }
    return applied;
  }

  /** A row of Flyway's history: the number and the text Flyway stored for it. */
  private record AppliedMigration(long number, String version) {}

  /** A migration file as Flyway sees it: versioned by its number, run in a transaction. */
  private static final class ScriptMigration implements JavaMigration {

    private final MigrationScript script;

    ScriptMigration(MigrationScript script) {
      this.script = script;
    }

    @Override
    public MigrationVersion getVersion() {
      return MigrationVersion.fromVersion(Long.toString(script.number()));
    }

    @Override
    public String getDescription() {
      return script.name().replace('_', ' ');
    }

    @Override
    public Integer getChecksum() {
      return script.checksum();
    }

    @Override
    public boolean canExecuteInTransaction() {
      return true;
    }

    @Override
    public void migrate(Context context) throws SQLException {
      try (Statement statement = context.getConnection().createStatement()) {
        statement.execute(script.upSql());
      }
    }
  }
}
