package dev.brokerops.bench.node;

import dev.brokerops.bench.Folders;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet's work for one pod bound to the bench node: start each container when it can run,
 * report waiting reasons as the kubelet does, restart per restartPolicy, probe readiness, and on
 * deletion send SIGTERM, wait the grace period, kill, then remove the pod with grace 0. All methods
 * run on the agent's single kubelet thread.
 */
final class PodRunner {

  private static final Logger log = LoggerFactory.getLogger(PodRunner.class);
  private static final Duration RETRY = Duration.ofSeconds(2);
  private static final Duration PULL_BACK_OFF = Duration.ofSeconds(5);
  private static final HttpClient PROBE_CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private final NodeAgent agent;
  private final String podIp;
  private final Path dir;
  private final PodVolumes volumes;
  private final Map<String, ContainerRun> containers = new LinkedHashMap<>();
  private final Map<String, Instant> conditionSince = new HashMap<>();
  private final Instant startTime;
  private Pod pod;
  private Map<String, Path> volumeDirs;
  private Instant killAt;
  private boolean removalRequested;
  private String lastPublished;

  PodRunner(NodeAgent agent, Pod pod, String podIp, Path dir, Instant now) {
    this.agent = agent;
    this.pod = pod;
    this.podIp = podIp;
    this.dir = dir;
    this.startTime = now;
    this.volumes = new PodVolumes(agent.client(), dir);
    for (Container container : pod.getSpec().getContainers()) {
      containers.put(container.getName(), new ContainerRun(container));
    }
  }

  String podIp() {
    return podIp;
  }

  String key() {
    return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
  }

  void update(Pod latest) {
    this.pod = latest;
  }

