package dev.brokerops.perf;

import static org.awaitility.Awaitility.await;

import dev.brokerops.bench.Bench;
import dev.brokerops.bench.Kubectl;
import dev.brokerops.e2e.OperatorImage;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operator installed as in production ({@code kubectl apply -k manifests/}): two pods under its
 * own service account, one leading through the Lease. What the benchmark reads of it: who leads,
 * its JVM's heap from {@code /metrics}, its process's resident memory, its start-up time.
 *
 * <p>The bench's node runs containers without cgroup limits, so a JVM there would size its heap
 * from the machine's memory; {@code JAVA_TOOL_OPTIONS=-XX:MaxRAM=<the manifest's memory limit>}
 * makes it size the heap as it does under the limit in a cluster.
 */
final class InstalledOperator {

  static final String NAMESPACE = "brokerops-system";
  static final String NAME = "brokerupgrade-operator";
  static final String CONTAINER = "operator";
  static final String IDENTITY = "system:serviceaccount:" + NAMESPACE + ":" + NAME;
  private static final Pattern HEAP =
      Pattern.compile("^jvm_memory_used_bytes\\{area=\"heap\",[^}]*} (\\S+)$", Pattern.MULTILINE);
  private static final Pattern STARTED =
      Pattern.compile("informers synced (\\d+) ms after the JVM started");

  private final Bench bench;
  private final Kubectl kubectl;
  private final String javaToolOptions;

  private InstalledOperator(Bench bench, String javaToolOptions) {
    this.bench = bench;
    this.kubectl = new Kubectl(bench.kubeconfig());
    this.javaToolOptions = javaToolOptions;
  }

  /**
   * Applies {@code manifests/} unchanged, then gives the container {@code JAVA_TOOL_OPTIONS}: the
   * heap sized as under the manifest's memory limit, plus {@code extraJvmOptions}; waits for two
   * ready pods and a leader.
   */
  static InstalledOperator install(Bench bench, String extraJvmOptions) {
    OperatorImage.build(bench.images());
    Kubectl kubectl = new Kubectl(bench.kubeconfig());
    Kubectl.Result applied =
        kubectl.run("apply", "--server-side", "--force-conflicts", "-k", "manifests");
    if (!applied.succeeded()) {
      throw new IllegalStateException("kubectl apply -k manifests: " + applied.output());
    }
    Deployment deployment =
        bench.client().apps().deployments().inNamespace(NAMESPACE).withName(NAME).get();
    Container operatorContainer =
        deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    Quantity limit = operatorContainer.getResources().getLimits().get("memory");
    String options =
        ("-XX:MaxRAM=" + Quantity.getAmountInBytes(limit).toBigInteger() + " " + extraJvmOptions)
            .strip();
    // A strategic merge patch, no resourceVersion: the Deployment controller writes the Deployment
    // too, and an edit (read, change, write back) can lose that race with a conflict.
    bench
        .client()
        .apps()
        .deployments()
        .inNamespace(NAMESPACE)
        .withName(NAME)
        .patch(
            PatchContext.of(PatchType.STRATEGIC_MERGE),
            bench
                .client()
                .getKubernetesSerialization()
                .asJson(
                    Map.of(
                        "spec",
                        Map.of(
                            "template",
                            Map.of(
                                "spec",
                                Map.of(
                                    "containers",
                                    List.of(
                                        Map.of(
                                            "name",
                                            operatorContainer.getName(),
                                            "env",
                                            List.of(
                                                Map.of(
                                                    "name",
                                                    "JAVA_TOOL_OPTIONS",
                                                    "value",
                                                    options))))))))));
    InstalledOperator operator = new InstalledOperator(bench, options);
    operator.awaitReady();
    return operator;
  }

  String javaToolOptions() {
    return javaToolOptions;
  }

