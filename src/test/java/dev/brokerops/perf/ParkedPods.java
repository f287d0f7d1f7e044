package dev.brokerops.perf;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Pods that no node runs, in namespaces of their own: unrelated load on the API server and in every
 * informer that watches all pods. They name a scheduler that does not exist, so the bench's node
 * leaves them {@code Pending} and unbound (as {@code BenchIT} shows).
 */
final class ParkedPods {

  static final String SCHEDULER = "bench-unscheduled";
  private static final int PER_NAMESPACE = 500;

  private ParkedPods() {}

  /** Creates {@code count} of them; returns once the API server lists them all, unbound. */
  static void create(Harness harness, int count) {
    int namespaceCount = (count + PER_NAMESPACE - 1) / PER_NAMESPACE;
    List<String> namespaces =
        harness.parallel(
            IntStream.range(0, namespaceCount).boxed().toList(),
            i -> harness.bench.createNamespace("perf-parked"));
    namespaces.forEach(harness::ownNamespace);
    harness.parallel(
        IntStream.range(0, count).boxed().toList(),
        i ->
            harness
                .bench
                .client()
                .pods()
                .inNamespace(namespaces.get(i % namespaceCount))
                .resource(pod("parked-" + i))
                .create());
    await(count + " parked pods listed, none bound")
        .atMost(Duration.ofMinutes(2))
        .until(
            () -> {
              List<Pod> pods =
                  namespaces.stream()
                      .flatMap(
                          ns ->
                              harness
                                  .bench
                                  .client()
                                  .pods()
                                  .inNamespace(ns)
                                  .list()
                                  .getItems()
                                  .stream())
                      .toList();
              return pods.size() == count
                  && pods.stream().allMatch(p -> p.getSpec().getNodeName() == null);
            });
  }

  private static Pod pod(String name) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .addToLabels("app", "parked")
        .endMetadata()
        .withNewSpec()
        .withSchedulerName(SCHEDULER)
        .addNewContainer()
        .withName("main")
        .withImage(StepFreeBroker.image("1.0.0"))
        .endContainer()
        .endSpec()
        .build();
  }
}
