package dev.brokerops.referencebroker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Migration files (up and down in one file) and the checks on a migration target, without a
 * database.
 */
class MigrationScriptTest {

  @Test
  void splitsAFileIntoItsUpAndDownSql() {
    MigrationScript script =
        MigrationScript.parse(
            "20250312_add_x.sql",
            "-- why\n-- migrate:up\nALTER TABLE t ADD COLUMN x text;\n-- migrate:down\nALTER TABLE t DROP COLUMN x;\n");

    assertThat(script.number()).isEqualTo(20250312L);
    assertThat(script.upSql()).isEqualTo("ALTER TABLE t ADD COLUMN x text;");
    assertThat(script.downSql()).isEqualTo("ALTER TABLE t DROP COLUMN x;");
    assertThat(script.fileName()).isEqualTo("20250312_add_x.sql");
  }

  @Test
  void refusesFilesWithoutBothSectionsOrANumber() {
    assertThatThrownBy(() -> MigrationScript.parse("20250312_x.sql", "-- migrate:up\nSELECT 1;"))
        .isInstanceOf(BrokerFailure.class);
    assertThatThrownBy(() -> MigrationScript.parse("V1__x.sql", "-- migrate:up\n-- migrate:down\n"))
        .isInstanceOf(BrokerFailure.class);
  }

  @Test
  void everyShippedMigrationHasUpAndDownSqlAndEachReleaseAddsANewerOne() {
    for (BrokerRelease release : BrokerRelease.values()) {
      List<String> files = release.migrationFiles();
      for (String file : files) {
        MigrationScript script = MigrationScript.parse(file, MigrationScript.resourceText(file));
        assertThat(script.upSql()).as(file).isNotBlank();
        assertThat(script.downSql()).as(file).isNotBlank();
      }
      long base = release.builtOn().map(BrokerRelease::newestMigrationNumber).orElse(0L);
      assertThat(release.newestMigrationNumber()).as(release.version()).isGreaterThan(base);
    }
    long previous = 0;
    for (BrokerRelease release : BrokerRelease.working()) {
      assertThat(release.newestMigrationNumber()).as(release.version()).isGreaterThan(previous);
      previous = release.newestMigrationNumber();
    }
  }

  @Test
  void aTargetMustBeANumberNoNewerThanTheImagesNewestMigration() {
    List<MigrationScript> scripts =
        BrokerRelease.V1_2_0.migrationFiles().stream()
            .map(file -> MigrationScript.parse(file, MigrationScript.resourceText(file)))
            .toList();

    assertThat(MigrateCommand.parseTarget(null, scripts)).isNull();
    assertThat(MigrateCommand.parseTarget(" 20240601 ", scripts)).isEqualTo(20240601L);
    assertThat(MigrateCommand.parseTarget("0", scripts)).isZero();
    assertThatThrownBy(() -> MigrateCommand.parseTarget("20250312", scripts))
        .hasMessageContaining("newer than");
    assertThatThrownBy(() -> MigrateCommand.parseTarget("-1", scripts))
        .hasMessageContaining("must be a migration number");
    assertThatThrownBy(() -> MigrateCommand.parseTarget("99999999999999999999", scripts))
        .hasMessageContaining("must be a migration number");
  }
}
