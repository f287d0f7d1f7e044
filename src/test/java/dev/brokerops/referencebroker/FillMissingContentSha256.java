package dev.brokerops.referencebroker;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * 2.0.0's data migration: computes the content digest for rows 1.x wrote (before the schema
 * migration, or during a rolling upgrade while 1.x pods still ran), in batches so that no long
 * transaction holds locks the running writers need.
 */
final class FillMissingContentSha256 implements DataMigration {

  private static final int BATCH_SIZE = 500;

  @Override
  public String name() {
    return "fill missing content_sha256";
  }

  @Override
  public long run(Connection connection) throws SQLException {
    long changed = 0;
    long lastId = 0;
    try (PreparedStatement select =
            connection.prepareStatement(
                "SELECT id, content FROM pact_publications WHERE content_sha256 IS NULL AND id > ? ORDER BY id LIMIT "
                    + BATCH_SIZE);
        PreparedStatement update =
            connection.prepareStatement(
                "UPDATE pact_publications SET content_sha256 = ? WHERE id = ? AND content_sha256 IS NULL")) {
      while (true) {
        select.setLong(1, lastId);
        int rowsInBatch = 0;
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            lastId = rows.getLong(1);
            update.setString(1, ContentDigest.sha256Hex(rows.getString(2)));
            update.setLong(2, lastId);
            update.addBatch();
            rowsInBatch++;
          }
        }
        if (rowsInBatch == 0) {
          return changed;
        }
        for (int count : update.executeBatch()) {
          changed += Math.max(count, 0);
        }
        if (!connection.getAutoCommit()) {
          connection.commit();
        }
      }
    }
  }
}
