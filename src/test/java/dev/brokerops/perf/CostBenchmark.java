package dev.brokerops.perf;

import dev.brokerops.bench.Bench;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue #10: what the operator costs against a kubectl script of the procedure, where its limits
 * are, and how it scales, on the bench with the operator installed as in production. Every scenario
 * writes its figures, each beside its target, into one {@link ResultTable}.
 */
public final class CostBenchmark {

  private static final Logger LOG = LoggerFactory.getLogger(CostBenchmark.class);
  public static final Path CSV = Path.of("target", "bench", "cost-benchmark.csv");

  /**
   * How much of each scenario to run.
   *
   * @param sideBySide single-hop upgrades by the operator, and as many by the kubectl script
   * @param scaleLevels how many BrokerUpgrades upgrade at once, one level after the other
   * @param parkedPods Pending pods no node runs, for the last level's second round
   * @param idle how long the idle operator's requests are counted
   * @param clientsBefore how long the client sends requests before the upgrade
   * @param drainSeconds how long a reference broker pod keeps serving after SIGTERM
   * @param settle how long a start-up waits for the machine to settle first ({@link StartUp})
   * @param startUps how many starts each start-up figure times; it is their median
   * @param extraJvmOptions more JAVA_TOOL_OPTIONS for the operator (a JFR recording, say)
   * @param cleanUp whether to remove the namespaces and the operator at the end
   */
  public record Parameters(
      int sideBySide,
      List<Integer> scaleLevels,
      int parkedPods,
      Duration idle,
      Duration clientsBefore,
      int drainSeconds,
      Duration settle,
      int startUps,
      String extraJvmOptions,
      boolean cleanUp) {

    /** The benchmark as issue #10 asks for it. */
    public static Parameters full() {
      return new Parameters(
          20,
          List.of(1, 10, 100),
          5000,
          Duration.ofSeconds(60),
          Duration.ofSeconds(20),
          3,
          Duration.ofSeconds(90),
          5,
          "",
          false);
    }

    /** Every scenario at its smallest, for the smoke test. */
    public static Parameters smoke() {
      return new Parameters(
          1,
          List.of(1),
          20,
          Duration.ofSeconds(5),
          Duration.ofSeconds(2),
          3,
          Duration.ZERO,
          1,
          "",
          true);
    }

    /** {@link #full()}, with what {@code -Dbench.*} system properties change. */
    public static Parameters fromSystemProperties() {
      Parameters full = full();
      return new Parameters(
          Integer.getInteger("bench.upgrades", full.sideBySide()),
          System.getProperty("bench.scale") == null
              ? full.scaleLevels()
              : Arrays.stream(System.getProperty("bench.scale").split(","))
                  .map(String::strip)
                  .map(Integer::valueOf)
                  .toList(),
          Integer.getInteger("bench.parked", full.parkedPods()),
          Duration.ofSeconds(Integer.getInteger("bench.idle", (int) full.idle().toSeconds())),
          full.clientsBefore(),
          full.drainSeconds(),
          full.settle(),
          Integer.getInteger("bench.startups", full.startUps()),
          System.getProperty("bench.jvm", ""),
          false);
    }

    String describe() {
      return "side-by-side upgrades "
          + sideBySide
          + ", at once "
          + scaleLevels
          + ", parked pods "
          + parkedPods
          + ", idle "
          + idle.toSeconds()
          + " s"
          + (extraJvmOptions.isBlank() ? "" : ", operator JVM +" + extraJvmOptions);
    }
  }

  private CostBenchmark() {}

  /** Runs every scenario on the bench; prints the table and writes it to {@code csv}. */
  public static ResultTable run(Bench bench, Parameters parameters, Path csv) {
    ResultTable table = new ResultTable();
    Instant started = Instant.now();
    String loadBefore = loadAverage();
    Path workDir = csv.toAbsolutePath().getParent();
    try (Harness harness = new Harness(bench, parameters, table, workDir)) {
      table.header(
          "cost benchmark "
              + started.truncatedTo(ChronoUnit.SECONDS)
              + " on "
              + Runtime.getRuntime().availableProcessors()
              + " cores; "
              + parameters.describe());
      table.header(
          "operator: kubectl apply -k manifests/, JAVA_TOOL_OPTIONS="
              + harness.operator.javaToolOptions());
      LOG.info("side by side: {} upgrades each", parameters.sideBySide());
      new SideBySideUpgrades(harness).run(parameters.sideBySide());
      LOG.info("idle for {} s", parameters.idle().toSeconds());
      new IdleCost(harness).run(parameters.idle());
      LOG.info("client availability");
      new ClientAvailability(harness).run(parameters.clientsBefore(), parameters.drainSeconds());
      ConcurrentUpgrades concurrent = new ConcurrentUpgrades(harness);
      List<String> last = List.of();
      for (int level : parameters.scaleLevels()) {
        LOG.info("{} upgrades at once", level);
        last = concurrent.fresh(level);
      }
      StartUp.measure(harness, "with " + countUpgrades(bench) + " BrokerUpgrades");
      if (parameters.parkedPods() > 0) {
        LOG.info("{} parked pods", parameters.parkedPods());
        ParkedPods.create(harness, parameters.parkedPods());
        StartUp.measure(
            harness,
            "with "
                + countUpgrades(bench)
                + " BrokerUpgrades and "
                + parameters.parkedPods()
                + " Pending pods");
        concurrent.again(
            last, "1.2.0", last.size() + " at once, " + parameters.parkedPods() + " Pending pods");
      }
      Diagnostics.collect(harness, workDir);
      table.header(
          "load average (1, 5, 15 min): "
              + loadBefore
              + " at the start, "
              + loadAverage()
              + " at the end; took "
              + Duration.between(started, Instant.now()).toSeconds()
              + " s");
      if (!parameters.cleanUp()) {
        // the bench goes with this JVM
        harness.keepEverything();
      }
    }
    table.writeCsv(csv);
    System.out.println(table.render());
    System.out.println("written to " + csv.toAbsolutePath());
    return table;
  }

  private static long countUpgrades(Bench bench) {
    return bench
        .client()
        .resources(dev.brokerops.upgrade.api.BrokerUpgrade.class)
        .inAnyNamespace()
        .list()
        .getItems()
        .size();
  }

  /** {@code /proc/loadavg}'s three averages. */
  static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).split("\\s+");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
