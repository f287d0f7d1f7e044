package dev.brokerops.perf;

import dev.brokerops.bench.AuditLog;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * N BrokerUpgrades of the step-free broker, in as many namespaces, upgrading at once: how long
 * until all are Ready, how many failed, and what the leading operator's JVM and process held
 * meanwhile (its {@code /metrics} heap, its resident set sampled every 250 ms).
 */
final class ConcurrentUpgrades {

  static final String SCENARIO = "concurrent upgrades";
  private static final Logger LOG = LoggerFactory.getLogger(ConcurrentUpgrades.class);
  private static final Pattern VM_RSS = Pattern.compile("^VmRSS:\\s+(\\d+) kB", Pattern.MULTILINE);
  private static final Pattern THREADS = Pattern.compile("^Threads:\\s+(\\d+)", Pattern.MULTILINE);

  private final Harness harness;

  ConcurrentUpgrades(Harness harness) {
    this.harness = harness;
  }

  /** {@code count} fresh namespaces at 1.0.0, all upgraded to 1.1.0 at once; returns them. */
  List<String> fresh(int count) {
    List<String> namespaces = harness.stepFreeNamespaces("perf-scale" + count, "1.0.0", count);
    measure(namespaces, "1.1.0", count + " at once", ns -> harness.createUpgrade(ns, "1.1.0"));
    return namespaces;
  }

  /** The same namespaces upgraded again, to {@code version}, at once. */
  void again(List<String> namespaces, String version, String label) {
    measure(namespaces, version, label, ns -> harness.setVersion(ns, version));
  }

  private void measure(
      List<String> namespaces, String version, String label, Consumer<String> startUpgrade) {
    InstalledOperator operator = harness.operator;
    Pod leader = operator.leader();
    Pod standby = operator.standby();
    Map<String, Set<String>> oldPods =
        Map.copyOf(
            harness.parallel(namespaces, ns -> Map.entry(ns, harness.podNames(ns))).stream()
                .collect(
                    java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
    long mark = harness.audit.mark();
    ResultTable table = harness.table;
    Instant start;
    Instant lastReady = null;
    try (RssSampler leaderRss = new RssSampler(operator.memory(leader).pid())) {
      start = Instant.now();
      harness.parallel(
          namespaces,
          ns -> {
            startUpgrade.accept(ns);
            return ns;
          });
      try {
        lastReady =
            harness.ready.awaitReady(
                namespaces, version, Duration.ofMinutes(2).plusSeconds(6L * namespaces.size()));
      } catch (ConditionTimeoutException e) {
        LOG.warn("{}: not every BrokerUpgrade became Ready: {}", label, e.getMessage());
      }
      long notReady = namespaces.stream().filter(ns -> !harness.ready.ready(ns, version)).count();
      long troubled = harness.ready.troubled(namespaces, version);
      InstalledOperator.Memory leaderMemory = operator.memory(leader);
      InstalledOperator.Memory standbyMemory = operator.memory(standby);
      long heap = operator.heapBytes(leader);
      table.info(
          SCENARIO,
          label + ": all Ready after",
          lastReady == null ? Double.NaN : Duration.between(start, lastReady).toMillis() / 1000.0,
          "s",
          "from the first create to the last Ready seen");
      table.add(
          SCENARIO,
          label + ": failures",
          notReady + troubled,
          "upgrades",
          ResultTable.Target.exactly(0, "upgrades"),
          notReady + " not Ready, " + troubled + " seen Failed/Blocked/Degraded");
      table.add(
          SCENARIO,
          label + ": leader RSS, max sampled",
          leaderRss.maxKb() / 1024.0,
          "MB",
          ResultTable.Target.atMost(128, "MB"),
          "VmRSS every 250 ms; VmHWM since start "
              + ResultTable.number(leaderMemory.peakKb() / 1024.0)
              + " MB");
      table.info(
          SCENARIO,
          label + ": leader threads, max sampled",
          leaderRss.maxThreads(),
          "threads",
          "Threads in /proc/PID/status, every 250 ms");
      table.info(
          SCENARIO,
          label + ": leader RSS after, anonymous",
          leaderMemory.anonymousKb() / 1024.0,
          "MB",
          "of "
              + ResultTable.number(leaderMemory.rssKb() / 1024.0)
              + " MB; the rest, "
              + ResultTable.number(leaderMemory.fileKb() / 1024.0)
              + " MB, is mapped files (class-data archive, JDK libraries)");
      table.info(SCENARIO, label + ": leader heap used after", heap / 1048576.0, "MB", "/metrics");
      table.info(SCENARIO, label + ": standby RSS after", standbyMemory.rssKb() / 1024.0, "MB");
    }
    latencyUnderLoad(namespaces, oldPods, mark, label);
  }

  /** The step latency with this many upgrades at once, from the same audit log. */
  private void latencyUnderLoad(
      List<String> namespaces, Map<String, Set<String>> oldPods, long mark, String label) {
    List<AuditLog.Event> events = harness.auditSince(mark);
    Samples latency = new Samples();
    int unread = 0;
    for (String namespace : namespaces) {
      try {
        UpgradeTimeline.of(
                events,
                namespace,
                InstalledOperator.IDENTITY,
                StepFreeBroker.DEPLOYMENT,
                oldPods.get(namespace))
            .reactions()
            .forEach(r -> latency.addMillis(r.latency()));
      } catch (IllegalStateException e) {
        unread++;
      }
    }
    harness.table.info(
        SCENARIO,
        label + ": step latency p99",
        latency.p99(),
        "ms",
        latency.count() + " steps" + (unread == 0 ? "" : ", " + unread + " upgrades unread"));
  }

  /**
   * Samples a process's resident set every 250 ms and keeps the largest, and its number of threads
   * (each a stack and the JVM's own memory for it).
   */
  static final class RssSampler implements AutoCloseable {

    private final Path status;
    private final AtomicLong max = new AtomicLong();
    private final AtomicLong maxThreads = new AtomicLong();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    RssSampler(long pid) {
      this.status = Path.of("/proc", String.valueOf(pid), "status");
      sample();
      timer.scheduleAtFixedRate(this::sample, 250, 250, TimeUnit.MILLISECONDS);
    }

    private void sample() {
      try {
        String text = Files.readString(status);
        Matcher m = VM_RSS.matcher(text);
        if (m.find()) {
          max.accumulateAndGet(Long.parseLong(m.group(1)), Math::max);
        }
        Matcher threads = THREADS.matcher(text);
        if (threads.find()) {
          maxThreads.accumulateAndGet(Long.parseLong(threads.group(1)), Math::max);
        }
      } catch (IOException e) {
        // the process is gone: the figure stays what it was
      }
    }

    long maxKb() {
      sample();
      return max.get();
    }

    long maxThreads() {
      return maxThreads.get();
    }

    @Override
    public void close() {
      timer.shutdownNow();
    }
  }
}
