package dev.brokerops.e2e;

import dev.brokerops.bench.Bench;
import dev.brokerops.bench.Kubectl;
import dev.brokerops.referencebroker.WriterCounters;
import dev.brokerops.upgrade.api.BrokerUpgrade;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.util.List;
import java.util.Objects;

/**
 * {@code make demo}: the operator's main job on the embedded bench. A 3-replica PactFlow stand-in
 * at 1.0.0 keeps writing while a BrokerUpgrade takes it to 2.1.0 through 1.2.0 (the newest 1.x),
 * then the figures that matter are printed: failed writes, lost rows, unmigrated rows.
 */
public final class DemoMain {

  private DemoMain() {}

  public static void main(String[] args) throws Exception {
    long start = System.nanoTime();
    Bench bench = Bench.full();
    Bench.ensureStarted(true);
    String namespace = bench.createNamespace("demo");
    say(
        "bench up; deploying PactFlow stand-in 1.0.0, 3 replicas writing 10 rows/s each, in namespace "
            + namespace);
    BrokerFixture broker = BrokerFixture.deploy(bench, namespace, "1.0.0", 3);
    Kubectl kubectl = new Kubectl(bench.kubeconfig());
    try (OperatorProcess operator = OperatorProcess.start(bench)) {
      say("operator started (log: " + operator.log() + "); applying:");
      String upgrade =
          BrokerUpgrades.manifest(
              namespace,
              "2.1.0",
              "versionPolicy:\n  availableVersions: " + BrokerUpgrades.ALL_VERSIONS + "\n");
      System.out.println(upgrade.indent(4));
      var upgrades =
          bench.client().resources(BrokerUpgrade.class).inNamespace(namespace).withName("pactflow");
      ProgressPrinter progress = new ProgressPrinter();
      var watch = upgrades.watch(progress);
      long upgradeStart = System.nanoTime();
      check(kubectl.runWithInput(upgrade, "apply", "-f", "-"));
      check(
          kubectl.run(
              "wait", "--for=condition=Ready", "bu/pactflow", "-n", namespace, "--timeout=600s"));
      long upgradeMillis = (System.nanoTime() - upgradeStart) / 1_000_000;
      // the watch may not have delivered the last change yet when kubectl wait returns
      progress.eventReceived(Watcher.Action.MODIFIED, upgrades.get());
      watch.close();
      System.out.println();
      System.out.println(kubectl.run("get", "bu", "-n", namespace).output());
      System.out.println(kubectl.run("get", "jobs", "-n", namespace).output());

      List<WriterCounters> writers = broker.stopWriters();
      long acknowledged = writers.stream().mapToLong(WriterCounters::acknowledged).sum();
      long errors = writers.stream().mapToLong(WriterCounters::errors).sum();
      say(
          "upgrade 1.0.0 -> 2.1.0 took "
              + upgradeMillis
              + " ms (whole demo "
              + (System.nanoTime() - start) / 1_000_000
              + " ms)");
      say(
          writers.size()
              + " writers, "
              + acknowledged
              + " acknowledged writes, "
              + errors
              + " failed writes, "
              + broker.inspector().lostRows(writers)
              + " lost rows, "
              + broker.inspector().unmigratedRows()
              + " unmigrated rows");
    }
    System.exit(0);
  }

  private static void check(Kubectl.Result result) {
    System.out.print(result.output().indent(4));
    if (!result.succeeded()) {
      throw new IllegalStateException("kubectl failed");
    }
  }

  private static void say(String line) {
    System.out.println("demo: " + line);
  }

  /** Prints the BrokerUpgrade's phase and step each time they change. */
  private static final class ProgressPrinter implements Watcher<BrokerUpgrade> {
    private String last = "";

    @Override
    public synchronized void eventReceived(Action action, BrokerUpgrade upgrade) {
      var status = upgrade.getStatus();
      if (status == null || status.getPhase() == null) {
        return;
      }
      String hop =
          status.getRun() == null
              ? ""
              : " run "
                  + status.getRun().getFrom()
                  + " -> "
                  + status.getRun().getTo()
                  + " plan "
                  + status.getRun().getPlan();
      String line =
          "phase "
              + status.getPhase()
              + (status.getStep() == null || status.getStep().isEmpty()
                  ? ""
                  : ", step " + status.getStep())
              + hop
              + ", running "
              + status.getCurrentVersion();
      if (!Objects.equals(line, last)) {
        last = line;
        say(line);
      }
    }

    @Override
    public void onClose(WatcherException cause) {}
  }
}
