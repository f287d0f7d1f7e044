package dev.brokerops.upgrade;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.brokerops.upgrade.api.BrokerUpgrade;
import io.fabric8.kubernetes.api.model.DefaultKubernetesResourceList;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.api.model.apps.DeploymentList;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetList;
import io.fabric8.kubernetes.api.model.batch.v1.JobList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the first informer lists would otherwise do on the critical path of start-up, done on a
 * second thread while the main one builds the operator: the TLS connection to the API server (one
 * {@code GET /version}, which every authenticated identity may read); Jackson's deserializers for
 * every kind the informers list, built from one small list each ({@code warm-up/<Kind>List.json}
 * beside this class); and the decoder of a watch event, whose object is decoded by looking its kind
 * up by name, which the first watch event would otherwise build. What follows reuses all three.
 * Nothing here changes what the operator does; if it fails, the lists pay the cost themselves.
 */
final class StartUpWarmUp {

  private static final Logger LOG = LoggerFactory.getLogger(StartUpWarmUp.class);

  /** The lists the informers read besides BrokerUpgrades', each with a sample of its own name. */
  static final List<Class<? extends KubernetesResourceList<?>>> LISTS =
      List.of(PodList.class, JobList.class, DeploymentList.class, ReplicaSetList.class);

  /** The BrokerUpgrades' list, typed as the client types a custom resource's list. */
  static final TypeReference<DefaultKubernetesResourceList<BrokerUpgrade>> UPGRADES =
      new TypeReference<>() {};

  static final String UPGRADES_SAMPLE = "BrokerUpgradeList";

  /** A watch event as the informers read them: its object's kind is looked up by name. */
  static final String WATCH_EVENT =
      "{\"type\":\"ADDED\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\","
          + "\"metadata\":{\"name\":\"warm-up\"}}}";

  private StartUpWarmUp() {}

  /** Starts the warm-up on a daemon thread and returns at once. */
  static void start(KubernetesClient client) {
    Thread thread = new Thread(() -> warmUp(client), "start-up-warm-up");
    thread.setDaemon(true);
    thread.start();
  }

  /** The warm-up itself, on the calling thread (the image's class-data training runs it too). */
  static void warmUp(KubernetesClient client) {
    long started = System.nanoTime();
    try {
      KubernetesSerialization json = client.getKubernetesSerialization();
      // the connection first: its handshake waits on the network, the deserializers do not
      Thread connection = new Thread(() -> connect(client), "start-up-warm-up-connection");
      connection.setDaemon(true);
      connection.start();
      json.unmarshal(
          new ByteArrayInputStream(sample(UPGRADES_SAMPLE).getBytes(StandardCharsets.UTF_8)),
          UPGRADES);
      LISTS.forEach(list -> json.unmarshal(sample(list.getSimpleName()), list));
      // a watch event, whose object's kind is looked up by name (the client's registry of the
      // watched kinds is already built, by UnreadFields): its decoder, built here rather than in
      // the first watch event
      json.unmarshal(WATCH_EVENT, WatchEvent.class);
      connection.join();
      LOG.debug("start-up warm-up took {} ms", (System.nanoTime() - started) / 1_000_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.debug("start-up warm-up did not finish: {}", e.toString());
    }
  }

  /** The sample list of this kind, {@code warm-up/<kind>.json}. */
  static String sample(String kind) {
    try (InputStream in = StartUpWarmUp.class.getResourceAsStream("warm-up/" + kind + ".json")) {
      if (in == null) {
        throw new IllegalStateException("no warm-up sample for " + kind);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void connect(KubernetesClient client) {
    try {
      client.getKubernetesVersion();
    } catch (RuntimeException e) {
      // the informers will report an unreachable API server in their own words
      LOG.debug("start-up warm-up could not reach the API server: {}", e.toString());
    }
  }
}
