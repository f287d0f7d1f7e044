package dev.brokerops.perf;

import static org.awaitility.Awaitility.await;

import dev.brokerops.bench.AuditLog;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What the operator asks of the API server while nothing happens: every BrokerUpgrade Ready, the
 * same leader throughout. Only watches and, with leader election, the Lease may show up.
 */
final class IdleCost {

  static final String SCENARIO = "idle";

  private final Harness harness;

  IdleCost(Harness harness) {
    this.harness = harness;
  }

  void run(Duration idle) {
    String leader = harness.operator.leaderName().orElseThrow();
    long mark = harness.audit.mark();
    Instant start = Instant.now();
    await("the operator idle for " + idle.toSeconds() + " s, one leader throughout")
        .during(idle)
        .atMost(idle.plusSeconds(10))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> harness.operator.leaderName().filter(leader::equals).isPresent());
    Instant end = start.plus(idle);
    List<AuditLog.Event> requests =
        harness.auditSince(mark).stream()
            .filter(e -> e.user().equals(InstalledOperator.IDENTITY))
            .filter(e -> !e.received().isBefore(start) && e.received().isBefore(end))
            .toList();
    Map<String, Long> byKind =
        requests.stream()
            .collect(
                Collectors.groupingBy(
                    e -> e.verb() + " " + e.resourcePath(), TreeMap::new, Collectors.counting()));
    long leases = requests.stream().filter(e -> e.resource().equals("leases")).count();
    long watches = requests.stream().filter(e -> e.verb().equals("watch")).count();
    long other = requests.size() - leases - watches;
    ResultTable table = harness.table;
    String per = "in " + idle.toSeconds() + " s";
    table.info(SCENARIO, "operator requests " + per, requests.size(), "requests", "both replicas");
    table.info(
        SCENARIO, "Lease requests " + per, leases, "requests", "renewals and the standby's tries");
    table.info(
        SCENARIO, "watch requests ended " + per, watches, "requests", "a watch shows when it ends");
    table.add(
        SCENARIO,
        "other requests " + per,
        other,
        "requests",
        ResultTable.Target.exactly(0, "requests"),
        other == 0 ? "" : byKind.toString());
    byKind.forEach((kind, n) -> table.info(SCENARIO, "operator: " + kind, n, "requests"));
  }
}
