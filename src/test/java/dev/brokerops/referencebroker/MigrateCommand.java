package dev.brokerops.referencebroker;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code db-migrate}: pending schema migrations, then every data migration, under one advisory
 * lock; or, with a migration target, the schema up or down to that number and nothing else.
 */
final class MigrateCommand {

  static final String TARGET_ENV = "PACTFLOW_DATABASE_MIGRATION_TARGET";
  static final String DELAY_ENV = ReferenceBroker.MIGRATION_DELAY_ENV;

  private static final Logger LOG = LoggerFactory.getLogger(MigrateCommand.class);

  private final BrokerRelease release;
  private final DatabaseUrl database;
  private final List<MigrationScript> scripts;
  private final Duration delay;

  MigrateCommand(BrokerRelease release, DatabaseUrl database, List<MigrationScript> scripts) {
    this(release, database, scripts, Duration.ZERO);
  }

  MigrateCommand(
      BrokerRelease release, DatabaseUrl database, List<MigrationScript> scripts, Duration delay) {
    this.release = release;
    this.database = database;
    this.scripts = scripts;
    this.delay = delay;
  }

  static Duration parseDelay(String text) {
    if (text == null || text.isBlank()) {
      return Duration.ZERO;
    }
    if (!text.strip().matches("[0-9]{1,4}")) {
      throw new BrokerFailure(
          DELAY_ENV + " must be a number of seconds, not '" + text.strip() + "'");
    }
    return Duration.ofSeconds(Long.parseLong(text.strip()));
  }

  /**
   * Checks a migration target before anything touches the database: a number, and not newer than
   * this image's newest migration (it could not know what that schema looks like).
   */
  static Long parseTarget(String text, List<MigrationScript> scripts) {
    if (text == null || text.isBlank()) {
      return null;
    }
    String trimmed = text.strip();
    if (!trimmed.matches("[0-9]{1,18}")) {
      throw new BrokerFailure(
          TARGET_ENV + " must be a migration number such as 20241001, not '" + trimmed + "'");
    }
    long target = Long.parseLong(trimmed);
    long newestKnown = scripts.stream().mapToLong(MigrationScript::number).max().orElse(0);
    if (target > newestKnown) {
      throw new BrokerFailure(
          TARGET_ENV
              + "="
              + target
              + " is newer than this image's newest migration "
              + newestKnown);
    }
    return target;
  }

  /** Schema migrations (each once), then every data migration (each time). */
  void migrate() {
    try (Connection connection = database.connect("db-migrate " + release.version());
        MigrationLock ignored = MigrationLock.acquire(connection)) {
      int applied = new SchemaMigrator(database, scripts).migrateUp(null);
      LOG.info(
          "Applied {} schema migration(s); database is at {}",
          applied,
          SchemaMigrator.newestApplied(connection));
      if (!delay.isZero()) {
        LOG.info("{}: waiting {} before the data migrations", DELAY_ENV, delay);
        Thread.sleep(delay.toMillis());
      }
      for (DataMigration migration : release.dataMigrations()) {
        connection.setAutoCommit(false);
        long changed = migration.run(connection);
        connection.commit();
        connection.setAutoCommit(true);
        LOG.info("Data migration '{}' fixed {} row(s)", migration.name(), changed);
      }
    } catch (SQLException e) {
      throw new BrokerFailure("migration failed: " + DatabaseUrl.firstLine(e.getMessage()), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BrokerFailure("migration interrupted", e);
    }
  }

  /** Only the schema, to exactly {@code target}: down past newer migrations, or up to it. */
  void migrateTo(long target) {
    try (Connection connection = database.connect("db-migrate " + release.version());
        MigrationLock ignored = MigrationLock.acquire(connection)) {
      long current = SchemaMigrator.newestApplied(connection);
      SchemaMigrator migrator = new SchemaMigrator(database, scripts);
      if (target < current) {
        List<Long> reverted = migrator.migrateDownTo(connection, target);
        LOG.info("Migrated down {} migration(s) {} to {}", reverted.size(), reverted, target);
      } else {
        int applied = migrator.migrateUp(target);
        LOG.info("Applied {} schema migration(s) up to target {}", applied, target);
      }
    } catch (SQLException e) {
      throw new BrokerFailure("migration failed: " + DatabaseUrl.firstLine(e.getMessage()), e);
    }
  }
}
