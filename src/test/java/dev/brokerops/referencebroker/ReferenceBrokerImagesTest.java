package dev.brokerops.referencebroker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image directories' layout, the contract with the node agent, and that rebuilding is
 * idempotent.
 */
class ReferenceBrokerImagesTest {

  @TempDir Path root;

  @Test
  void buildsOneImageDirectoryPerVersionInTheNodeAgentsLayout() throws Exception {
    Map<String, Path> images = ReferenceBrokerImages.buildAll(root);

    assertThat(images).containsOnlyKeys("1.0.0", "1.1.0", "1.2.0", "2.0.0", "2.1.0", "2.0.1");
    for (Map.Entry<String, Path> image : images.entrySet()) {
      Path directory = image.getValue();
      assertThat(directory)
          .isEqualTo(
              root.toAbsolutePath().resolve("quay.io/pactflow/enterprise").resolve(image.getKey()));
      assertThat(Files.readString(directory.resolve(".image/entrypoint")))
          .isEqualTo("docker-entrypoint\n");
      for (String entrypoint : ReferenceBrokerImages.ENTRYPOINTS) {
        Path script = directory.resolve("bin").resolve(entrypoint);
        assertThat(Files.isExecutable(script)).as("%s is executable", script).isTrue();
        assertThat(Files.readString(script))
            .startsWith("#!/bin/sh\n")
            .contains("exec '" + Path.of(System.getProperty("java.home"), "bin", "java") + "'")
            .contains("-XX:TieredStopAtLevel=1", "-Dreferencebroker.version=" + image.getKey())
            .contains(ReferenceBroker.class.getName() + " " + entrypoint + " \"$@\"");
      }
      try (Stream<Path> topLevel = Files.list(directory)) {
        assertThat(topLevel.map(path -> path.getFileName().toString()))
            .containsExactlyInAnyOrder("bin", ".image", "home");
      }
      try (Stream<Path> files = Files.walk(directory)) {
        assertThat(files)
            .as("no licence in the image")
            .noneMatch(path -> path.getFileName().toString().endsWith(".lic"));
      }
    }
    try (Stream<Path> migrations =
        Files.list(ReferenceBrokerImages.migrationsDirectory(images.get("2.1.0")))) {
      assertThat(migrations.map(path -> path.getFileName().toString()))
          .containsExactlyInAnyOrder(
              "20240101_add_pact_publications.sql",
              "20240601_add_created_at_index.sql",
              "20241001_pact_branch_column.sql",
              "20250312_add_content_sha256.sql",
              "20260115_pact_sha_lookup.sql");
    }
  }

  @Test
  void theFaultyReleaseIsTwoZeroZeroPlusOneMigrationThatNoWorkingReleaseShips() throws Exception {
    Map<String, Path> images = ReferenceBrokerImages.buildAll(root);

    assertThat(ReferenceBrokerImages.tags())
        .containsExactly("1.0.0", "1.1.0", "1.2.0", "2.0.0", "2.1.0")
        .doesNotContain(ReferenceBrokerImages.FAULTY_TAG);
    assertThat(ReferenceBrokerImages.FAULTY_TAG).matches("[0-9]+\\.[0-9]+\\.[0-9]+");
    List<String> twoZeroZeroAndOneMore = new ArrayList<>(BrokerRelease.V2_0_0.migrationFiles());
    twoZeroZeroAndOneMore.add("20250601_publication_notes.sql");
    try (Stream<Path> migrations =
        Files.list(
            ReferenceBrokerImages.migrationsDirectory(
                images.get(ReferenceBrokerImages.FAULTY_TAG)))) {
      assertThat(migrations.map(path -> path.getFileName().toString()))
          .containsExactlyInAnyOrderElementsOf(twoZeroZeroAndOneMore);
    }
    assertThat(ReferenceBrokerImages.newestMigrationNumber(ReferenceBrokerImages.FAULTY_TAG))
        .isEqualTo(20250601L);
    assertThat(BrokerRelease.V2_1_0.migrationFiles())
        .doesNotContain("20250601_publication_notes.sql");
  }

  @Test
  void rebuildingLeavesUnchangedFilesAloneAndRemovesStaleOnes() throws Exception {
    Path image = ReferenceBrokerImages.buildAll(root).get("1.2.0");
    Path script = image.resolve("bin/db-migrate");
    FileTime old = FileTime.fromMillis(1_000_000);
    Files.setLastModifiedTime(script, old);
    Path stale =
        ReferenceBrokerImages.migrationsDirectory(image).resolve("20991231_from_another_build.sql");
    Files.writeString(stale, "stale");

    ReferenceBrokerImages.buildAll(root);

    assertThat(Files.getLastModifiedTime(script)).isEqualTo(old);
    assertThat(stale).doesNotExist();
  }
}
