package dev.brokerops.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.brokerops.bench.Bench;
import dev.brokerops.referencebroker.WriterCounters;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The reference broker runs on the bench as PactFlow runs on a cluster: replicas, probes, Secrets.
 */
class BrokerOnBenchIT {

  @RegisterExtension static final Bench bench = Bench.full();

  @Test
  void threeReplicasServeAndWriteAndStopWithoutLosingARow() {
    BrokerFixture broker = BrokerFixture.deploy(bench, bench.createNamespace("broker"), "1.0.0", 3);
    await().atMost(Duration.ofSeconds(30)).until(() -> broker.inspector().publicationCount() > 30);

    List<WriterCounters> writers = broker.stopWriters();

    assertThat(writers)
        .hasSize(3)
        .allSatisfy(
            w -> {
              assertThat(w.acknowledged()).isPositive();
              assertThat(w.errors()).isZero();
            });
    assertThat(broker.inspector().lostRows(writers)).isZero();
    assertThat(broker.inspector().publicationCount())
        .isEqualTo(writers.stream().mapToLong(WriterCounters::acknowledged).sum());
  }
}
