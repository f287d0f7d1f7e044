package dev.brokerops.referencebroker;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/** How a version writes a pact publication: the columns it knows about. */
enum PublicationShape {
  /** 1.0.0 and 1.1.0: neither branch nor content digest. */
  ORIGINAL(false, false),
  /** 1.2.0: with branch; no content digest (the column does not exist in its schema). */
  WITH_BRANCH(true, false),
  /** 2.x: with branch and content digest, the column 2.0.0's schema migration adds. */
  WITH_CONTENT_SHA256(true, true);

  private final boolean writesBranch;
  private final boolean writesContentSha256;

  PublicationShape(boolean writesBranch, boolean writesContentSha256) {
    this.writesBranch = writesBranch;
    this.writesContentSha256 = writesContentSha256;
  }

  PreparedStatement prepareInsert(Connection connection) throws SQLException {
    String columns =
        "writer_id, sequence, writer_version, consumer, provider, consumer_version, content"
            + (writesBranch ? ", branch" : "")
            + (writesContentSha256 ? ", content_sha256" : "");
    String values =
        "?, ?, ?, ?, ?, ?, ?" + (writesBranch ? ", ?" : "") + (writesContentSha256 ? ", ?" : "");
    return connection.prepareStatement(
        "INSERT INTO pact_publications (" + columns + ") VALUES (" + values + ")");
  }

  void bind(PreparedStatement insert, String writerId, long sequence, String writerVersion)
      throws SQLException {
    String consumer = "consumer-" + (sequence % 3);
    String content =
        "{\"consumer\":{\"name\":\""
            + consumer
            + "\"},\"provider\":{\"name\":\"provider\"},"
            + "\"interactions\":[{\"description\":\"request "
            + sequence
            + " from "
            + writerId
            + "\"}]}";
    int index = 1;
    insert.setString(index++, writerId);
    insert.setLong(index++, sequence);
    insert.setString(index++, writerVersion);
    insert.setString(index++, consumer);
    insert.setString(index++, "provider");
    insert.setString(index++, "1.0." + sequence);
    insert.setString(index++, content);
    if (writesBranch) {
      insert.setString(index++, "main");
    }
    if (writesContentSha256) {
      insert.setString(index, ContentDigest.sha256Hex(content));
    }
  }
}
