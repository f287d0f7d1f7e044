package dev.brokerops.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.brokerops.bench.Bench;
import dev.brokerops.upgrade.api.BrokerUpgrade;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps what the operator really wrote: every distinct state of the BrokerUpgrades in a test's
 * namespace, as the API server returned it, in {@code target/observed-brokerupgrades/<namespace>/}.
 * A state is new when the generation, observedGeneration, phase, step, run, a condition's status or
 * reason, or the deletion mark changed. The Argo CD health check's samples in {@code
 * src/test/resources/argocd/} were picked from these files.
 */
final class ObservedBrokerUpgrades implements Watcher<GenericKubernetesResource> {

  static final Path FOLDER = Path.of("target", "observed-brokerupgrades");

  private static final Logger LOG = LoggerFactory.getLogger(ObservedBrokerUpgrades.class);
  private static final ObjectMapper READER = new ObjectMapper();
  private static final ObjectWriter PRETTY = READER.writerWithDefaultPrettyPrinter();
  private static final Map<String, Watch> WATCHED = new ConcurrentHashMap<>();

  private final Bench bench;
  private final Path folder;
  private final AtomicInteger written = new AtomicInteger();
  private final Map<String, String> lastState = new ConcurrentHashMap<>();

  private ObservedBrokerUpgrades(Bench bench, Path folder) {
    this.bench = bench;
    this.folder = folder;
  }

  /** Starts keeping the BrokerUpgrades of {@code namespace}, once per namespace. */
  static void watch(Bench bench, String namespace) {
    try {
      WATCHED.computeIfAbsent(
          namespace,
          ns ->
              bench
                  .client()
                  .genericKubernetesResources(
                      BrokerUpgrade.GROUP + "/" + BrokerUpgrade.VERSION, "BrokerUpgrade")
                  .inNamespace(ns)
                  .watch(new ObservedBrokerUpgrades(bench, FOLDER.resolve(ns))));
    } catch (KubernetesClientException e) {
      // Keeping samples must never fail a test (the CRD may not be installed yet, say).
      LOG.warn("not keeping the BrokerUpgrades of {}: {}", namespace, e.getMessage());
    }
  }

  @Override
  public void eventReceived(Action action, GenericKubernetesResource upgrade) {
    if (action == Action.DELETED || action == Action.ERROR) {
      return;
    }
    String name = upgrade.getMetadata().getName();
    String state = state(upgrade);
    if (state.equals(lastState.put(name, state))) {
      return;
    }
    upgrade.getMetadata().setManagedFields(null);
    Object status = upgrade.getAdditionalProperties().get("status");
    String phase =
        status instanceof Map<?, ?> fields && fields.get("phase") != null
            ? fields.get("phase").toString()
            : "NoStatus";
    String file = String.format("%03d-%s-%s.json", written.incrementAndGet(), name, phase);
    try {
      Files.createDirectories(folder);
      String json = bench.client().getKubernetesSerialization().asJson(upgrade);
      Files.writeString(
          folder.resolve(file), PRETTY.writeValueAsString(READER.readTree(json)) + "\n");
    } catch (IOException e) {
      LOG.warn("could not keep {}: {}", folder.resolve(file), e.getMessage());
    }
  }

  @Override
  public void onClose(WatcherException cause) {
    // The bench stops with the test class; nothing more to keep.
  }

  /** What makes a state worth keeping: what a health check or a person would read differently. */
  private static String state(GenericKubernetesResource upgrade) {
    Object raw = upgrade.getAdditionalProperties().get("status");
    Map<?, ?> status = raw instanceof Map<?, ?> map ? map : Map.of();
    Object run = status.get("run");
    StringBuilder state =
        new StringBuilder()
            .append(upgrade.getMetadata().getGeneration())
            .append('/')
            .append(status.get("observedGeneration"))
            .append('/')
            .append(status.get("phase"))
            .append('/')
            .append(status.get("step"))
            .append('/')
            .append(run instanceof Map<?, ?> fields ? fields.get("id") : null)
            .append('/')
            .append(upgrade.getMetadata().getDeletionTimestamp() != null);
    Object conditions = status.get("conditions");
    if (conditions instanceof List<?> list) {
      for (Object item : list) {
        if (item instanceof Map<?, ?> condition) {
          state
              .append('/')
              .append(condition.get("type"))
              .append('=')
              .append(condition.get("status"))
              .append(':')
              .append(Objects.toString(condition.get("reason"), ""));
        }
      }
    }
    return state.toString();
  }
}