  /** Two ready pods of the current template, and one of them holding the Lease. */
  void awaitReady() {
    await("two ready operator pods of the current template, one leading")
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              List<Pod> pods = pods();
              return pods.size() == 2
                  && pods.stream().allMatch(InstalledOperator::ready)
                  && pods.stream()
                      .allMatch(
                          p ->
                              p.getSpec().getContainers().get(0).getEnv().stream()
                                  .anyMatch(e -> e.getName().equals("JAVA_TOOL_OPTIONS")))
                  && leaderName()
                      .filter(l -> pods.stream().anyMatch(p -> name(p).equals(l)))
                      .isPresent();
            });
  }

  /** The operator's pods that are not being deleted. */
  List<Pod> pods() {
    return bench
        .client()
        .pods()
        .inNamespace(NAMESPACE)
        .withLabel("app.kubernetes.io/name", NAME)
        .list()
        .getItems()
        .stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .toList();
  }

  Optional<String> leaderName() {
    Lease lease = bench.client().leases().inNamespace(NAMESPACE).withName(NAME).get();
    return Optional.ofNullable(lease)
        .map(l -> l.getSpec().getHolderIdentity())
        .filter(h -> !h.isBlank());
  }

  Pod leader() {
    String leader = leaderName().orElseThrow(() -> new IllegalStateException("no leader"));
    return pods().stream()
        .filter(p -> name(p).equals(leader))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("the leader " + leader + " has no pod"));
  }

  Pod standby() {
    String leader = leader().getMetadata().getName();
    return pods().stream()
        .filter(p -> !name(p).equals(leader))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no standby"));
  }

  /**
   * Removes the standby's pod at once (no grace period: its JVM is killed, not shut down beside the
   * new one's start); returns its replacement once that is ready.
   */
  Pod replaceStandby() {
    Pod old = standby();
    String leader = name(leader());
    bench.client().pods().inNamespace(NAMESPACE).resource(old).withGracePeriod(0).delete();
    return await("the standby's replacement ready")
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                pods().stream()
                    .filter(p -> !name(p).equals(leader) && !name(p).equals(name(old)))
                    .filter(InstalledOperator::ready)
                    .findFirst(),
            Optional::isPresent)
        .orElseThrow();
  }

  /** The JVM's heap in use, from the pod's {@code /metrics} (every heap pool summed). */
  long heapBytes(Pod pod) {
    String metrics = get(pod, 8080, "/metrics");
    Matcher matcher = HEAP.matcher(metrics);
    double sum = 0;
    boolean found = false;
    while (matcher.find()) {
      sum += Double.parseDouble(matcher.group(1));
      found = true;
    }
    if (!found) {
      throw new IllegalStateException("no jvm_memory_used_bytes{area=\"heap\"} in /metrics");
    }
    return (long) sum;
  }

  /** The container process's resident set ({@code VmRSS}, its peak and its parts), in kB. */
  Memory memory(Pod pod) {
    OptionalLong pid = bench.containerPid(pod, CONTAINER);
    if (pid.isEmpty()) {
      throw new IllegalStateException("the operator container of " + name(pod) + " is not running");
    }
    try {
      String status = Files.readString(Path.of("/proc", String.valueOf(pid.getAsLong()), "status"));
      return new Memory(
          pid.getAsLong(),
          field(status, "VmRSS"),
          field(status, "VmHWM"),
          field(status, "RssAnon"),
          field(status, "RssFile"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A process's resident set now and at its peak, in kB; and of it now, the anonymous part (heap,
   * stacks, the JVM's own memory) and the file-backed part (mapped files: the class-data archive
   * and the JDK's libraries, which the kernel may share and drop).
   */
  record Memory(long pid, long rssKb, long peakKb, long anonymousKb, long fileKb) {}

  /** What the pod logged as its start-up: JVM uptime when its informers were synced. */
  long startupMillis(Pod pod) {
    return await("the operator's start-up line in " + name(pod) + "'s log")
        .atMost(Duration.ofMinutes(2))
        .until(
            () ->
                bench
                    .containerLog(pod, CONTAINER)
                    .map(STARTED::matcher)
                    .filter(Matcher::find)
                    .map(m -> Long.parseLong(m.group(1))),
            Optional::isPresent)
        .orElseThrow();
  }

  /** The first line of a pod's log ({@link #log}) matching {@code pattern}. */
  static Optional<String> firstLine(String log, Pattern pattern) {
    return log.lines().filter(line -> pattern.matcher(line).find()).findFirst();
  }

  /** When a line of the operator's log was written, from its timestamp. */
  static java.time.Instant loggedAt(String line) {
    return java.time.Instant.parse(line.substring(0, line.indexOf(' ')));
  }

  /** When the container's process started (its fork, before the JVM's own start). */
  java.time.Instant processStart(Pod pod) {
    long pid = memory(pod).pid();
    return ProcessHandle.of(pid)
        .flatMap(p -> p.info().startInstant())
        .orElseThrow(() -> new IllegalStateException("no start time for pid " + pid));
  }

  /** CPU time the container's process has used (user + system), from /proc/PID/stat. */
  long cpuMillis(Pod pod) {
    long pid = memory(pod).pid();
    try {
      String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // utime and stime, fields 14 and 15 of the line (11 and 12 after the command), in ticks
      long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
      return ticks * 1000 / 100;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One gauge of the pod's {@code /metrics}, e.g. {@code jvm_classes_loaded_classes}. */
  double metric(Pod pod, String name) {
    Matcher m =
        Pattern.compile("^" + Pattern.quote(name) + "(?:\\{[^}]*})? (\\S+)$", Pattern.MULTILINE)
            .matcher(get(pod, 8080, "/metrics"));
    if (!m.find()) {
      throw new IllegalStateException("no " + name + " in /metrics");
    }
    return Double.parseDouble(m.group(1));
  }

  String log(Pod pod) {
    return bench.containerLog(pod, CONTAINER).orElse("(no log)");
  }

  /** Deletes the operator's Deployment and waits for its pods to go (RBAC and CRD stay). */
  void uninstall() {
    kubectl.run(
        "delete",
        "deployment",
        NAME,
        "-n",
        NAMESPACE,
        "--ignore-not-found",
        "--wait=true",
        "--timeout=60s");
    await("operator pods gone").atMost(Duration.ofMinutes(1)).until(() -> pods().isEmpty());
  }

  private static long field(String status, String name) {
    Matcher m = Pattern.compile("^" + name + ":\\s+(\\d+) kB", Pattern.MULTILINE).matcher(status);
    if (!m.find()) {
      throw new IllegalStateException("no " + name + " in /proc/<pid>/status");
    }
    return Long.parseLong(m.group(1));
  }

  private static boolean ready(Pod p) {
    return p.getStatus() != null
        && p.getStatus().getConditions() != null
        && p.getStatus().getConditions().stream()
            .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
  }

  static String name(Pod pod) {
    return pod.getMetadata().getName();
  }

  /** What Prometheus sees: an HTTP GET to the pod's IP. */
  private static String get(Pod pod, int port, String path) {
    try {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://" + pod.getStatus().getPodIP() + ":" + port + path))
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(path + " answered " + response.statusCode());
      }
      return response.body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
