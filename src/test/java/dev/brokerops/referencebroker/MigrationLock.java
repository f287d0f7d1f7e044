package dev.brokerops.referencebroker;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A PostgreSQL session advisory lock around a whole migration (schema, then data, or a migration
 * down), so that concurrent {@code db-migrate} runs on one database take turns. Flyway's own lock
 * covers only its schema step.
 */
final class MigrationLock implements AutoCloseable {

  /** "pactmigr" as a number: any constant works, as long as every version uses the same. */
  private static final long KEY = 0x706163746d696772L;

  private final Connection connection;

  private MigrationLock(Connection connection) {
    this.connection = connection;
  }

  /** Waits for the lock on the given connection's session; closing releases it. */
  static MigrationLock acquire(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("SELECT pg_advisory_lock(" + KEY + ")");
    }
    return new MigrationLock(connection);
  }

  @Override
  public void close() throws SQLException {
    if (connection.isClosed()) {
      return; // the session ended, and with it the lock
    }
    try (Statement statement = connection.createStatement()) {
      statement.execute("SELECT pg_advisory_unlock(" + KEY + ")");
    }
  }
}
