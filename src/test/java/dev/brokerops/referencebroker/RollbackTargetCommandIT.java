package dev.brokerops.referencebroker;

import static dev.brokerops.referencebroker.BrokerImageRunner.environment;
import static dev.brokerops.referencebroker.BrokerImageRunner.run;
import static dev.brokerops.referencebroker.BrokerImageRunner.shell;
import static dev.brokerops.referencebroker.BrokerMigrationIT.dbVersion;
import static org.assertj.core.api.Assertions.assertThat;

import dev.brokerops.bench.postgres.PostgresDatabase;
import dev.brokerops.bench.postgres.PostgresExtension;
import dev.brokerops.referencebroker.BrokerImageRunner.Exited;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The seed's rollback command against the image directories: with digits selected properly it
 * prints what db-version prints after that version's db-migrate; as the seed writes it ({@code grep
 * \d}, which reaches grep as {@code grep d}) it is wrong wherever the newest migration's name has
 * no letter d.
 */
@ExtendWith(PostgresExtension.class)
class RollbackTargetCommandIT {

  private static final String SEED_COMMAND = "ls %s | grep \\d | sort | tail -n 1 | cut -d '_' -f1";
  private static final String FIXED_COMMAND =
      "ls %s | grep -E '^[0-9]+_' | sort | tail -n 1 | cut -d '_' -f1";

  @Test
  void theFixedCommandPrintsWhatDbVersionPrintsAfterMigratingEachVersion(
      PostgresDatabase database) {
    Map<String, String> environment = environment(database);
    for (String tag : ReferenceBrokerImages.tags()) {
      Exited migrate = run(tag, "db-migrate", environment);
      assertThat(migrate.exitCode()).as("%s", migrate).isZero();

      String printed = shell(FIXED_COMMAND.formatted(migrations(tag))).strip();

      assertThat(printed)
          .as("rollback target of %s", tag)
          .isEqualTo(Long.toString(dbVersion(tag, environment)));
    }
  }

  @Test
  void theSeedsCommandPicksAnOlderNumberWhereTheNewestNameHasNoLetterD() {
    assertThat(SEED_COMMAND).as("the seed's text, backslash included").contains("grep \\d |");
    List<String> tagsWithoutD =
        ReferenceBrokerImages.tags().stream()
            .filter(tag -> !newestMigrationFile(tag).contains("d"))
            .toList();
    assertThat(tagsWithoutD)
        .as("versions whose newest migration file name has no letter d")
        .contains("1.2.0", "2.1.0");

    for (String tag : ReferenceBrokerImages.tags()) {
      String expected = Long.toString(ReferenceBrokerImages.newestMigrationNumber(tag));
      String seed = shell(SEED_COMMAND.formatted(migrations(tag))).strip();
      String fixed = shell(FIXED_COMMAND.formatted(migrations(tag))).strip();

      assertThat(fixed).as("fixed command for %s", tag).isEqualTo(expected);
      if (tagsWithoutD.contains(tag)) {
        assertThat(seed).as("seed's command for %s", tag).isNotEqualTo(expected);
        assertThat(Long.parseLong(seed))
            .as("an older migration: a rollback too far down")
            .isLessThan(Long.parseLong(expected));
      } else {
        assertThat(seed).as("seed's command for %s", tag).isEqualTo(expected);
      }
    }
    assertThat(shell(SEED_COMMAND.formatted(migrations("1.2.0"))).strip()).isEqualTo("20240601");
    assertThat(shell(SEED_COMMAND.formatted(migrations("2.1.0"))).strip()).isEqualTo("20250312");
  }

  @Test
  void theMigrationsFolderHoldsOnlyMigrationFilesNamedByNumber() {
    for (String tag : ReferenceBrokerImages.tags()) {
      String listing = shell("ls " + migrations(tag));
      assertThat(listing.lines())
          .as("%s's migrations", tag)
          .allMatch(name -> name.matches("[0-9]{8}_[a-z0-9_]+\\.sql"))
          .hasSize(BrokerRelease.find(tag).orElseThrow().migrationFiles().size());
    }
  }

  private static String newestMigrationFile(String tag) {
    List<String> files = BrokerRelease.find(tag).orElseThrow().migrationFiles();
    return files.get(files.size() - 1);
  }

  private static Path migrations(String tag) {
    return ReferenceBrokerImages.migrationsDirectory(BrokerImageRunner.image(tag));
  }
}
