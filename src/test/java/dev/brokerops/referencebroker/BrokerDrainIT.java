package dev.brokerops.referencebroker;

import static dev.brokerops.referencebroker.BrokerImageRunner.environment;
import static dev.brokerops.referencebroker.BrokerImageRunner.serve;
import static dev.brokerops.referencebroker.BrokerImageRunner.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.brokerops.bench.postgres.PostgresDatabase;
import dev.brokerops.bench.postgres.PostgresExtension;
import dev.brokerops.referencebroker.BrokerImageRunner.Exited;
import dev.brokerops.referencebroker.BrokerImageRunner.RunningBroker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The broker drains like a real server: after SIGTERM its heartbeat fails at once, yet it goes on
 * serving and writing for DRAIN_SECONDS, then stops cleanly with its final counters.
 */
@ExtendWith(PostgresExtension.class)
class BrokerDrainIT {

  private static final int WRITES_PER_SECOND = 20;
  private static final Duration DRAIN = Duration.ofSeconds(4);

  @Test
  void afterSigtermTheHeartbeatFailsWhileWritesGoOnForTheDrainThenItExitsCleanly(
      PostgresDatabase database) {
    try (RunningBroker broker = serve("1.2.0", draining(database, DRAIN))) {
      await().atMost(Duration.ofMinutes(1)).until(() -> broker.counters().acknowledged() >= 10);

      long acknowledgedAtSigterm = broker.counters().acknowledged();
      Instant signalled = Instant.now();
      broker.signalTerm();

      await("heartbeat failing after SIGTERM")
          .atMost(Duration.ofSeconds(3))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> broker.heartbeatStatus() == 503);
      // two seconds' worth of writes after the signal, still counted over HTTP
      await("writes going on after SIGTERM")
          .atMost(DRAIN)
          .pollInterval(Duration.ofMillis(100))
          .until(
              () ->
                  broker.counters().acknowledged()
                      >= acknowledgedAtSigterm + 2 * WRITES_PER_SECOND);

      Exited exited = broker.awaitExit();
      Duration stopping = Duration.between(signalled, Instant.now());
      assertThat(exited.exitCode()).as("%s", exited).isZero();
      assertThat(stopping).as("time from SIGTERM to exit").isBetween(DRAIN, DRAIN.plusSeconds(20));

      WriterCounters last = RunningBroker.finalCounters(exited);
      assertThat(last.stopped()).isTrue();
      assertThat(last.errors()).as("errors, last: %s", last.lastError()).isZero();
      assertThat(last.acknowledged() - acknowledgedAtSigterm)
          .as("writes acknowledged during the drain")
          .isGreaterThanOrEqualTo((DRAIN.toSeconds() - 1) * WRITES_PER_SECOND);
      assertThat(BrokerDatabaseInspector.of(database).lostRows(List.of(last))).isZero();
      System.out.printf(
          "drain: %d write(s) after SIGTERM, exit %d ms after it%n",
          last.acknowledged() - acknowledgedAtSigterm, stopping.toMillis());
    }
  }

  @Test
  void aSecondSignalCutsTheDrainShort(PostgresDatabase database) {
    Duration longDrain = Duration.ofMinutes(5);
    try (RunningBroker broker = serve("1.2.0", draining(database, longDrain))) {
      broker.signalTerm();
      await("heartbeat failing after SIGTERM")
          .atMost(Duration.ofSeconds(3))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> broker.heartbeatStatus() == 503);

      Instant secondSignal = Instant.now();
      broker.signalTerm();
      Exited exited = broker.awaitExit();

      assertThat(exited.exitCode()).as("%s", exited).isZero();
      assertThat(Duration.between(secondSignal, Instant.now())).isLessThan(Duration.ofSeconds(30));
      assertThat(RunningBroker.finalCounters(exited).errors()).isZero();
    }
  }

  private static Map<String, String> draining(PostgresDatabase database, Duration drain) {
    return with(
        with(environment(database), "WRITES_PER_SECOND", Integer.toString(WRITES_PER_SECOND)),
        ServeCommand.DRAIN_SECONDS_ENV,
        Long.toString(drain.toSeconds()));
  }
}
