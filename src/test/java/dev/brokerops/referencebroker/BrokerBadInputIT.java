package dev.brokerops.referencebroker;

import static dev.brokerops.referencebroker.BrokerImageRunner.environment;
import static dev.brokerops.referencebroker.BrokerImageRunner.run;
import static dev.brokerops.referencebroker.BrokerImageRunner.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.brokerops.bench.postgres.PostgresDatabase;
import dev.brokerops.bench.postgres.PostgresExtension;
import dev.brokerops.referencebroker.BrokerImageRunner.Exited;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bad input ends an entrypoint with one clear line on stderr and a non-zero exit, changes nothing,
 * and never shows the password.
 */
@ExtendWith(PostgresExtension.class)
class BrokerBadInputIT {

  private static final String SECRET = "S3cret-Pa55word";

  private PostgresDatabase database;
  private Map<String, String> environment;
  private BrokerDatabaseInspector inspector;

  @BeforeEach
  void migratedTo120(PostgresDatabase database) {
    this.database = database;
    this.environment = environment(database);
    this.inspector = BrokerDatabaseInspector.of(database);
    assertThat(run("1.2.0", "db-migrate", environment).exitCode()).isZero();
  }

  @Test
  void anUnparsableDatabaseUrlIsRefused() {
    for (String url :
        new String[] {
          "mysql://broker:" + SECRET + "@127.0.0.1:5432/db",
          "postgres://broker:" + SECRET + "@127.0.0.1:notaport/db",
          "postgres://broker:" + SECRET + "@127.0.0.1:5432",
          "not a url " + SECRET
        }) {
      for (String entrypoint : new String[] {"db-migrate", "db-version", "docker-entrypoint"}) {
        Exited exited = run("2.0.0", entrypoint, with(environment, DatabaseUrl.ENV, url));
        assertFailedWithOneLine(exited, entrypoint, "PACTFLOW_DATABASE_URL is not a valid");
      }
    }
    assertUnchanged();
  }

  @Test
  void anUnreachableDatabaseIsReportedWithoutThePassword() {
    Exited unreachable =
        run(
            "2.0.0",
            "db-migrate",
            with(
                environment,
                DatabaseUrl.ENV,
                "postgresql://broker:" + SECRET + "@127.0.0.1:1/" + database.name()));
    assertFailedWithOneLine(
        unreachable,
        "db-migrate",
        "cannot connect to the database at 127.0.0.1:1/" + database.name());

    Exited wrongPassword =
        run(
            "2.0.0",
            "db-migrate",
            with(
                environment,
                DatabaseUrl.ENV,
                "postgres://"
                    + database.user()
                    + ":"
                    + SECRET
                    + "@127.0.0.1:"
                    + database.port()
                    + "/"
                    + database.name()));
    assertFailedWithOneLine(wrongPassword, "db-migrate", "password authentication failed");
    assertUnchanged();
  }

  @Test
  void aMigrationTargetThatIsNotANumberOrNewerThanTheImageKnowsIsRefused() {
    Exited notANumber =
        run("2.0.0", "db-migrate", with(environment, MigrateCommand.TARGET_ENV, "latest"));
    assertFailedWithOneLine(
        notANumber, "db-migrate", "PACTFLOW_DATABASE_MIGRATION_TARGET must be a migration number");

    Exited tooNew =
        run("1.2.0", "db-migrate", with(environment, MigrateCommand.TARGET_ENV, "20250312"));
    assertFailedWithOneLine(
        tooNew, "db-migrate", "is newer than this image's newest migration 20241001");
    assertUnchanged();
  }

  @Test
  void migratingDownPastAMigrationTheImageDoesNotKnowIsRefused() {
    assertThat(run("2.1.0", "db-migrate", environment).exitCode()).isZero();

    Exited olderImage =
        run("1.2.0", "db-migrate", with(environment, MigrateCommand.TARGET_ENV, "20240601"));

    assertFailedWithOneLine(olderImage, "db-migrate", "which this image does not know");
    assertThat(inspector.newestAppliedMigration()).isEqualTo(20260115);
    assertThat(inspector.appliedMigrations()).hasSize(5);
  }

  @Test
  void everyEntrypointRefusesToRunWithoutALicence() throws Exception {
    assumeFalse(
        Files.exists(LicenceCheck.DEFAULT_LOCATION),
        "this machine has " + LicenceCheck.DEFAULT_LOCATION);
    Path emptyDirectory = Files.createTempDirectory(Path.of("target"), "no-licence");
    for (String entrypoint : new String[] {"db-migrate", "db-version", "docker-entrypoint"}) {
      Exited exited =
          run(
              "2.1.0",
              entrypoint,
              with(environment, LicenceCheck.DIRECTORY_ENV, emptyDirectory.toString()));
      assertFailedWithOneLine(exited, entrypoint, "no licence file");
    }
    Map<String, String> withoutLicencePath = new java.util.HashMap<>(environment);
    withoutLicencePath.remove(LicenceCheck.DIRECTORY_ENV);
    assertFailedWithOneLine(
        run("2.1.0", "db-migrate", withoutLicencePath), "db-migrate", "no licence file");
    assertUnchanged();
  }

  private void assertUnchanged() {
    assertThat(inspector.newestAppliedMigration()).isEqualTo(20241001);
    assertThat(inspector.publicationColumns()).doesNotContain("content_sha256");
    assertThat(inspector.appliedMigrations()).hasSize(3);
  }

  private void assertFailedWithOneLine(Exited exited, String entrypoint, String expectedMessage) {
    assertThat(exited.exitCode()).as("%s", exited).isNotZero();
    assertThat(exited.stdout()).as("stdout of %s", entrypoint).isEmpty();
    assertThat(exited.lastStderrLine())
        .as("%s", exited)
        .startsWith(entrypoint + ": ")
        .contains(expectedMessage);
    assertThat(exited.stderrLines())
        .as("%s", exited)
        .filteredOn(line -> line.startsWith(entrypoint + ": "))
        .hasSize(1);
    for (String secret : Set.of(SECRET, database.password())) {
      assertThat(exited.stdout() + exited.stderr())
          .as("output of %s", entrypoint)
          .doesNotContain(secret);
    }
  }
}
