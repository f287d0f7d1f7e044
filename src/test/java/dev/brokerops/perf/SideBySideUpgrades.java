package dev.brokerops.perf;

import dev.brokerops.bench.AuditLog;
import dev.brokerops.bench.Kubectl;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Single-hop upgrades of the step-free broker (1.0.0 to 1.1.0), one at a time, taking turns: the
 * operator (a BrokerUpgrade created, until a watch sees it Ready) and the kubectl script (started,
 * until it exits), each in a fresh namespace; then the operator's BrokerUpgrade bumped once more
 * (1.1.0 to 1.2.0), as GitOps upgrades. From the audit log of each: how fast the upgrader acts once
 * a step ends (step latency), how much of the run was not Kubernetes working (overhead), and what
 * it asked of the API server (API cost).
 */
final class SideBySideUpgrades {

  private static final Logger LOG = LoggerFactory.getLogger(SideBySideUpgrades.class);
  static final String STEP_LATENCY = "step latency";
  static final String OVERHEAD = "overhead per upgrade";
  static final String API_COST = "API cost per upgrade";
  static final List<String> STEPS =
      List.of("RecordDatabaseVersion", "SchemaMigration", UpgradeTimeline.ROLLOUT, "DataMigration");
  static final String FROM = "1.0.0";
  static final String TO = "1.1.0";
  static final String BUMPED = "1.2.0";
  static final String NEW_UPGRADE = "new BrokerUpgrade";
  static final String VERSION_BUMP = "version bump";

  /** One upgrade's figures. */
  record Run(
      Duration duration,
      Duration work,
      Map<String, Duration> gaps,
      List<UpgradeTimeline.Reaction> reactions,
      Map<String, Long> requests,
      boolean oldPodsOutlastedTheStatus,
      Map<String, Long> eventReasons) {

    Duration overhead() {
      return duration.minus(work);
    }

    long writes() {
      return count(AuditLog.WRITES);
    }

    long reads() {
      return count(Set.of("get", "list"));
    }

    private long count(Set<String> verbs) {
      return requests.entrySet().stream()
          .filter(e -> verbs.contains(e.getKey().substring(0, e.getKey().indexOf(' '))))
          .mapToLong(Map.Entry::getValue)
          .sum();
    }
  }

  private final Harness harness;

  SideBySideUpgrades(Harness harness) {
    this.harness = harness;
  }

  void run(int upgrades) {
    List<Run> operatorRuns = new java.util.ArrayList<>();
    List<Run> bumpRuns = new java.util.ArrayList<>();
    List<Run> scriptRuns = new java.util.ArrayList<>();
    for (int i = 0; i < upgrades; i++) {
      // a new BrokerUpgrade, FROM to TO: what a first upgrade costs, JOSDK's finalizer included;
      // then its spec.version bumped, TO to BUMPED: what every later upgrade costs, as GitOps
      // makes them
      String namespace = harness.stepFreeNamespace("perf-op", FROM);
      harness.awaitRolledOut(List.of(namespace));
      operatorRuns.add(byOperator(namespace, TO, () -> harness.createUpgrade(namespace, TO)));
      bumpRuns.add(byOperator(namespace, BUMPED, () -> harness.setVersion(namespace, BUMPED)));
      scriptRuns.add(byScript(i));
      LOG.info(
          "upgrade {}/{}: operator {} ms (overhead {} ms), kubectl script {} ms (overhead {} ms)",
          i + 1,
          upgrades,
          operatorRuns.get(i).duration().toMillis(),
          operatorRuns.get(i).overhead().toMillis(),
          scriptRuns.get(i).duration().toMillis(),
          scriptRuns.get(i).overhead().toMillis());
    }
    report(operatorRuns, scriptRuns);
    apiCost(
        bumpRuns,
        VERSION_BUMP,
        "the same BrokerUpgrade's spec.version " + TO + " -> " + BUMPED + ", as GitOps upgrades");
  }

  /**
   * One upgrade by the operator to {@code version}, from {@code ask} (a BrokerUpgrade created, or
   * its {@code spec.version} bumped) until a watch sees it Ready.
   */
  private Run byOperator(String namespace, String version, Runnable ask) {
    Set<String> oldPods = harness.podNames(namespace);
    long mark = harness.audit.mark();
    Instant start = Instant.now();
    ask.run();
    Instant ready = harness.ready.awaitReady(List.of(namespace), version, Duration.ofMinutes(3));
    return measure(namespace, InstalledOperator.IDENTITY, oldPods, mark, start, ready);
  }

