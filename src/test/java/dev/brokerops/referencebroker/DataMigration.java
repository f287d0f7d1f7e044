package dev.brokerops.referencebroker;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Code that fixes rows an older version wrote. It runs on every {@code db-migrate} (and every
 * auto-migrating start), after the schema migrations, so it must be idempotent.
 */
interface DataMigration {

  /** A short name for logs. */
  String name();

  /** Fixes what needs fixing and returns how many rows it changed; the caller commits. */
  long run(Connection connection) throws SQLException;
}
