package dev.brokerops.referencebroker;

import static dev.brokerops.referencebroker.BrokerImageRunner.environment;
import static dev.brokerops.referencebroker.BrokerImageRunner.run;
import static dev.brokerops.referencebroker.BrokerMigrationIT.dbVersion;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.brokerops.bench.Bench;
import dev.brokerops.bench.TestImages;
import dev.brokerops.bench.postgres.PostgresDatabase;
import dev.brokerops.bench.postgres.PostgresExtension;
import dev.brokerops.referencebroker.BrokerImageRunner.Exited;
import dev.brokerops.upgrade.api.ProcedureSpec;
import dev.brokerops.upgrade.jobs.StepCommands;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The FindMigrationTarget command exactly as the operator ships it, run as a pod in each image on
 * the bench: its termination message and its output are the number db-version reports.
 */
@ExtendWith(PostgresExtension.class)
class MigrationTargetCommandIT {

  @RegisterExtension static final Bench bench = Bench.full();

  private static final String MIGRATIONS_DIR = ProcedureSpec.DEFAULT_MIGRATIONS_DIR;

  /** The seed's rollback command: what {@code sh -c} gets inside its double quotes. */
  private static final String SEED_PIPELINE =
      "ls " + MIGRATIONS_DIR + " | grep \\d | sort | tail -n 1 | cut -d '_' -f1";

  private static final String CONTAINER = "target";
  private static String namespace;

  @BeforeAll
  static void imagesAndNamespace() {
    ReferenceBrokerImages.buildAll(bench.images().root());
    namespace = bench.createNamespace("migration-target");
  }

  @Test
  void inEveryBrokerImageItLeavesTheNumberDbVersionReportsAfterThatImagesDbMigrate(
      PostgresDatabase upgradedInOrder, PostgresDatabase faultyOnly) {
    List<String> tags = new ArrayList<>(ReferenceBrokerImages.tags());
    tags.add(ReferenceBrokerImages.FAULTY_TAG);
    Map<String, String> pods = new LinkedHashMap<>();
    for (String tag : tags) {
      pods.put(
          tag,
          startPod(
              "shipped-" + tag,
              ReferenceBrokerImages.image(tag),
              StepCommands.newestMigrationNumber(MIGRATIONS_DIR)));
    }

    // Meanwhile, what db-version says: the working releases upgraded in order on one database,
    // the faulty release (not on the upgrade path to 2.1.0) on a database of its own.
    Map<String, Long> dbVersions = new LinkedHashMap<>();
    for (String tag : ReferenceBrokerImages.tags()) {
      dbVersions.put(tag, migrateThenDbVersion(tag, upgradedInOrder));
    }
    dbVersions.put(
        ReferenceBrokerImages.FAULTY_TAG,
        migrateThenDbVersion(ReferenceBrokerImages.FAULTY_TAG, faultyOnly));

    for (String tag : tags) {
      Pod pod = awaitFinished(pods.get(tag));
      ContainerStateTerminated terminated = terminated(pod);
      String expected = Long.toString(dbVersions.get(tag));
      assertThat(expected)
          .as("db-version after %s's db-migrate", tag)
          .isEqualTo(Long.toString(ReferenceBrokerImages.newestMigrationNumber(tag)));
      assertThat(terminated.getExitCode()).as("exit code in %s", tag).isZero();
      assertThat(terminated.getMessage()).as("termination message in %s", tag).isEqualTo(expected);
      assertThat(log(pod)).as("output in %s", tag).isEqualTo(expected + "\n");
    }
  }

