package dev.brokerops.perf;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * The operator's start-up: a new standby replaces the old one (its pod deleted, the ReplicaSet
 * starts another), and its log says how long after its JVM started the informers were synced (the
 * line {@code OperatorMain} writes once {@code operator.start()} returned). Beside it, where the
 * time went: process start to JOSDK's first line, from there to the caches synced; and the CPU time
 * and classes loaded by then.
 */
final class StartUp {

  static final String SCENARIO = "start-up";
  private static final Pattern JOSDK_STARTING = Pattern.compile("Operator SDK .* starting");
  private static final Pattern SYNCED = Pattern.compile("informers synced \\d+ ms");

  private StartUp() {}

  static void measure(Harness harness, String label) {
    InstalledOperator operator = harness.operator;
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
        label + ": CPU time used by then",
        cpu,
        "ms",
        "user + system, read just after; " + Runtime.getRuntime().availableProcessors() + " cores");
    table.info(
        SCENARIO,
        label + ": classes loaded",
        operator.metric(fresh, "jvm_classes_loaded_classes"),
        "classes");
  }
}
