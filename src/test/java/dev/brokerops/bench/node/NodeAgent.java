package dev.brokerops.bench.node;

import dev.brokerops.bench.Folders;
import dev.brokerops.bench.ProcessLauncher;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.NodeStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bench's node: registers a Ready Node, binds every pending pod to it through the binding
 * subresource (there is no scheduler), and runs each bound pod's containers as local processes
 * through a {@link PodRunner}. It never deletes a pod on its own, only finishes a deletion the API
 * server started.
 */
public final class NodeAgent implements AutoCloseable {

  public static final String NODE_NAME = "bench-node";
  public static final String HOST_IP = "127.0.0.1";
  private static final Logger log = LoggerFactory.getLogger(NodeAgent.class);

  private final KubernetesClient client;
  private final ImageDirectories images;
  private final Path podsDir;
  private final ProcessLauncher launcher;
  private final URI apiServer;
  private final ScheduledExecutorService kubelet =
      Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "bench-kubelet"));
  private final ExecutorService probes =
      Executors.newFixedThreadPool(2, r -> daemon(r, "bench-probe"));
  private final Map<String, PodRunner> runners = new HashMap<>();
  private final Set<String> bindingRequested = new HashSet<>();

  /**
   * This bench's pod IPs (see {@link PodAddresses}): two benches on one machine (two checkouts
   * testing at once, or make cluster beside a test run) give their pods different addresses, so
   * replicas that bind one port on their pod IP never collide.
   */
  private final PodAddresses addresses = PodAddresses.forBench(ProcessHandle.current().pid());

  private SharedIndexInformer<Pod> informer;

  public NodeAgent(
      KubernetesClient client, ImageDirectories images, Path stateDir, ProcessLauncher launcher) {
    this.client = client;
    this.images = images;
    this.podsDir = stateDir.resolve("pods");
    this.launcher = launcher;
    this.apiServer = URI.create(client.getConfiguration().getMasterUrl());
  }

  public void start() {
    registerNode();
    informer =
        client
            .pods()
            .inAnyNamespace()
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Pod pod) {
                    onKubeletThread(() -> onPod(pod));
                  }

                  @Override
                  public void onUpdate(Pod oldPod, Pod pod) {
                    onKubeletThread(() -> onPod(pod));
                  }

                  @Override
                  public void onDelete(Pod pod, boolean unknownFinalState) {
                    onKubeletThread(() -> onPodGone(pod));
                  }
                },
                0);
    // the kubelet's periodic sync: retries waiting containers, runs due probes
    kubelet.scheduleWithFixedDelay(this::syncAll, 500, 500, TimeUnit.MILLISECONDS);
    kubelet.scheduleWithFixedDelay(this::heartbeat, 20, 20, TimeUnit.SECONDS);
    log.info("node {} registered and Ready", NODE_NAME);
  }

  private void registerNode() {
    var node =
        new NodeBuilder()
            .withNewMetadata()
            .withName(NODE_NAME)
            .addToLabels("kubernetes.io/hostname", NODE_NAME)
            .addToLabels("kubernetes.io/os", "linux")
            .addToLabels("kubernetes.io/arch", "amd64")
            .endMetadata()
            .build();
    if (client.nodes().withName(NODE_NAME).get() == null) {
      client.nodes().resource(node).create();
    }
    heartbeat();
  }

  private void heartbeat() {
    String now = time(Instant.now());
    Map<String, Quantity> capacity = new LinkedHashMap<>();
    capacity.put("cpu", new Quantity("16"));
    capacity.put("memory", new Quantity("64Gi"));
    capacity.put("pods", new Quantity("250"));
    NodeStatus status =
        new NodeStatusBuilder()
            .addNewCondition()
            .withType("Ready")
            .withStatus("True")
            .withReason("KubeletReady")
            .withMessage("bench node agent is posting ready status")
            .withLastHeartbeatTime(now)
            .withLastTransitionTime(now)
            .endCondition()
            .addNewAddress()
            .withType("InternalIP")
            .withAddress(HOST_IP)
            .endAddress()
            .addNewAddress()
            .withType("Hostname")
            .withAddress(NODE_NAME)
            .endAddress()
            .withCapacity(capacity)
            .withAllocatable(capacity)
            .withNewNodeInfo()
            .withArchitecture("amd64")
            .withOperatingSystem("linux")
            .withKubeletVersion("bench")
            .withKubeProxyVersion("")
            .withContainerRuntimeVersion("bench://local-processes")
            .withOsImage("bench")
            .withKernelVersion(System.getProperty("os.version"))
            .withBootID("")
            .withMachineID("")
            .withSystemUUID("")
            .endNodeInfo()
            .build();
    try {
      client
          .nodes()
          .withName(NODE_NAME)
          .subresource("status")
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              Serialization.asJson(Map.of("status", status)));
    } catch (KubernetesClientException e) {
      log.warn("node heartbeat failed: {}", e.getMessage());
    }
  }

  private void onPod(Pod pod) {
    String node = pod.getSpec().getNodeName();
    if (node == null || node.isEmpty()) {
      bind(pod);
      return;
    }
    if (!NODE_NAME.equals(node)) {
      return;
    }
    String uid = pod.getMetadata().getUid();
    PodRunner runner = runners.get(uid);
    if (runner == null) {
      if (isTerminal(pod) && pod.getMetadata().getDeletionTimestamp() == null) {
        return;
      }
      runner = new PodRunner(this, pod, addresses.take(), podDir(pod), Instant.now());
      runners.put(uid, runner);
    }
    runner.update(pod);
    runner.sync(Instant.now());
  }

  private static boolean isTerminal(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  private void bind(Pod pod) {
    String scheduler = pod.getSpec().getSchedulerName();
    if (scheduler != null && !scheduler.equals("default-scheduler")) {
      return;
    }
    if (!bindingRequested.add(pod.getMetadata().getUid())) {
      return;
    }
    try {
      client
          .bindings()
          .inNamespace(pod.getMetadata().getNamespace())
          .resource(
              new BindingBuilder()
                  .withNewMetadata()
                  .withName(pod.getMetadata().getName())
                  .withNamespace(pod.getMetadata().getNamespace())
                  .endMetadata()
                  .withNewTarget()
                  .withApiVersion("v1")
                  .withKind("Node")
                  .withName(NODE_NAME)
                  .endTarget()
                  .build())
          .create();
    } catch (KubernetesClientException e) {
      bindingRequested.remove(pod.getMetadata().getUid());
      log.warn(
          "cannot bind {}/{}: {}",
          pod.getMetadata().getNamespace(),
          pod.getMetadata().getName(),
          e.getMessage());
    }
  }

  private void onPodGone(Pod pod) {
    String uid = pod.getMetadata().getUid();
    bindingRequested.remove(uid);
    PodRunner runner = runners.remove(uid);
    if (runner != null) {
      runner.killAll();
      addresses.release(runner.podIp());
    }
    Path dir = podDir(pod);
    try {
      Folders.delete(dir);
    } catch (IOException e) {
      log.warn("cannot remove {}: {}", dir, e.getMessage());
    }
  }

  private void syncAll() {
    Instant now = Instant.now();
    for (PodRunner runner : runners.values()) {
      try {
        runner.sync(now);
      } catch (RuntimeException e) {
        log.warn("sync of {} failed", runner.key(), e);
      }
    }
  }

  void requestSync(String uid) {
    onKubeletThread(
        () -> {
          PodRunner runner = runners.get(uid);
          if (runner != null) {
            runner.sync(Instant.now());
          }
        });
  }

  void onKubeletThread(Runnable work) {
    try {
      kubelet.execute(
          () -> {
            try {
              work.run();
            } catch (RuntimeException e) {
              log.warn("node agent work failed", e);
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // the agent is stopping
    }
  }

  /** Writes the pod's status (a merge patch replaces lists whole, as the kubelet's status does). */
  boolean publishStatus(Pod pod, PodStatus status) {
    try {
      client
          .pods()
          .inNamespace(pod.getMetadata().getNamespace())
          .withName(pod.getMetadata().getName())
          .subresource("status")
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              Serialization.asJson(new PodBuilder().withStatus(status).build()));
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        log.warn(
            "cannot update status of {}/{}: {}",
            pod.getMetadata().getNamespace(),
            pod.getMetadata().getName(),
            e.getMessage());
      }
      return false;
    }
  }

  /**
   * Finishes a deletion the API server started, as the kubelet does once the containers are gone.
   */
  void removePod(Pod pod) {
    try {
      client
          .pods()
          .inNamespace(pod.getMetadata().getNamespace())
          .withName(pod.getMetadata().getName())
          .withGracePeriod(0)
          .delete();
    } catch (KubernetesClientException e) {
      log.warn(
          "cannot remove {}/{}: {}",
          pod.getMetadata().getNamespace(),
          pod.getMetadata().getName(),
          e.getMessage());
    }
  }

  /**
   * What the image and the kubelet put in every container's environment before the pod's own env.
   */
  Map<String, String> baseEnvironment(Pod pod, ImageDirectories.Image image) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", image.bin() + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    env.put("HOSTNAME", pod.getMetadata().getName());
    env.put("HOME", "/root");
    String host = apiServer.getHost();
    String port = String.valueOf(apiServer.getPort());
    env.put("KUBERNETES_SERVICE_HOST", host);
    env.put("KUBERNETES_SERVICE_PORT", port);
    env.put("KUBERNETES_SERVICE_PORT_HTTPS", port);
    env.put("KUBERNETES_PORT", "tcp://" + host + ":" + port);
    return env;
  }

  KubernetesClient client() {
    return client;
  }

  ImageDirectories images() {
    return images;
  }

  ProcessLauncher launcher() {
    return launcher;
  }

  ExecutorService probes() {
    return probes;
  }

  /**
   * What {@code kubectl logs} would show of a container's latest run (stdout and stderr as one
   * stream), which the bench has no kubelet API to serve; empty once the pod is gone from the node.
   */
  public Optional<String> containerLog(Pod pod, String container) {
    int restarts =
        Optional.ofNullable(pod.getStatus())
            .map(PodStatus::getContainerStatuses)
            .orElse(List.of())
            .stream()
            .filter(status -> status.getName().equals(container))
            .map(ContainerStatus::getRestartCount)
            .filter(Objects::nonNull)
            .findFirst()
            .orElse(0);
    Path log =
        podDir(pod)
            .resolve("containers")
            .resolve(container)
            .resolve("run-" + restarts)
            .resolve("output.log");
    try {
      return Files.exists(log) ? Optional.of(Files.readString(log)) : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + log, e);
    }
  }

  /**
   * The process id of a container's current run on this node (what {@code /proc/<pid>/status} tells
   * about it: its resident memory, say), while it runs.
   */
  public OptionalLong containerPid(Pod pod, String container) {
    try {
      return kubelet
          .submit(
              () -> {
                PodRunner runner = runners.get(pod.getMetadata().getUid());
                return runner == null ? OptionalLong.empty() : runner.pid(container);
              })
          .get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("the node agent did not answer", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private Path podDir(Pod pod) {
    return podsDir.resolve(
        pod.getMetadata().getNamespace()
            + "_"
            + pod.getMetadata().getName()
            + "_"
            + pod.getMetadata().getUid());
  }

  public static String time(Instant instant) {
    return instant == null ? null : instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  @Override
  public void close() {
    if (informer != null) {
      informer.close();
    }
    try {
      kubelet.submit(() -> runners.values().forEach(PodRunner::killAll)).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("could not stop every container cleanly", e);
    }
    kubelet.shutdownNow();
    probes.shutdownNow();
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