  @Test
  void whereTheNewestMigrationsNameHasNoLetterDItPicksItAndTheSeedsPipelineAnOlderOne()
      throws IOException {
    String image =
        imageWithMigrationFiles(
            "no-letter-d",
            "20240101_add_index.rb",
            "20260101_rename_tables.rb",
            "README",
            "helpers/");
    String shipped =
        startPod("shipped-no-d", image, StepCommands.newestMigrationNumber(MIGRATIONS_DIR));
    String seed = startPod("seed-no-d", image, List.of("/bin/sh", "-c", SEED_PIPELINE));

    Pod shippedPod = awaitFinished(shipped);
    assertThat(terminated(shippedPod).getExitCode()).isZero();
    assertThat(terminated(shippedPod).getMessage()).isEqualTo("20260101");
    assertThat(log(shippedPod)).isEqualTo("20260101\n");

    Pod seedPod = awaitFinished(seed);
    assertThat(terminated(seedPod).getExitCode()).isZero();
    assertThat(log(seedPod))
        .as("the seed's pipeline keeps names with a d: an older target, a rollback too far down")
        .isEqualTo("20240101\n");
  }

  @Test
  void withoutMigrationFilesItFailsAndSaysWhereItLooked() throws IOException {
    String image = imageWithMigrationFiles("no-migrations", "README");

    Pod pod =
        awaitFinished(
            startPod("shipped-none", image, StepCommands.newestMigrationNumber(MIGRATIONS_DIR)));

    assertThat(terminated(pod).getExitCode()).isEqualTo(1);
    assertThat(terminated(pod).getMessage())
        .as("the output's tail, as the operator's Jobs fall back to it on failure")
        .contains("no migration files named NUMBER_name in " + MIGRATIONS_DIR)
        .doesNotContainPattern("[0-9]{8}");
  }

  /**
   * A bench image with the given entries (a trailing slash makes a folder) in the migrations
   * folder.
   */
  private static String imageWithMigrationFiles(String tag, String... entries) throws IOException {
    String reference =
        TestImages.write(bench.images(), "bench.test/migrations", tag, "sh", Map.of());
    Path migrations =
        ReferenceBrokerImages.migrationsDirectory(
            bench.images().root().resolve("bench.test/migrations").resolve(tag));
    Files.createDirectories(migrations);
    for (String entry : entries) {
      if (entry.endsWith("/")) {
        Files.createDirectories(migrations.resolve(entry));
      } else {
        Files.writeString(migrations.resolve(entry), "# " + entry + "\n");
      }
    }
    return reference;
  }

  /**
   * A pod with the container settings the operator's Jobs have: the command given, the
   * termination-message path the command writes and the fallback to the output on failure.
   */
  private static String startPod(String name, String image, List<String> command) {
    String podName = name.replace('.', '-').toLowerCase(Locale.ROOT);
    bench
        .client()
        .pods()
        .inNamespace(namespace)
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(podName)
                .endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .addNewContainer()
                .withName(CONTAINER)
                .withImage(image)
                .withCommand(command)
                .withTerminationMessagePath(StepCommands.TERMINATION_MESSAGE_PATH)
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                .endContainer()
                .endSpec()
                .build())
        .create();
    return podName;
  }

  private static Pod awaitFinished(String podName) {
    await(podName + " finished")
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              String phase = pod(podName).getStatus().getPhase();
              return "Succeeded".equals(phase) || "Failed".equals(phase);
            });
    return pod(podName);
  }

  private static Pod pod(String podName) {
    return bench.client().pods().inNamespace(namespace).withName(podName).get();
  }

  private static ContainerStateTerminated terminated(Pod pod) {
    ContainerStateTerminated terminated =
        pod.getStatus().getContainerStatuses().get(0).getState().getTerminated();
    assertThat(terminated)
        .as("%s's container has terminated", pod.getMetadata().getName())
        .isNotNull();
    return terminated;
  }

  private static String log(Pod pod) {
    return bench
        .containerLog(pod, CONTAINER)
        .orElseThrow(() -> new AssertionError("no output kept for " + pod.getMetadata().getName()));
  }

  private static long migrateThenDbVersion(String tag, PostgresDatabase database) {
    Map<String, String> environment = environment(database);
    Exited migrate = run(tag, "db-migrate", environment);
    assertThat(migrate.exitCode()).as("%s", migrate).isZero();
    return dbVersion(tag, environment);
  }
}
