package dev.brokerops.referencebroker;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The versions of the reference broker, what each adds (one schema migration, maybe a data
 * migration) and how its writer writes. Each version has everything of the versions before it.
 */
public enum BrokerRelease {
  V1_0_0("1.0.0", "20240101_add_pact_publications.sql", PublicationShape.ORIGINAL, null),
  V1_1_0("1.1.0", "20240601_add_created_at_index.sql", PublicationShape.ORIGINAL, null),
  V1_2_0(
      "1.2.0",
      "20241001_pact_branch_column.sql",
      PublicationShape.WITH_BRANCH,
      new FillMissingBranch()),
  V2_0_0(
      "2.0.0",
      "20250312_add_content_sha256.sql",
      PublicationShape.WITH_CONTENT_SHA256,
      new FillMissingContentSha256()),
  V2_1_0("2.1.0", "20260115_pact_sha_lookup.sql", PublicationShape.WITH_CONTENT_SHA256, null);

  /** The system property the image's scripts set to say which version runs. */
  static final String VERSION_PROPERTY = "referencebroker.version";

  private final String version;
  private final String migrationFileAdded;
  private final PublicationShape shape;
  private final DataMigration dataMigrationAdded;

  BrokerRelease(
      String version,
      String migrationFileAdded,
      PublicationShape shape,
      DataMigration dataMigrationAdded) {
    this.version = version;
    this.migrationFileAdded = migrationFileAdded;
    this.shape = shape;
    this.dataMigrationAdded = dataMigrationAdded;
  }

  public String version() {
    return version;
  }

  public static Optional<BrokerRelease> find(String version) {
    return Arrays.stream(values()).filter(release -> release.version.equals(version)).findFirst();
  }

  /** The release this process is, from the system property the image's scripts set. */
  static BrokerRelease current() {
    String version = System.getProperty(VERSION_PROPERTY);
    return find(version)
        .orElseThrow(
            () ->
                new BrokerFailure(
                    "unknown reference broker version '"
                        + version
                        + "' (system property "
                        + VERSION_PROPERTY
                        + ")"));
  }

  /** The schema migration files this version's image ships, oldest first. */
  public List<String> migrationFiles() {
    return upToThis().stream().map(release -> release.migrationFileAdded).toList();
  }

  /**
   * The number of this version's newest migration: what {@code db-version} prints after {@code
   * db-migrate}.
   */
  public long newestMigrationNumber() {
    return Long.parseLong(migrationFileAdded.substring(0, migrationFileAdded.indexOf('_')));
  }

  /** The data migrations this version runs on every migrate, in the order they were added. */
  List<DataMigration> dataMigrations() {
    List<DataMigration> migrations = new ArrayList<>();
    for (BrokerRelease release : upToThis()) {
      if (release.dataMigrationAdded != null) {
        migrations.add(release.dataMigrationAdded);
      }
    }
    return migrations;
  }

  PublicationShape shape() {
    return shape;
  }

  private List<BrokerRelease> upToThis() {
    return Arrays.asList(values()).subList(0, ordinal() + 1);
  }
}
