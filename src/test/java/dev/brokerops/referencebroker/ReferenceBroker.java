package dev.brokerops.referencebroker;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * The reference broker's entrypoints, {@code db-migrate}, {@code db-version} and {@code
 * docker-entrypoint}, with PactFlow's contract: a failure is one line on stderr and a non-zero
 * exit, and stdout carries only what the entrypoint promises.
 */
public final class ReferenceBroker {

  /**
   * Test-only, not PactFlow's: {@code db-migrate} waits this many seconds between its schema and
   * its data migrations, so a test can act while a migration is halfway.
   */
  public static final String MIGRATION_DELAY_ENV = "MIGRATION_DELAY_SECONDS";

  static final int EXIT_FAILURE = 1;
  static final int EXIT_USAGE = 64;

  private ReferenceBroker() {}

  public static void main(String[] args) {
    System.exit(run(args, System.getenv()));
  }

  static int run(String[] args, Map<String, String> environment) {
    if (args.length == 0) {
      System.err.println("usage: ReferenceBroker db-migrate|db-version|docker-entrypoint");
      return EXIT_USAGE;
    }
    String entrypoint = args[0];
    try {
      BrokerRelease release = BrokerRelease.current();
      LicenceCheck.requireLicence(environment);
      switch (entrypoint) {
        case "db-migrate" -> migrate(release, environment);
        case "db-version" -> printVersion(environment);
        case "docker-entrypoint" -> serve(release, environment);
        default -> {
          System.err.println(
              entrypoint
                  + ": unknown entrypoint (expected db-migrate, db-version or docker-entrypoint)");
          return EXIT_USAGE;
        }
      }
      return 0;
    } catch (BrokerFailure e) {
      System.err.println(entrypoint + ": " + e.getMessage());
      return EXIT_FAILURE;
    } catch (Exception e) {
      // Not expected; still one line, and without the cause's text, which might quote a URL.
      System.err.println(
          entrypoint
              + ": unexpected "
              + e.getClass().getSimpleName()
              + ": "
              + DatabaseUrl.firstLine(e.getMessage())
                  .replace(String.valueOf(environment.get(DatabaseUrl.ENV)), "<url>"));
      return EXIT_FAILURE;
    }
  }

  private static void migrate(BrokerRelease release, Map<String, String> environment) {
    List<MigrationScript> scripts = MigrationScript.forRelease(release);
    // Every input is checked before the database is touched, so bad input changes nothing.
    DatabaseUrl database = DatabaseUrl.parse(environment.get(DatabaseUrl.ENV));
    Long target = MigrateCommand.parseTarget(environment.get(MigrateCommand.TARGET_ENV), scripts);
    MigrateCommand command =
        new MigrateCommand(
            release,
            database,
            scripts,
            MigrateCommand.parseDelay(environment.get(MigrateCommand.DELAY_ENV)));
    if (target == null) {
      command.migrate();
    } else {
      command.migrateTo(target);
    }
  }

  private static void printVersion(Map<String, String> environment) throws SQLException {
    DatabaseUrl database = DatabaseUrl.parse(environment.get(DatabaseUrl.ENV));
    try (Connection connection = database.connect("db-version")) {
      System.out.println(SchemaMigrator.newestApplied(connection));
    }
  }

  private static void serve(BrokerRelease release, Map<String, String> environment)
      throws Exception {
    DatabaseUrl database = DatabaseUrl.parse(environment.get(DatabaseUrl.ENV));
    List<MigrationScript> scripts = MigrationScript.forRelease(release);
    new ServeCommand(release, database, environment, new MigrateCommand(release, database, scripts))
        .run();
  }
}
