package dev.brokerops.perf;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The operator's start-up: once the bench has settled, a new standby replaces the old one (its pod
 * removed at once, the ReplicaSet starts another), and its log says how long after its JVM started
 * the informers were synced (the line {@code OperatorMain} writes once {@code operator.start()}
 * returned). Each figure is the median of several such starts ({@code Parameters.startUps}, 5), one
 * after the other. Beside it, where the time went in that start: process start to JOSDK's first
 * line, from there to the caches synced; the CPU time and classes loaded by then; and how busy the
 * machine was just before.
 *
 * <p>The bench's API server, controllers and nodes share the operator's 2 cores. Timed straight
 * after a scenario, a start shared them with that scenario's tail (controllers tidying up after 100
 * upgrades, the scheduler trying 5,000 new pods) and with the shutdown of the standby it replaced.
 * So the start waits until the machine is at most {@value #SETTLED_BUSY_PERCENT}% busy over a
 * second (for at most {@code Parameters.settle}, 90 s; the smoke run does not wait), and the old
 * standby is removed with no grace period; the table says how busy the machine was just before and
 * how long the start waited.
 */
final class StartUp {

  static final String SCENARIO = "start-up";
  private static final Pattern JOSDK_STARTING = Pattern.compile("Operator SDK .* starting");
  private static final Pattern SYNCED = Pattern.compile("informers synced \\d+ ms");
  private static final Pattern COLLECTIONS =
      Pattern.compile("garbage collection by then: (.*)$", Pattern.MULTILINE);
  private static final Pattern COLLECTOR = Pattern.compile("(\\w+) (\\d+) \\((\\d+) ms\\)");

  static final int SETTLED_BUSY_PERCENT = 10;

  private StartUp() {}

  /** One start: its figure, where the time went, and what it had done by then. */
  private record Sample(
      long millis,
      Long toJvm,
      Long toJosdk,
      Long toSynced,
      MachineLoad.Settled before,
      long cpu,
      List<String[]> collectors,
      double classes) {}

  /**
   * Times {@code Parameters.startUps} starts, one after the other, and reports the median one
   * against the target, with each start's figure beside it: on these 2 cores the same start took
   * from 1.3 to 2.2 s from one run to the next, with the JVM's own start (before any informer)
   * between 0.34 and 0.66 s, so one start is a sample of the machine as much as of the operator.
   */
  static void measure(Harness harness, String label) {
    int count = Math.max(1, harness.parameters.startUps());
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      samples.add(sample(harness));
    }
    List<Sample> sorted =
        samples.stream().sorted(Comparator.comparingLong(Sample::millis)).toList();
    Sample median = sorted.get(sorted.size() / 2);
    ResultTable table = harness.table;
    table.add(
        SCENARIO,
        label + (count > 1 ? ", median of " + count : ""),
        median.millis(),
        "ms",
        ResultTable.Target.atMost(2000, "ms"),
        "JVM start to informers synced, from the new pod's log"
            + (count > 1
                ? "; each start: "
                    + samples.stream()
                        .map(sample -> String.valueOf(sample.millis()))
                        .collect(Collectors.joining(" "))
                    + " ms"
                : ""));
    if (count > 1) {
      table.info(
          SCENARIO,
          label + ": slowest of " + count,
          sorted.get(sorted.size() - 1).millis(),
          "ms",
          "fastest " + sorted.get(0).millis() + " ms");
    }
    String of = count > 1 ? " (the median start)" : "";
    if (median.toJvm() != null) {
      table.info(
          SCENARIO,
          label + ": container process start to JVM start" + of,
          median.toJvm(),
          "ms",
          "the bench's container set-up and the image's launcher, not in the figure");
      table.info(
          SCENARIO,
          label + ": JVM start to JOSDK starting" + of,
          median.toJosdk(),
          "ms",
          "JVM boot, main(), the client and registry built");
      table.info(
          SCENARIO,
          label + ": JOSDK starting to informers synced" + of,
          median.toSynced(),
          "ms",
          "every informer's first list");
    }
    table.info(
        SCENARIO,
        label + ": machine busy just before" + of,
        Math.round(median.before().busy() * 1000) / 10.0,
        "%",
        "all cores, the last 1 s of "
            + median.before().waited().toSeconds()
            + " s waited for at most "
            + SETTLED_BUSY_PERCENT
            + "%"
            + (median.before().settled() ? "" : "; did not settle, timed anyway"));
    table.info(
        SCENARIO,
        label + ": CPU time used by then" + of,
        median.cpu(),
        "ms",
        "user + system, read just after; " + Runtime.getRuntime().availableProcessors() + " cores");
    for (String[] collector : median.collectors()) {
      table.info(
          SCENARIO,
          label + ": " + collector[0] + " pauses by then" + of,
          Long.parseLong(collector[2]),
          "ms",
          collector[1]
              + " collections (Copy: the young generation; MarkSweepCompact: the whole heap)");
    }
    table.info(SCENARIO, label + ": classes loaded" + of, median.classes(), "classes");
  }

  /** Once the machine has settled, a new standby's start, read before the next replaces it. */
  private static Sample sample(Harness harness) {
    InstalledOperator operator = harness.operator;
    MachineLoad.Settled before =
        MachineLoad.awaitSettled(SETTLED_BUSY_PERCENT / 100.0, harness.parameters.settle());
    Pod fresh = operator.replaceStandby();
    long millis = operator.startupMillis(fresh);
    long cpu = operator.cpuMillis(fresh);
    Instant process = operator.processStart(fresh);
    // read once, now that the start-up line is in it: every line below was written by then
    String log = operator.log(fresh);
    Instant josdk =
        InstalledOperator.firstLine(log, JOSDK_STARTING)
            .map(InstalledOperator::loggedAt)
            .orElse(null);
    Instant synced =
        InstalledOperator.firstLine(log, SYNCED).map(InstalledOperator::loggedAt).orElse(null);
    Long toJvm = null;
    Long toJosdk = null;
    Long toSynced = null;
    if (josdk != null && synced != null) {
      Instant jvm = synced.minusMillis(millis);
      toJvm = Duration.between(process, jvm).toMillis();
      toJosdk = Duration.between(jvm, josdk).toMillis();
      toSynced = Duration.between(josdk, synced).toMillis();
    }
    List<String[]> collectors = new ArrayList<>();
    InstalledOperator.firstLine(log, COLLECTIONS)
        .map(COLLECTIONS::matcher)
        .filter(Matcher::find)
        .ifPresent(
            line -> {
              Matcher collector = COLLECTOR.matcher(line.group(1));
              while (collector.find()) {
                collectors.add(
                    new String[] {collector.group(1), collector.group(2), collector.group(3)});
              }
            });
    return new Sample(
        millis,
        toJvm,
        toJosdk,
        toSynced,
        before,
        cpu,
        collectors,
        operator.metric(fresh, "jvm_classes_loaded_classes"));
  }
}
