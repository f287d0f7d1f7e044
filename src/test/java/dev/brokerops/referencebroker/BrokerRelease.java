package dev.brokerops.referencebroker;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The versions of the reference broker, what each adds (one schema migration, maybe a data
 * migration) and how its writer writes. Each version has everything of the version it builds on.
 */
public enum BrokerRelease {
  V1_0_0("1.0.0", null, "20240101_add_pact_publications.sql", PublicationShape.ORIGINAL, null),
  V1_1_0("1.1.0", V1_0_0, "20240601_add_created_at_index.sql", PublicationShape.ORIGINAL, null),
  V1_2_0(
      "1.2.0",
      V1_1_0,
      "20241001_pact_branch_column.sql",
      PublicationShape.WITH_BRANCH,
      new FillMissingBranch()),
  V2_0_0(
      "2.0.0",
      V1_2_0,
      "20250312_add_content_sha256.sql",
      PublicationShape.WITH_CONTENT_SHA256,
      new FillMissingContentSha256()),
  V2_1_0(
      "2.1.0", V2_0_0, "20260115_pact_sha_lookup.sql", PublicationShape.WITH_CONTENT_SHA256, null),

  /**
   * A broken patch of 2.0.0 (2.1.0 does not build on it): {@code db-migrate} and {@code db-version}
   * work and it adds one migration that nothing uses, but {@code docker-entrypoint} never becomes
   * ready. Its heartbeat answers 503 for as long as it runs, so an upgrade to it passes the schema
   * migration and fails at the rollout, and a rollback from it has a migration to revert.
   */
  V2_0_1_NEVER_READY(
      "2.0.1",
      V2_0_0,
      "20250601_publication_notes.sql",
      PublicationShape.WITH_CONTENT_SHA256,
      null,
      true);

  /** The system property the image's scripts set to say which version runs. */
  static final String VERSION_PROPERTY = "referencebroker.version";

  private final String version;
  private final BrokerRelease builtOn;
  private final String migrationFileAdded;
  private final PublicationShape shape;
  private final DataMigration dataMigrationAdded;
  private final boolean neverReady;

  BrokerRelease(
      String version,
      BrokerRelease builtOn,
      String migrationFileAdded,
      PublicationShape shape,
      DataMigration dataMigrationAdded) {
    this(version, builtOn, migrationFileAdded, shape, dataMigrationAdded, false);
  }

  BrokerRelease(
      String version,
      BrokerRelease builtOn,
      String migrationFileAdded,
      PublicationShape shape,
      DataMigration dataMigrationAdded,
      boolean neverReady) {
    this.version = version;
    this.builtOn = builtOn;
    this.migrationFileAdded = migrationFileAdded;
    this.shape = shape;
    this.dataMigrationAdded = dataMigrationAdded;
    this.neverReady = neverReady;
  }

  public String version() {
    return version;
  }

  /** The releases that work, oldest first: every one but the broken {@link #V2_0_1_NEVER_READY}. */
  public static List<BrokerRelease> working() {
    return Arrays.stream(values()).filter(release -> !release.neverReady).toList();
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

  /** The release this one adds to; empty for the first. */
  Optional<BrokerRelease> builtOn() {
    return Optional.ofNullable(builtOn);
  }

  /** True for a release whose server answers its heartbeat with 503 for as long as it runs. */
  boolean neverReady() {
    return neverReady;
  }

  private List<BrokerRelease> upToThis() {
    List<BrokerRelease> releases = new ArrayList<>();
    for (BrokerRelease release = this; release != null; release = release.builtOn) {
      releases.add(0, release);
    }
    return releases;
  }
}
