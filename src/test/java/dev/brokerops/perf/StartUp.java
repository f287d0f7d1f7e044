package dev.brokerops.perf;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operator's start-up: once the bench has settled, a new standby replaces the old one (its pod
 * removed at once, the ReplicaSet starts another), and its log says how long after its JVM started
 * the informers were synced (the line {@code OperatorMain} writes once {@code operator.start()}
 * returned). Beside it, where the time went: process start to JOSDK's first line, from there to the
 * caches synced; the CPU time and classes loaded by then; and how busy the machine was just before.
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

  static void measure(Harness harness, String label) {
    InstalledOperator operator = harness.operator;
    MachineLoad.Settled before =
        MachineLoad.awaitSettled(SETTLED_BUSY_PERCENT / 100.0, harness.parameters.settle());
    Pod fresh = operator.replaceStandby();
    long millis = operator.startupMillis(fresh);
    long cpu = operator.cpuMillis(fresh);
    ResultTable table = harness.table;
    table.add(
        SCENARIO,
        label,
        millis,
        "ms",
        ResultTable.Target.atMost(2000, "ms"),
        "JVM start to informers synced, from the new pod's log");
    Instant process = operator.processStart(fresh);
    Instant josdk = operator.loggedAt(fresh, JOSDK_STARTING).orElse(null);
    Instant synced = operator.loggedAt(fresh, SYNCED).orElse(null);
    if (josdk != null && synced != null) {
      Instant jvm = synced.minusMillis(millis);
      table.info(
          SCENARIO,
          label + ": container process start to JVM start",
          Duration.between(process, jvm).toMillis(),
          "ms",
          "the bench's container set-up and the image's launcher, not in the figure");
      table.info(
          SCENARIO,
          label + ": JVM start to JOSDK starting",
          Duration.between(jvm, josdk).toMillis(),
          "ms",
          "JVM boot, main(), the client and registry built");
      table.info(
          SCENARIO,
          label + ": JOSDK starting to informers synced",
          Duration.between(josdk, synced).toMillis(),
          "ms",
          "every informer's first list");
    }
    table.info(
        SCENARIO,
        label + ": machine busy just before",
        Math.round(before.busy() * 1000) / 10.0,
        "%",
        "all cores, the last 1 s of "
            + before.waited().toSeconds()
            + " s waited for at most "
            + SETTLED_BUSY_PERCENT
            + "%"
            + (before.settled() ? "" : "; did not settle, timed anyway"));
    table.info(
        SCENARIO,
        label + ": CPU time used by then",
        cpu,
        "ms",
        "user + system, read just after; " + Runtime.getRuntime().availableProcessors() + " cores");
    operator
        .loggedLine(fresh, COLLECTIONS)
        .map(COLLECTIONS::matcher)
        .filter(Matcher::find)
        .ifPresent(
            line -> {
              Matcher collector = COLLECTOR.matcher(line.group(1));
              while (collector.find()) {
                table.info(
                    SCENARIO,
                    label + ": " + collector.group(1) + " pauses by then",
                    Long.parseLong(collector.group(3)),
                    "ms",
                    collector.group(2)
                        + " collections (Copy: the young generation; MarkSweepCompact: the whole"
                        + " heap)");
              }
            });
    table.info(
        SCENARIO,
        label + ": classes loaded",
        operator.metric(fresh, "jvm_classes_loaded_classes"),
        "classes");
  }
}
