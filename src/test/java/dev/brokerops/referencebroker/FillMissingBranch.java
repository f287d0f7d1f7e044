package dev.brokerops.referencebroker;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** 1.2.0's data migration: publications written before branches existed are on {@code main}. */
final class FillMissingBranch implements DataMigration {

  @Override
  public String name() {
    return "fill missing branch";
  }

  @Override
  public long run(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      return statement.executeUpdate(
          "UPDATE pact_publications SET branch = 'main' WHERE branch IS NULL");
    }
  }
}
