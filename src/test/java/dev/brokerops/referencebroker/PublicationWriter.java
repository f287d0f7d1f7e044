package dev.brokerops.referencebroker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes pacts at a steady rate, one row per write in its own transaction, in the shape of its
 * version, and counts what the database acknowledged and what failed. A failed write is counted,
 * never retried, so the counts stay exact; the next write reconnects.
 */
final class PublicationWriter implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PublicationWriter.class);

  private final DatabaseUrl database;
  private final BrokerRelease release;
  private final String writerId;
  private final long periodNanos;
  private final Path countersFile;
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "publication-writer");
            thread.setDaemon(true);
            return thread;
          });

  // Written only by the scheduler's single thread; volatile so the HTTP threads read fresh values.
  private volatile long attempted;
  private volatile long acknowledged;
  private volatile long errors;
  private volatile String lastError;
  private volatile boolean stopped;
  private Connection connection;
  private PreparedStatement insert;

  PublicationWriter(
      DatabaseUrl database,
      BrokerRelease release,
      String writerId,
      double writesPerSecond,
      Path countersFile) {
    if (!(writesPerSecond > 0)) {
      throw new BrokerFailure("WRITES_PER_SECOND must be a positive number");
    }
    this.database = database;
    this.release = release;
    this.writerId = writerId;
    this.periodNanos = Math.max(1, (long) (1_000_000_000L / writesPerSecond));
    this.countersFile = countersFile;
  }

  void start() {
    scheduler.scheduleAtFixedRate(this::writeOne, 0, periodNanos, TimeUnit.NANOSECONDS);
    if (countersFile != null) {
      scheduler.scheduleWithFixedDelay(this::saveCounters, 1, 1, TimeUnit.SECONDS);
    }
  }

  WriterCounters counters() {
    return new WriterCounters(
        writerId, release.version(), attempted, acknowledged, errors, lastError, stopped);
  }

  /**
   * Lets the write in flight finish, then stops: every write is either acknowledged or counted as
   * an error.
   */
  @Override
  public void close() {
    scheduler.shutdown();
    try {
      if (!scheduler.awaitTermination(30, TimeUnit.SECONDS)) {
        LOG.warn("The write in flight did not finish within 30 s");
        scheduler.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeConnection();
    stopped = true;
    saveCounters();
  }

  private void writeOne() {
    long sequence = attempted + 1;
    attempted = sequence;
    try {
      if (connection == null) {
        connection = database.connect("docker-entrypoint " + release.version() + " " + writerId);
        insert = release.shape().prepareInsert(connection);
      }
      release.shape().bind(insert, writerId, sequence, release.version());
      insert.executeUpdate();
      acknowledged++;
    } catch (SQLException | BrokerFailure e) {
      errors++;
      String message = DatabaseUrl.firstLine(e.getMessage());
      if (!message.equals(lastError)) {
        LOG.warn("Write {} failed: {}", sequence, message);
      }
      lastError = message;
      closeConnection();
    } catch (RuntimeException e) {
      // An escaping exception would silently cancel the periodic task: count it and go on.
      errors++;
      lastError = e.toString();
      LOG.error("Write {} failed unexpectedly", sequence, e);
      closeConnection();
    }
  }

  private void closeConnection() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // the connection is being discarded anyway
      }
      connection = null;
      insert = null;
    }
  }

  private void saveCounters() {
    if (countersFile == null) {
      return;
    }
    try {
      Path temporary = countersFile.resolveSibling(countersFile.getFileName() + ".tmp");
      Files.writeString(temporary, counters().toJson() + "\n");
      Files.move(
          temporary,
          countersFile,
          StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      LOG.warn("Could not write the counters to {}: {}", countersFile, e.toString());
    }
  }
}
