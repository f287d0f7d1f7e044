package dev.brokerops.perf;

import static org.awaitility.Awaitility.await;

import dev.brokerops.bench.AuditLog;
import dev.brokerops.bench.Bench;
import dev.brokerops.e2e.BrokerUpgrades;
import dev.brokerops.upgrade.api.BrokerUpgrade;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What the scenarios share: the bench, the installed operator, the kubectl script, the audit log,
 * the watch on BrokerUpgrades, the table, and the namespaces made on the way (removed at the end).
 */
final class Harness implements AutoCloseable {

  final Bench bench;
  final CostBenchmark.Parameters parameters;
  final ResultTable table;
  final AuditLog audit;
  final InstalledOperator operator;
  final KubectlScript script;
  final ReadyWatch ready;
  private final List<String> namespaces = Collections.synchronizedList(new ArrayList<>());
  private final ExecutorService pool = Executors.newFixedThreadPool(8);
  private boolean keep;

  Harness(Bench bench, CostBenchmark.Parameters parameters, ResultTable table, Path workDir) {
    this.bench = bench;
    this.parameters = parameters;
    this.table = table;
    this.audit = bench.auditLog();
    StepFreeBroker.buildImages(bench.images());
    this.operator = InstalledOperator.install(bench, parameters.extraJvmOptions());
    this.script = KubectlScript.install(bench, workDir);
    this.ready = new ReadyWatch(bench);
  }

  /** A fresh namespace with the step-free broker at {@code tag}, not yet waited for. */
  String stepFreeNamespace(String prefix, String tag) {
    String namespace = bench.createNamespace(prefix);
    namespaces.add(namespace);
    StepFreeBroker.deploy(bench, namespace, tag);
    return namespace;
  }

  /** {@code count} such namespaces, made in parallel; returns once each is rolled out. */
  List<String> stepFreeNamespaces(String prefix, String tag, int count) {
    List<String> made =
        parallel(
            java.util.stream.IntStream.range(0, count).boxed().toList(),
            i -> stepFreeNamespace(prefix, tag));
    awaitRolledOut(made);
    return made;
  }

  /** Remembers a namespace made elsewhere, to remove it at the end. */
  void ownNamespace(String namespace) {
    namespaces.add(namespace);
  }

  void awaitRolledOut(Collection<String> namespaces) {
    await(namespaces.size() + " step-free brokers rolled out")
        .atMost(Duration.ofMinutes(10))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> namespaces.stream().allMatch(ns -> StepFreeBroker.rolledOut(bench, ns)));
  }

  /** The Deployment's pods now: the old ones, once an upgrade starts. */
  Set<String> podNames(String namespace) {
    return bench
        .client()
        .pods()
        .inNamespace(namespace)
        .withLabel("app", StepFreeBroker.DEPLOYMENT)
        .list()
        .getItems()
        .stream()
        .map(p -> p.getMetadata().getName())
        .collect(Collectors.toSet());
  }

  /** Creates the BrokerUpgrade a platform team commits: this Deployment, this version. */
  void createUpgrade(String namespace, String version) {
    String manifest = BrokerUpgrades.manifest(namespace, version, "");
    bench
        .client()
        .resources(BrokerUpgrade.class)
        .inNamespace(namespace)
        .load(new ByteArrayInputStream(manifest.getBytes(StandardCharsets.UTF_8)))
        .create();
  }

  /** Bumps {@code spec.version} of the namespace's BrokerUpgrade. */
  void setVersion(String namespace, String version) {
    bench
        .client()
        .resources(BrokerUpgrade.class)
        .inNamespace(namespace)
        .withName(BrokerUpgrades.NAME)
        .edit(
            upgrade -> {
              upgrade.getSpec().setVersion(version);
              return upgrade;
            });
  }

  /**
   * Every audit record from {@code mark} on, once the log holds every request completed before this
   * call: a request of our own, made now, must be in it.
   */
  List<AuditLog.Event> auditSince(long mark) {
    Instant asked = Instant.now();
    bench.client().namespaces().withName("default").get();
    return await("the audit log up to now")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> audit.readFrom(mark),
            events ->
                events.stream()
                    .anyMatch(
                        e ->
                            e.verb().equals("get")
                                && e.resource().equals("namespaces")
                                && e.name().equals("default")
                                && !e.received().isBefore(asked.minusMillis(1))));
  }

  /**
   * As {@link #auditSince}, once {@code actor} has written nothing in {@code namespace} for a
   * second.
   */
  List<AuditLog.Event> auditOnceQuiet(long mark, String namespace, String actor) {
    return await(actor + " quiet in " + namespace)
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> auditSince(mark),
            events ->
                events.stream()
                    .filter(e -> e.namespace().equals(namespace) && e.user().equals(actor))
                    .filter(AuditLog.Event::isWrite)
                    .map(AuditLog.Event::completed)
                    .max(Instant::compareTo)
                    .map(last -> last.isBefore(Instant.now().minusSeconds(1)))
                    .orElse(false));
  }

  /** Runs {@code work} on every item with a few threads at once; returns the results in order. */
  <T, R> List<R> parallel(List<T> items, Function<T, R> work) {
    List<Future<R>> futures = items.stream().map(i -> pool.submit(() -> work.apply(i))).toList();
    List<R> results = new ArrayList<>();
    for (Future<R> future : futures) {
      try {
        results.add(future.get());
      } catch (ExecutionException e) {
        throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    return results;
  }

  /** Leaves the namespaces and the operator in place at {@link #close()}. */
  void keepEverything() {
    keep = true;
  }

  /**
   * Deletes the namespaces made on the way and, once the operator has let their BrokerUpgrades go
   * (it holds a finalizer on each), its Deployment.
   */
  @Override
  public void close() {
    ready.close();
    if (keep) {
      pool.shutdownNow();
      return;
    }
    List<String> made = List.copyOf(namespaces);
    for (String namespace : made) {
      try {
        bench.client().namespaces().withName(namespace).delete();
      } catch (KubernetesClientException e) {
        // already going
      }
    }
    await("the BrokerUpgrades of " + made.size() + " deleted namespaces gone")
        .atMost(Duration.ofMinutes(5))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                bench
                    .client()
                    .resources(BrokerUpgrade.class)
                    .inAnyNamespace()
                    .list()
                    .getItems()
                    .stream()
                    .noneMatch(u -> made.contains(u.getMetadata().getNamespace())));
    operator.uninstall();
    pool.shutdownNow();
  }
}
