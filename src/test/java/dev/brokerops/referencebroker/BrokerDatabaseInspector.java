package dev.brokerops.referencebroker;

import dev.brokerops.bench.postgres.PostgresDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads a reference broker's database the way the end-to-end tests judge a run: rows lost (a writer
 * was told a write was stored, and it is not there) and rows unmigrated (still in an older shape
 * than the database's schema asks for, i.e. a data migration has not run since).
 */
public final class BrokerDatabaseInspector {

  private final String jdbcUrl;
  private final String user;
  private final String password;

  public BrokerDatabaseInspector(String jdbcUrl, String user, String password) {
    this.jdbcUrl = jdbcUrl;
    this.user = user;
    this.password = password;
  }

  public static BrokerDatabaseInspector of(PostgresDatabase database) {
    return new BrokerDatabaseInspector(database.jdbcUrl(), database.user(), database.password());
  }

  /** All publications in the database (0 before the first migration). */
  public long publicationCount() {
    return hasPublicationsTable() ? count("SELECT count(*) FROM pact_publications") : 0;
  }

  /** Publications per version that wrote them, e.g. {@code {1.2.0=310, 2.0.0=295}}. */
  public Map<String, Long> publicationsByWriterVersion() {
    Map<String, Long> counts = new TreeMap<>();
    if (!hasPublicationsTable()) {
      return counts;
    }
    query(
        "SELECT writer_version, count(*) FROM pact_publications GROUP BY writer_version",
        rows -> {
          while (rows.next()) {
            counts.put(rows.getString(1), rows.getLong(2));
          }
        });
    return counts;
  }

  /** Publications one writer (one broker process) wrote. */
  public long publicationsWrittenBy(String writerId) {
    if (!hasPublicationsTable()) {
      return 0;
    }
    try (Connection connection = connect();
        PreparedStatement statement =
            connection.prepareStatement(
                "SELECT count(*) FROM pact_publications WHERE writer_id = ?")) {
      statement.setString(1, writerId);
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Inspecting the broker database failed: " + e.getMessage(), e);
    }
  }

  /**
   * Acknowledged writes missing from the database, summed over writers. A writer's rows carry its
   * id and unique sequence numbers and nothing deletes them, so fewer rows than acknowledgements
   * means rows were lost.
   */
  public long lostRows(Collection<WriterCounters> writers) {
    long lost = 0;
    for (WriterCounters writer : writers) {
      lost += lostRows(writer.writerId(), writer.acknowledged());
    }
    return lost;
  }

  public long lostRows(String writerId, long acknowledgedWrites) {
    return Math.max(0, acknowledgedWrites - publicationsWrittenBy(writerId));
  }

  /**
   * Rows still in an older shape than the schema asks for: a missing branch (1.2.0's data migration
   * fills it) or a missing content digest (2.0.0's). Zero after a full {@code db-migrate} of the
   * database's version.
   */
  public long unmigratedRows() {
    Set<String> columns = publicationColumns();
    if (columns.isEmpty()) {
      return 0;
    }
    StringBuilder condition = new StringBuilder("false");
    if (columns.contains("branch")) {
      condition.append(" OR branch IS NULL");
    }
    if (columns.contains("content_sha256")) {
      condition.append(" OR content_sha256 IS NULL");
    }
    return count("SELECT count(*) FROM pact_publications WHERE " + condition);
  }

  /**
   * Rows whose stored digest is not the digest of their content: would mean a data migration or a
   * writer got it wrong.
   */
  public long rowsWithWrongContentDigest() {
    if (!publicationColumns().contains("content_sha256")) {
      return 0;
    }
    return count(
        "SELECT count(*) FROM pact_publications WHERE content_sha256 IS NOT NULL"
            + " AND content_sha256 <> encode(sha256(convert_to(content, 'UTF8')), 'hex')");
  }

  /** The columns of the publications table, in table order (empty when it does not exist). */
  public Set<String> publicationColumns() {
    Set<String> columns = new LinkedHashSet<>();
    query(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
            + " AND table_name = 'pact_publications' ORDER BY ordinal_position",
        rows -> {
          while (rows.next()) {
            columns.add(rows.getString(1));
          }
        });
    return columns;
  }

  /** The newest applied migration's number, as {@code db-version} reports it. */
  public long newestAppliedMigration() {
    try (Connection connection = connect()) {
      return SchemaMigrator.newestApplied(connection);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Inspecting the broker database failed: " + e.getMessage(), e);
    }
  }

  /** Every applied migration number, oldest first. */
  public Set<Long> appliedMigrations() {
    Set<Long> applied = new LinkedHashSet<>();
    if (count(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()"
                + " AND table_name = '"
                + SchemaMigrator.HISTORY_TABLE
                + "'")
        == 0) {
      return applied;
    }
    query(
        "SELECT version FROM "
            + SchemaMigrator.HISTORY_TABLE
            + " WHERE success AND version IS NOT NULL"
            + " ORDER BY installed_rank",
        rows -> {
          while (rows.next()) {
            applied.add(Long.parseLong(rows.getString(1)));
          }
        });
    return applied;
  }

  private boolean hasPublicationsTable() {
    return count(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()"
                + " AND table_name = 'pact_publications'")
        > 0;
  }

  private long count(String sql) {
    long[] result = new long[1];
    query(
        sql,
        rows -> {
          rows.next();
          result[0] = rows.getLong(1);
        });
    return result[0];
  }

  private void query(String sql, RowsReader reader) {
    try (Connection connection = connect();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      reader.read(rows);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Inspecting the broker database failed: " + e.getMessage(), e);
    }
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl, user, password);
  }

  private interface RowsReader {
    void read(ResultSet rows) throws SQLException;
  }
}