  /** Moves every container one step on, then publishes the pod's status if it changed. */
  void sync(Instant now) {
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      stop(now);
    } else {
      for (ContainerRun container : containers.values()) {
        switch (container.phase) {
          case WAITING -> {
            if (!now.isBefore(container.nextAttempt)) {
              tryStart(container, now);
            }
          }
          case RUNNING -> {
            if (!container.process.process().isAlive()) {
              onExit(container, now, true);
            } else {
              probe(container, now);
            }
          }
          case TERMINATED -> {}
        }
      }
    }
    publish(now);
  }

  private void tryStart(ContainerRun container, Instant now) {
    String image = container.spec.getImage();
    var found = agent.images().find(image);
    if (found.isEmpty()) {
      if ("ErrImagePull".equals(container.waitingReason)) {
        container.waiting(
            "ImagePullBackOff",
            "Back-off pulling image \"" + image + "\"",
            now.plus(PULL_BACK_OFF));
      } else {
        container.waiting(
            "ErrImagePull",
            "failed to pull and unpack image \""
                + image
                + "\": not found: the bench has no image folder for it under "
                + agent.images().root(),
            now.plus(RETRY));
      }
      return;
    }
    try {
      PodReferences refs = new PodReferences(agent.client(), pod, podIp);
      if (volumeDirs == null) {
        volumeDirs = volumes.materialise(pod, refs);
      }
      ContainerEnvironment environment =
          ContainerEnvironment.resolve(
              container.spec, found.get(), refs, agent.baseEnvironment(pod, found.get()));
      Path runDir =
          dir.resolve("containers")
              .resolve(container.name())
              .resolve("run-" + container.restartCount);
      Folders.delete(runDir);
      ContainerProcess process =
          ContainerProcess.start(
              agent.launcher(), runDir, container.spec, found.get(), environment, volumeDirs);
      container.running(process, now);
      process.process().onExit().thenRun(() -> agent.requestSync(pod.getMetadata().getUid()));
      log.info(
          "started {} container {} (pid {}): {}",
          key(),
          container.name(),
          process.pid(),
          environment.argv());
    } catch (ContainerConfigError e) {
      container.waiting(e.reason(), e.getMessage(), now.plus(RETRY));
    } catch (IOException | RuntimeException e) {
      container.waiting("CreateContainerError", String.valueOf(e.getMessage()), now.plus(RETRY));
      log.warn("cannot start {} container {}", key(), container.name(), e);
    }
  }

  private void onExit(ContainerRun container, Instant now, boolean mayRestart) {
    int code = container.process.process().exitValue();
    container.terminated(code, container.process.terminationMessage(code), now);
    log.info("{} container {} exited with {}", key(), container.name(), code);
    String policy = Objects.requireNonNullElse(pod.getSpec().getRestartPolicy(), "Always");
    if (mayRestart && (policy.equals("Always") || (policy.equals("OnFailure") && code != 0))) {
      long backOff = Math.min(10, 1L << Math.min(container.restartCount, 4));
      container.restartAfter(now.plusSeconds(backOff));
    }
  }

  private void stop(Instant now) {
    if (killAt == null) {
      long grace =
          pod.getMetadata().getDeletionGracePeriodSeconds() == null
              ? 30
              : pod.getMetadata().getDeletionGracePeriodSeconds();
      killAt = now.plusSeconds(grace);
      containers.values().stream()
          .filter(c -> c.phase == ContainerRun.Phase.RUNNING)
          .forEach(c -> c.process.terminate());
    }
    boolean anyRunning = false;
    for (ContainerRun container : containers.values()) {
      if (container.phase != ContainerRun.Phase.RUNNING) {
        continue;
      }
      if (container.process.process().isAlive()) {
        anyRunning = true;
        if (!now.isBefore(killAt)) {
          container.process.kill();
        }
      } else {
        onExit(container, now, false);
      }
    }
    if (!anyRunning && !removalRequested) {
      removalRequested = true;
      publish(now);
      agent.removePod(pod);
    }
  }

  /** The process id of the container's current run, while it runs. */
  OptionalLong pid(String container) {
    ContainerRun run = containers.get(container);
    return run != null && run.phase == ContainerRun.Phase.RUNNING && run.process != null
        ? OptionalLong.of(run.process.pid())
        : OptionalLong.empty();
  }

  /** Kills whatever still runs: the pod is gone from the API server, or the bench stops. */
  void killAll() {
    containers.values().stream().filter(c -> c.process != null).forEach(c -> c.process.kill());
  }

  private void probe(ContainerRun container, Instant now) {
    Probe probe = container.spec.getReadinessProbe();
    if (probe == null || container.probeInFlight || now.isBefore(container.nextProbe)) {
      return;
    }
    container.probeInFlight = true;
    String uid = pod.getMetadata().getUid();
    agent
        .probes()
        .execute(
            () -> {
              boolean success = check(probe, container.spec);
              agent.onKubeletThread(
                  () -> {
                    container.probeInFlight = false;
                    if (container.phase != ContainerRun.Phase.RUNNING) {
                      return;
                    }
                    if (success) {
                      container.consecutiveProbeFailures = 0;
                      if (++container.consecutiveProbeSuccesses
                          >= ContainerRun.orDefault(probe.getSuccessThreshold(), 1)) {
                        container.ready = true;
                      }
                    } else {
                      container.consecutiveProbeSuccesses = 0;
                      if (++container.consecutiveProbeFailures
                          >= ContainerRun.orDefault(probe.getFailureThreshold(), 3)) {
                        container.ready = false;
                      }
                    }
                    container.nextProbe =
                        Instant.now()
                            .plusSeconds(ContainerRun.orDefault(probe.getPeriodSeconds(), 10));
                    agent.requestSync(uid);
                  });
            });
  }

  private boolean check(Probe probe, Container container) {
    Duration timeout = Duration.ofSeconds(ContainerRun.orDefault(probe.getTimeoutSeconds(), 1));
    try {
      if (probe.getHttpGet() != null) {
        var get = probe.getHttpGet();
        String host = get.getHost() == null || get.getHost().isEmpty() ? podIp : get.getHost();
        String scheme = get.getScheme() == null ? "http" : get.getScheme().toLowerCase();
        String path = get.getPath() == null ? "/" : get.getPath();
        URI uri = URI.create(scheme + "://" + host + ":" + port(get.getPort(), container) + path);
        var response =
            PROBE_CLIENT.send(
                HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
                HttpResponse.BodyHandlers.discarding());
        return response.statusCode() >= 200 && response.statusCode() < 400;
      }
      if (probe.getTcpSocket() != null) {
        var tcp = probe.getTcpSocket();
        String host = tcp.getHost() == null || tcp.getHost().isEmpty() ? podIp : tcp.getHost();
        try (Socket socket = new Socket()) {
          socket.connect(
              new InetSocketAddress(host, port(tcp.getPort(), container)),
              (int) timeout.toMillis());
          return true;
        }
      }
      // exec and gRPC probes are not simulated: such a container counts as ready once running
      return true;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static int port(IntOrString port, Container container) {
    if (port.getIntVal() != null) {
      return port.getIntVal();
    }
    return container.getPorts().stream()
        .filter(p -> port.getStrVal().equals(p.getName()))
        .map(ContainerPort::getContainerPort)
        .findFirst()
        .orElseThrow(
            () -> new IllegalArgumentException("no container port named " + port.getStrVal()));
  }

  private void publish(Instant now) {
    PodStatus status = status(now);
    String rendered = render(status);
    if (rendered.equals(lastPublished)) {
      return;
    }
    if (agent.publishStatus(pod, status)) {
      lastPublished = rendered;
    }
  }

  private PodStatus status(Instant now) {
    List<ContainerRun> runs = new ArrayList<>(containers.values());
    boolean anyNeverStarted = runs.stream().anyMatch(c -> c.startedAt == null);
    boolean allTerminated = runs.stream().allMatch(c -> c.phase == ContainerRun.Phase.TERMINATED);
    String phase;
    if (allTerminated) {
      phase = runs.stream().allMatch(c -> c.exitCode == 0) ? "Succeeded" : "Failed";
    } else if (anyNeverStarted) {
      phase = "Pending";
    } else {
      phase = "Running";
    }
    boolean ready = runs.stream().allMatch(c -> c.ready);
    List<PodCondition> conditions =
        List.of(
            condition("PodReadyToStartContainers", true, now),
            condition("Initialized", true, now),
            condition("Ready", ready, now),
            condition("ContainersReady", ready, now),
            condition("PodScheduled", true, now));
    return new PodStatusBuilder()
        .withPhase(phase)
        .withConditions(conditions)
        .withHostIP(NodeAgent.HOST_IP)
        .withHostIPs(
            new io.fabric8.kubernetes.api.model.HostIPBuilder().withIp(NodeAgent.HOST_IP).build())
        .withPodIP(podIp)
        .withPodIPs(new PodIPBuilder().withIp(podIp).build())
        .withStartTime(NodeAgent.time(startTime))
        .withContainerStatuses(runs.stream().map(ContainerRun::status).toList())
        .build();
  }

  private PodCondition condition(String type, boolean value, Instant now) {
    String key = type + "=" + value;
    if (!conditionSince.containsKey(key)) {
      conditionSince.remove(type + "=" + !value);
      conditionSince.put(key, now);
    }
    Instant since = conditionSince.get(key);
    return new PodConditionBuilder()
        .withType(type)
        .withStatus(value ? "True" : "False")
        .withLastTransitionTime(NodeAgent.time(since))
        .build();
  }

  private static String render(PodStatus status) {
    return io.fabric8.kubernetes.client.utils.Serialization.asJson(status);
  }
}
