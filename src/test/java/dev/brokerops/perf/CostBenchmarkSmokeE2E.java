package dev.brokerops.perf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brokerops.bench.BenchLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code make bench} at its smallest: every scenario runs once, as {@code make bench} runs it (its
 * own JVM and bench in a network namespace of its own, {@code src/test/bench/own-netns.sh}), and
 * the table and the CSV come out with real figures. The targets are for {@code make bench} on a
 * quiet machine, not held here.
 */
class CostBenchmarkSmokeE2E {

  private static final Path DIR = Path.of("target", "bench", "smoke").toAbsolutePath();
  private static final Path CSV = DIR.resolve("cost-benchmark.csv");

  @Test
  void everyScenarioGivesRealFiguresInOneTableAndItsCsv() throws Exception {
    Files.createDirectories(DIR);
    Files.deleteIfExists(CSV);
    Path output = DIR.resolve("output.txt");
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of("src", "test", "bench", "own-netns.sh").toAbsolutePath().toString(),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "-Dbench.profile=smoke",
                "-Dbench.csv=" + CSV,
                "-Dbench.log.level=WARN",
                "-Dbench.cache=" + BenchLayout.current().stateRoot().getParent(),
                CostBenchmarkMain.class.getName()));
    Process benchmark =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    if (!benchmark.waitFor(15, TimeUnit.MINUTES)) {
      benchmark.destroyForcibly();
    }
    String printed = Files.readString(output, StandardCharsets.UTF_8);
    assertThat(benchmark.exitValue()).as(printed).isZero();

    // one table, each target beside its figure
    assertThat(printed)
        .contains("scenario", "figure", "value", "unit", "target", "met")
        .contains("<= 100 ms", "<= 500 ms", "<= 12 requests", "<= 128 MB", "<= 2000 ms")
        .contains("load average");
    List<ResultTable.CsvRow> rows = ResultTable.readCsv(CSV);
    for (String step : SideBySideUpgrades.STEPS) {
      assertMeasured(rows, SideBySideUpgrades.STEP_LATENCY, step + " p99", "ms");
    }
    assertMeasured(rows, SideBySideUpgrades.OVERHEAD, "operator: overhead p50", "ms");
    assertMeasured(rows, SideBySideUpgrades.OVERHEAD, "operator / kubectl script", "ratio");
    assertThat(row(rows, SideBySideUpgrades.OVERHEAD, "kubectl script: overhead p50").value())
        .isFinite()
        .isPositive();
    for (String which : List.of(SideBySideUpgrades.NEW_UPGRADE, SideBySideUpgrades.VERSION_BUMP)) {
      assertMeasured(
          rows, SideBySideUpgrades.API_COST, "operator: write requests, " + which, "requests");
      assertMeasured(
          rows, SideBySideUpgrades.API_COST, "operator: get/list requests, " + which, "requests");
      assertThat(
              row(rows, SideBySideUpgrades.API_COST, "operator, " + which + ": create jobs")
                  .value())
          .isEqualTo(3.0);
    }
    assertMeasured(rows, IdleCost.SCENARIO, "other requests", "requests");
    assertMeasured(rows, ClientAvailability.SCENARIO, "failed requests during", "requests");
    assertThat(row(rows, ClientAvailability.SCENARIO, "requests during").value()).isPositive();
    assertMeasured(rows, ConcurrentUpgrades.SCENARIO, "1 at once: failures", "upgrades");
    assertMeasured(rows, ConcurrentUpgrades.SCENARIO, "1 at once: leader RSS, max sampled", "MB");
    assertThat(
            row(rows, ConcurrentUpgrades.SCENARIO, "1 at once: leader RSS after, anonymous")
                .value())
        .isPositive();
    assertThat(row(rows, ConcurrentUpgrades.SCENARIO, "1 at once: leader heap").value())
        .isPositive();
    assertThat(
            rows.stream()
                .filter(r -> r.scenario().equals(StartUp.SCENARIO) && !r.target().isEmpty())
                .toList())
        .as("start-up with the BrokerUpgrades, then with Pending pods too")
        .hasSize(2)
        .allSatisfy(r -> assertThat(r.value()).isPositive());
  }

  private static ResultTable.CsvRow row(
      List<ResultTable.CsvRow> rows, String scenario, String figurePrefix) {
    List<ResultTable.CsvRow> found =
        rows.stream()
            .filter(r -> r.scenario().equals(scenario) && r.figure().startsWith(figurePrefix))
            .toList();
    assertThat(found).as(scenario + " / " + figurePrefix).hasSize(1);
    return found.get(0);
  }

  /** One row, a real number in the unit given, held to a target and marked met or not. */
  private static void assertMeasured(
      List<ResultTable.CsvRow> rows, String scenario, String figurePrefix, String unit) {
    ResultTable.CsvRow row = row(rows, scenario, figurePrefix);
    assertThat(row.value()).as(row.figure()).isFinite().isNotNegative();
    assertThat(row.unit()).as(row.figure()).isEqualTo(unit);
    assertThat(row.target()).as(row.figure() + " has a target").isNotEmpty();
    assertThat(row.met()).as(row.figure()).isIn("yes", "NO");
  }
}
