package dev.brokerops.perf;

import static org.awaitility.Awaitility.await;

import dev.brokerops.bench.Bench;
import dev.brokerops.bench.InformerHandlers;
import dev.brokerops.upgrade.api.BrokerUpgrade;
import dev.brokerops.upgrade.api.BrokerUpgradeStatus;
import dev.brokerops.upgrade.api.Phase;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each BrokerUpgrade became Ready for its current spec, as a client watching it sees: the
 * {@code Ready} condition true for this generation, at {@code spec.version}. Also remembers every
 * BrokerUpgrade that was ever seen {@code Failed}, {@code Blocked} or {@code Degraded}.
 */
final class ReadyWatch implements AutoCloseable {

  private final SharedIndexInformer<BrokerUpgrade> informer;
  private final Map<String, Instant> readyAt = new ConcurrentHashMap<>();
  private final Set<String> troubled = ConcurrentHashMap.newKeySet();

  ReadyWatch(Bench bench) {
    informer =
        bench
            .client()
            .resources(BrokerUpgrade.class)
            .inAnyNamespace()
            .inform(InformerHandlers.everyState(this::seen), 0);
  }

  private void seen(BrokerUpgrade upgrade) {
    Instant now = Instant.now();
    BrokerUpgradeStatus status = upgrade.getStatus();
    if (status == null) {
      return;
    }
    String key = key(upgrade.getMetadata().getNamespace(), upgrade.getSpec().getVersion());
    if (status.getPhase() == Phase.Failed
        || status.getPhase() == Phase.Blocked
        || conditionTrue(status, "Degraded")) {
      troubled.add(key);
    }
    if (Objects.equals(status.getObservedGeneration(), upgrade.getMetadata().getGeneration())
        && Objects.equals(status.getCurrentVersion(), upgrade.getSpec().getVersion())
        && conditionTrue(status, "Ready")) {
      readyAt.putIfAbsent(key, now);
    }
  }

  private static boolean conditionTrue(BrokerUpgradeStatus status, String type) {
    return status.getConditions() != null
        && status.getConditions().stream()
            .anyMatch(c -> c.getType().equals(type) && "True".equals(c.getStatus()));
  }

  /** The key of the BrokerUpgrade in {@code namespace} asked for {@code version}. */
  static String key(String namespace, String version) {
    return namespace + "@" + version;
  }

  /** Waits until every one of them is Ready at {@code version}; returns when the last became so. */
  Instant awaitReady(Collection<String> namespaces, String version, Duration atMost) {
    await(namespaces.size() + " BrokerUpgrades Ready at " + version)
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> namespaces.stream().allMatch(ns -> readyAt.containsKey(key(ns, version))));
    return namespaces.stream()
        .map(ns -> readyAt.get(key(ns, version)))
        .max(Instant::compareTo)
        .orElseThrow();
  }

  boolean ready(String namespace, String version) {
    return readyAt.containsKey(key(namespace, version));
  }

  /** How many of them were ever seen Failed, Blocked or Degraded on the way to {@code version}. */
  long troubled(Collection<String> namespaces, String version) {
    return namespaces.stream().filter(ns -> troubled.contains(key(ns, version))).count();
  }

  @Override
  public void close() {
    informer.close();
  }
}