  private Run byScript(int i) {
    String namespace = harness.stepFreeNamespace("perf-kubectl", FROM);
    harness.awaitRolledOut(List.of(namespace));
    Set<String> oldPods = harness.podNames(namespace);
    long mark = harness.audit.mark();
    Instant start = Instant.now();
    Kubectl.Result result =
        harness.script.upgrade(
            namespace,
            StepFreeBroker.DEPLOYMENT,
            StepFreeBroker.CONTAINER,
            StepFreeBroker.APP_LABEL,
            StepFreeBroker.image(FROM),
            StepFreeBroker.image(TO),
            "r" + (i + 1));
    Instant end = Instant.now();
    if (result.exitCode() != 0) {
      throw new IllegalStateException(
          "the kubectl script failed (" + result.exitCode() + "):\n" + result.output());
    }
    return measure(namespace, KubectlScript.IDENTITY, oldPods, mark, start, end);
  }

  private Run measure(
      String namespace, String actor, Set<String> oldPods, long mark, Instant start, Instant end) {
    // what the upgrader writes just after (events after its last status write) belongs to the run
    List<AuditLog.Event> events = harness.auditOnceQuiet(mark, namespace, actor);
    UpgradeTimeline timeline =
        UpgradeTimeline.of(events, namespace, actor, StepFreeBroker.DEPLOYMENT, oldPods);
    if (timeline.jobs().size() != 3) {
      throw new IllegalStateException(
          actor + " in " + namespace + ": expected 3 completed Jobs, found " + timeline.jobs());
    }
    return new Run(
        Duration.between(start, end),
        timeline.work(),
        timeline.gaps(start, end),
        timeline.reactions(),
        timeline.requests(start, Instant.MAX),
        timeline.oldPodsOutlastedTheStatus(),
        eventReasons(namespace));
  }

