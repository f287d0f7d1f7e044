package dev.brokerops.referencebroker;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * One schema migration file, {@code <number>_<name>.sql}, holding its up and down SQL in one file
 * (sections after {@code -- migrate:up} and {@code -- migrate:down}), so that a down script never
 * shows up as a file of its own in the image's migrations folder.
 */
record MigrationScript(long number, String name, String upSql, String downSql) {

  static final String UP_MARKER = "-- migrate:up";
  static final String DOWN_MARKER = "-- migrate:down";
  private static final Pattern FILE_NAME = Pattern.compile("([0-9]+)_([A-Za-z0-9_]+)\\.sql");

  static MigrationScript parse(String fileName, String text) {
    Matcher matcher = FILE_NAME.matcher(fileName);
    if (!matcher.matches()) {
      throw new BrokerFailure("migration file " + fileName + " is not named <number>_<name>.sql");
    }
    int up = text.indexOf(UP_MARKER);
    int down = text.indexOf(DOWN_MARKER);
    if (up < 0 || down < up) {
      throw new BrokerFailure(
          "migration file "
              + fileName
              + " lacks '"
              + UP_MARKER
              + "' followed by '"
              + DOWN_MARKER
              + "'");
    }
    return new MigrationScript(
        Long.parseLong(matcher.group(1)),
        matcher.group(2),
        text.substring(up + UP_MARKER.length(), down).strip(),
        text.substring(down + DOWN_MARKER.length()).strip());
  }

  /** Every migration file in a folder, oldest first. */
  static List<MigrationScript> readFolder(Path folder) {
    List<MigrationScript> scripts = new ArrayList<>();
    try (var files = Files.list(folder)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        scripts.add(
            parse(file.getFileName().toString(), Files.readString(file, StandardCharsets.UTF_8)));
      }
    } catch (IOException e) {
      throw new BrokerFailure("cannot read the migrations in " + folder + ": " + e.getMessage(), e);
    }
    scripts.sort(Comparator.comparingLong(MigrationScript::number));
    return scripts;
  }

  /**
   * The system property the image's scripts set: the image's migrations folder, the files that run.
   */
  static final String FOLDER_PROPERTY = "referencebroker.migrations";

  /**
   * The migrations this process runs: the files in its image's migrations folder (so the files the
   * rollback command lists are the ones that run), or, outside an image, the release's own.
   */
  static List<MigrationScript> forRelease(BrokerRelease release) {
    String folder = System.getProperty(FOLDER_PROPERTY);
    if (folder != null) {
      return readFolder(Path.of(folder));
    }
    return release.migrationFiles().stream().map(file -> parse(file, resourceText(file))).toList();
  }

  /** A migration file shipped in this class's package, as the image builder copies it. */
  static String resourceText(String fileName) {
    try (InputStream stream = MigrationScript.class.getResourceAsStream("migrations/" + fileName)) {
      if (stream == null) {
        throw new IllegalStateException("migration resource " + fileName + " is missing");
      }
      return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String fileName() {
    return number + "_" + name + ".sql";
  }

  /** Changes when the up SQL changes, so Flyway's validation notices an edited migration. */
  int checksum() {
    CRC32 crc = new CRC32();
    crc.update(upSql.getBytes(StandardCharsets.UTF_8));
    return (int) crc.getValue();
  }
}
