package dev.brokerops.referencebroker;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Builds the reference broker's image directories, one per version, from this JVM's classpath:
 * {@code <root>/quay.io/pactflow/enterprise/<tag>/} with {@code bin/} (the entrypoints, put first
 * on PATH by the node agent), {@code .image/entrypoint} (the default command, one argument per
 * line) and {@code home/pact_broker_fork/db/migrations/} (shown at {@code /home/...} in the
 * container). Idempotent: files are rewritten only when their content changes, atomically.
 */
public final class ReferenceBrokerImages {

  public static final String REPOSITORY = "quay.io/pactflow/enterprise";

  /**
   * Where the migration files are inside an image directory (and, without the image root, in the
   * container).
   */
  public static final String MIGRATIONS_PATH = "home/pact_broker_fork/db/migrations";

  public static final List<String> ENTRYPOINTS =
      List.of("db-migrate", "db-version", "docker-entrypoint");
  public static final String DEFAULT_COMMAND = "docker-entrypoint";

  /**
   * Many of these JVMs run at once on a small machine: a serial collector, the C1 compiler only, a
   * small heap and no perf-data file keep start-up fast and memory low.
   */
  static final List<String> JVM_FLAGS =
      List.of(
          "-XX:+UseSerialGC",
          "-XX:TieredStopAtLevel=1",
          "-Xss512k",
          "-Xmx96m",
          "-Xshare:auto",
          "-XX:-UsePerfData");

  private ReferenceBrokerImages() {}

  /**
   * Builds every image under the folder given as the only argument (e.g. {@code target/images}) and
   * lists them.
   */
  public static void main(String[] args) {
    if (args.length != 1) {
      System.err.println("usage: ReferenceBrokerImages ROOT_FOLDER");
      System.exit(64);
    }
    buildAll(Path.of(args[0])).forEach((tag, dir) -> System.out.println(image(tag) + " " + dir));
  }

  /**
   * A broken release, built by {@link #buildAll} but not in {@link #tags()}: 2.0.0's migrations
   * plus one that nothing uses ({@code 20250601}), working {@code db-migrate} and {@code
   * db-version}, but a {@code docker-entrypoint} whose heartbeat answers 503 for as long as it
   * runs. Its pods never become ready: an upgrade to it passes the schema migration and fails at
   * the rollout, and a rollback from it migrates the database down from 20250601 to 2.0.0's
   * 20250312.
   */
  public static final String FAULTY_TAG = BrokerRelease.V2_0_1_NEVER_READY.version();

  /** The image reference of a version, e.g. {@code quay.io/pactflow/enterprise:2.1.0}. */
  public static String image(String tag) {
    return REPOSITORY + ":" + tag;
  }

  /** Every working version's tag, oldest first; {@link #FAULTY_TAG} is not one. */
  public static List<String> tags() {
    return BrokerRelease.working().stream().map(BrokerRelease::version).toList();
  }

  /**
   * Builds (or refreshes) every version under {@code root}, {@link #FAULTY_TAG} included; returns
   * tag → image directory, the working versions oldest first, then the faulty one.
   */
  public static Map<String, Path> buildAll(Path root) {
    Map<String, Path> images = new LinkedHashMap<>();
    for (BrokerRelease release : BrokerRelease.values()) {
      images.put(release.version(), build(root, release));
    }
    return images;
  }

  /** The image directory of a tag under {@code root} (built or not). */
  public static Path imageDirectory(Path root, String tag) {
    return root.toAbsolutePath().resolve(REPOSITORY).resolve(tag);
  }

  /** The migrations folder inside an image directory. */
  public static Path migrationsDirectory(Path imageDirectory) {
    return imageDirectory.resolve(MIGRATIONS_PATH);
  }

  /**
   * The number {@code db-version} prints after this tag's {@code db-migrate}: its newest
   * migration's.
   */
  public static long newestMigrationNumber(String tag) {
    return BrokerRelease.find(tag)
        .orElseThrow(() -> new IllegalArgumentException("unknown tag " + tag))
        .newestMigrationNumber();
  }

  static Path build(Path root, BrokerRelease release) {
    Path image = imageDirectory(root, release.version());
    try {
      Path migrations = migrationsDirectory(image);
      Files.createDirectories(migrations);
      Set<String> wanted = Set.copyOf(release.migrationFiles());
      for (String file : release.migrationFiles()) {
        writeIfChanged(migrations.resolve(file), MigrationScript.resourceText(file), false);
      }
      try (var existing = Files.list(migrations)) {
        for (Path stale :
            existing
                .filter(
                    path ->
                        !path.getFileName()
                            .toString()
                            .startsWith(".")) // another builder's file being written
                .filter(path -> !wanted.contains(path.getFileName().toString()))
                .toList()) {
          Files.delete(stale);
        }
      }
      Path bin = Files.createDirectories(image.resolve("bin"));
      for (String entrypoint : ENTRYPOINTS) {
        writeIfChanged(bin.resolve(entrypoint), launcher(release, entrypoint, migrations), true);
      }
      writeIfChanged(
          Files.createDirectories(image.resolve(".image")).resolve("entrypoint"),
          DEFAULT_COMMAND + "\n",
          false);
      return image;
    } catch (IOException e) {
      throw new UncheckedIOException("Could not build the image directory " + image, e);
    }
  }

  private static String launcher(BrokerRelease release, String entrypoint, Path migrations) {
    String javaBinary =
        Path.of(System.getProperty("java.home"), "bin", "java").toAbsolutePath().toString();
    String classpath =
        Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(entry -> !entry.isBlank())
            .map(entry -> Path.of(entry).toAbsolutePath().toString())
            .collect(Collectors.joining(File.pathSeparator));
    StringBuilder script =
        new StringBuilder("#!/bin/sh\n")
            .append("# Reference broker ")
            .append(release.version())
            .append(": ")
            .append(entrypoint)
            .append(". Written by ")
            .append(ReferenceBrokerImages.class.getName())
            .append(" from the build's classpath.\n")
            .append("exec ")
            .append(quote(javaBinary));
    for (String flag : JVM_FLAGS) {
      script.append(' ').append(flag);
    }
    script
        .append(" \\\n  ")
        .append(quote("-D" + BrokerRelease.VERSION_PROPERTY + "=" + release.version()))
        .append(" \\\n  ")
        .append(quote("-D" + MigrationScript.FOLDER_PROPERTY + "=" + migrations))
        .append(" \\\n  -cp ")
        .append(quote(classpath))
        .append(" \\\n  ")
        .append(ReferenceBroker.class.getName())
        .append(' ')
        .append(entrypoint)
        .append(" \"$@\"\n");
    return script.toString();
  }

  private static String quote(String text) {
    return "'" + text.replace("'", "'\\''") + "'";
  }

  /** Parallel builds and running processes only ever see a whole file: write aside, then move. */
  private static void writeIfChanged(Path file, String content, boolean executable)
      throws IOException {
    if (Files.isRegularFile(file)
        && Files.readString(file, StandardCharsets.UTF_8).equals(content)
        && Files.isExecutable(file) == executable) {
      return;
    }
    Path temporary =
        file.resolveSibling("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
    Files.writeString(temporary, content, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(
        temporary, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
    Files.move(
        temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
