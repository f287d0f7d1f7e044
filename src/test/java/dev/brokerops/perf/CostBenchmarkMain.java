package dev.brokerops.perf;

import dev.brokerops.bench.Bench;
import java.nio.file.Path;

/**
 * {@code make bench}: the cost benchmark of issue #10 on a bench of its own; prints one table and
 * writes {@code target/bench/cost-benchmark.csv}. Run it in a network namespace of its own ({@code
 * src/test/bench/own-netns.sh}, as {@code make bench} does), where pods get addresses that
 * EndpointSlices accept. {@code -Dbench.upgrades=N}, {@code -Dbench.scale=1,10,100}, {@code
 * -Dbench.parked=N}, {@code -Dbench.idle=SECONDS} and {@code -Dbench.jvm=OPTIONS} (more
 * JAVA_TOOL_OPTIONS for the operator) change what it runs; {@code -Dbench.profile=smoke} runs every
 * scenario at its smallest, {@code -Dbench.csv=FILE} writes the CSV elsewhere. {@code
 * -Dbench.hold=true} keeps the bench up after the table, with everything the scenarios left on it
 * (100-odd BrokerUpgrades and their Jobs, pods and ReplicaSets), until the process is stopped: a
 * loaded cluster to start variants of the operator against (its kubeconfig is printed).
 */
public final class CostBenchmarkMain {

  private CostBenchmarkMain() {}

  public static void main(String[] args) throws Exception {
    CostBenchmark.Parameters parameters =
        "smoke".equals(System.getProperty("bench.profile"))
            ? CostBenchmark.Parameters.smoke()
            : CostBenchmark.Parameters.fromSystemProperties();
    Path csv = Path.of(System.getProperty("bench.csv", CostBenchmark.CSV.toString()));
    Bench bench = Bench.full();
    Bench.ensureStarted(true);
    int status = 0;
    try {
      CostBenchmark.run(bench, parameters, csv);
      if (Boolean.getBoolean("bench.hold")) {
        System.out.println("holding the bench; kubeconfig " + bench.kubeconfig());
        Thread.sleep(Long.MAX_VALUE);
      }
    } catch (Throwable e) {
      e.printStackTrace();
      status = 1;
    }
    System.exit(status);
  }
}