  /** The Events the run left about its BrokerUpgrade, by reason. */
  private Map<String, Long> eventReasons(String namespace) {
    return harness.bench.client().v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> "BrokerUpgrade".equals(e.getInvolvedObject().getKind()))
        .collect(
            java.util.stream.Collectors.groupingBy(
                e -> e.getReason(), TreeMap::new, java.util.stream.Collectors.counting()));
  }

  /** Where the overhead went: each gap's median (the medians need not add up to the overhead's). */
  private void gaps(String who, List<Run> runs) {
    Map<String, Samples> byGap = new LinkedHashMap<>();
    runs.forEach(
        run ->
            run.gaps()
                .forEach((gap, d) -> byGap.computeIfAbsent(gap, g -> new Samples()).addMillis(d)));
    byGap.forEach(
        (gap, samples) ->
            harness.table.info(OVERHEAD, who + ": " + gap + " p50", samples.p50(), "ms"));
  }

  /**
   * What the operator asked of the API server in these runs: write and get/list requests against
   * their targets, then every verb and resource.
   */
  private void apiCost(List<Run> runs, String which, String note) {
    Samples writes = new Samples();
    Samples reads = new Samples();
    Map<String, Samples> byKind = new TreeMap<>();
    runs.forEach(run -> run.requests().keySet().forEach(k -> byKind.put(k, new Samples())));
    for (Run run : runs) {
      writes.add(run.writes());
      reads.add(run.reads());
      byKind.forEach((kind, samples) -> samples.add(run.requests().getOrDefault(kind, 0L)));
    }
    ResultTable table = harness.table;
    table.add(
        API_COST,
        "operator: write requests, " + which,
        writes.mean(),
        "requests",
        ResultTable.Target.atMost(12, "requests"),
        "mean of " + writes.count() + "; max " + ResultTable.number(writes.max()) + "; " + note);
    table.add(
        API_COST,
        "operator: get/list requests, " + which,
        reads.mean(),
        "requests",
        ResultTable.Target.exactly(0, "requests"),
        "a polling read would show here");
    String reasons = runs.get(0).eventReasons().toString();
    byKind.forEach(
        (kind, samples) ->
            table.info(
                API_COST,
                "operator, " + which + ": " + kind,
                samples.mean(),
                "requests",
                kind.equals("create events") ? "Events by reason: " + reasons : ""));
  }

  private void report(List<Run> operatorRuns, List<Run> scriptRuns) {
    ResultTable table = harness.table;
    Map<String, Samples> byStep = new LinkedHashMap<>();
    STEPS.forEach(step -> byStep.put(step, new Samples()));
    Samples all = new Samples();
    for (Run run : operatorRuns) {
      for (UpgradeTimeline.Reaction reaction : run.reactions()) {
        byStep.computeIfAbsent(reaction.step(), s -> new Samples()).addMillis(reaction.latency());
        all.addMillis(reaction.latency());
      }
    }
    for (var entry : byStep.entrySet()) {
      Samples samples = entry.getValue();
      String step = entry.getKey();
      table.info(STEP_LATENCY, step + " p50", samples.p50(), "ms", samples.count() + " samples");
      table.add(
          STEP_LATENCY, step + " p99", samples.p99(), "ms", ResultTable.Target.atMost(100, "ms"));
      table.info(STEP_LATENCY, step + " max", samples.max(), "ms");
    }
    table.add(STEP_LATENCY, "all steps p99", all.p99(), "ms", ResultTable.Target.atMost(100, "ms"));
    Samples script = new Samples();
    scriptRuns.forEach(run -> run.reactions().forEach(r -> script.addMillis(r.latency())));
    table.info(STEP_LATENCY, "kubectl script, all steps p50", script.p50(), "ms", "for comparison");
    long outlasted = operatorRuns.stream().filter(Run::oldPodsOutlastedTheStatus).count();
    table.info(
        STEP_LATENCY,
        "rollouts ended by the last old pod's delete",
        outlasted,
        "of " + operatorRuns.size(),
        "else by the Deployment's status");

    Samples operatorOverhead = Samples.ofMillis(operatorRuns.stream().map(Run::overhead).toList());
    Samples scriptOverhead = Samples.ofMillis(scriptRuns.stream().map(Run::overhead).toList());
    table.info(
        OVERHEAD,
        "operator: run p50 (apply to Ready seen)",
        Samples.ofMillis(operatorRuns.stream().map(Run::duration).toList()).p50(),
        "ms");
    table.info(
        OVERHEAD,
        "operator: Jobs' pods + rollout p50",
        Samples.ofMillis(operatorRuns.stream().map(Run::work).toList()).p50(),
        "ms");
    table.add(
        OVERHEAD,
        "operator: overhead p50",
        operatorOverhead.p50(),
        "ms",
        ResultTable.Target.atMost(500, "ms"));
    table.info(OVERHEAD, "operator: overhead max", operatorOverhead.max(), "ms");
    gaps("operator", operatorRuns);
    table.info(
        OVERHEAD,
        "kubectl script: run p50 (start to exit)",
        Samples.ofMillis(scriptRuns.stream().map(Run::duration).toList()).p50(),
        "ms");
    table.info(
        OVERHEAD,
        "kubectl script: Jobs' pods + rollout p50",
        Samples.ofMillis(scriptRuns.stream().map(Run::work).toList()).p50(),
        "ms");
    table.info(OVERHEAD, "kubectl script: overhead p50", scriptOverhead.p50(), "ms");
    gaps("kubectl script", scriptRuns);
    table.add(
        OVERHEAD,
        "operator / kubectl script overhead",
        operatorOverhead.p50() / scriptOverhead.p50(),
        "ratio",
        ResultTable.Target.below(1, ""),
        "p50 over p50, same run, taking turns");

    apiCost(operatorRuns, NEW_UPGRADE, "with JOSDK's finalizer patch, once per BrokerUpgrade");
    Samples scriptWrites = new Samples();
    Samples scriptReads = new Samples();
    scriptRuns.forEach(
        run -> {
          scriptWrites.add(run.writes());
          scriptReads.add(run.reads());
        });
    table.info(API_COST, "kubectl script: write requests", scriptWrites.mean(), "requests");
    table.info(API_COST, "kubectl script: get/list requests", scriptReads.mean(), "requests");
  }
}
