package dev.brokerops.bench;

import static org.awaitility.Awaitility.await;

import dev.brokerops.bench.node.ImageDirectories;
import dev.brokerops.bench.node.NodeAgent;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The test bench as a JUnit 5 extension: real etcd and kube-apiserver, and for {@link #full()} a
 * real kube-controller-manager and the node agent that runs pods as local processes. One bench is
 * shared by every test class of a JVM (start-up is the slow part) and stopped when the run ends or
 * the JVM exits; each test class takes its own namespaces.
 *
 * <pre>{@code @RegisterExtension static final Bench bench = Bench.full();}</pre>
 */
public final class Bench implements BeforeAllCallback {

  private static final Logger log = LoggerFactory.getLogger(Bench.class);
  private static RunningBench running;

  private final boolean withNode;

  private Bench(boolean withNode) {
    this.withNode = withNode;
  }

  /** etcd and the API server: enough for admission and CRD tests. */
  public static Bench controlPlane() {
    return new Bench(false);
  }

  /** The whole bench: control plane, controllers and the node agent. */
  public static Bench full() {
    return new Bench(true);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    RunningBench bench = ensureStarted(withNode);
    // closed when the whole run ends, whichever test class started it
    context
        .getRoot()
        .getStore(ExtensionContext.Namespace.GLOBAL)
        .getOrComputeIfAbsent(RunningBench.class, k -> (AutoCloseable) Bench::stopShared);
    log.debug("bench ready for {}: {}", context.getDisplayName(), bench.kubeconfig());
  }

  /**
   * Starts the shared bench if needed (also for {@code make cluster}), adding the node when asked.
   */
  public static synchronized RunningBench ensureStarted(boolean withNode) throws IOException {
    if (running == null) {
      running = new RunningBench(BenchLayout.current());
      Runtime.getRuntime().addShutdownHook(new Thread(Bench::stopShared, "bench-shutdown"));
      running.startControlPlane();
    }
    if (withNode) {
      running.startNode();
    }
    return running;
  }

  static synchronized void stopShared() {
    if (running != null) {
      running.close();
      running = null;
    }
  }

  private RunningBench bench() {
    if (running == null) {
      throw new IllegalStateException(
          "the bench is not started: register it with @RegisterExtension");
    }
    return running;
  }

  public KubernetesClient client() {
    return bench().controlPlane.client();
  }

  public Path kubeconfig() {
    return bench().kubeconfig();
  }

  public ImageDirectories images() {
    return bench().images;
  }

  /**
   * The API server's audit log: every request with its user, verb, object and timestamps (see
   * {@link AuditLog}). Fails when the bench runs without one ({@code -Dbench.audit=false}).
   */
  public AuditLog auditLog() {
    return bench().auditLog();
  }

  /** What {@code kubectl logs} would show of a container's latest run, while its pod is there. */
  public Optional<String> containerLog(Pod pod, String container) {
    if (bench().nodeAgent == null) {
      throw new IllegalStateException("this bench has no node: use Bench.full()");
    }
    return bench().nodeAgent.containerLog(pod, container);
  }

  /**
   * The process id of a container's current run (the node agent's, as {@code crictl inspect} would
   * tell it), while it runs: for reading its {@code /proc/<pid>/status}.
   */
  public OptionalLong containerPid(Pod pod, String container) {
    if (bench().nodeAgent == null) {
      throw new IllegalStateException("this bench has no node: use Bench.full()");
    }
    return bench().nodeAgent.containerPid(pod, container);
  }

  /**
   * Stops the API server and starts it again with the same flags, port, certificates and etcd
   * (which keeps running: nothing stored is lost); returns once {@code /readyz} answers ok, with
   * the time the restart took. Every client (this one, kube-controller-manager, the node agent, an
   * operator) has to reconnect by itself.
   */
  public Duration restartApiServer() {
    return bench().restartApiServer();
  }

  /** Starts processes that die with the bench (and with this JVM, even when it is killed). */
  public ProcessLauncher launcher() {
    return bench().launcher;
  }

  /**
   * A fresh namespace whose {@code default} ServiceAccount exists (pods are refused before that).
   */
  public String createNamespace(String prefix) {
    String name =
        (prefix + "-" + UUID.randomUUID().toString().substring(0, 6)).toLowerCase(Locale.ROOT);
    client()
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    if (running.nodeAgent != null) {
      await("default ServiceAccount in " + name)
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> client().serviceAccounts().inNamespace(name).withName("default").get() != null);
    }
    return name;
  }

  /** One started bench: its processes, state folder and clients. */
  public static final class RunningBench implements AutoCloseable {

    private final BenchLayout layout;
    private final Path stateDir;
    private final ProcessLauncher launcher = new ProcessLauncher();
    private final OwnedProcesses owned;
    private final ControlPlane controlPlane;
    private final ImageDirectories images;
    private NodeAgent nodeAgent;
    private boolean controllersStarted;

    private RunningBench(BenchLayout layout) throws IOException {
      this.layout = layout;
      OwnedProcesses.reapAbandoned(layout.stateRoot());
      this.stateDir =
          Files.createDirectories(
              layout.stateRoot().resolve(String.valueOf(ProcessHandle.current().pid())));
      this.owned = new OwnedProcesses(stateDir);
      this.controlPlane = new ControlPlane(layout, stateDir, launcher);
      this.images = new ImageDirectories(Files.createDirectories(stateDir.resolve("images")));
    }

    private void startControlPlane() throws IOException {
      long start = System.nanoTime();
      controlPlane.start();
      owned.recordChildren();
      log.info(
          "control plane up in {} ms; kubeconfig {}",
          (System.nanoTime() - start) / 1_000_000,
          kubeconfig());
    }

    private void startNode() throws IOException {
      if (nodeAgent != null) {
        return;
      }
      long start = System.nanoTime();
      if (!controllersStarted) {
        controlPlane.startControllers();
        controllersStarted = true;
        owned.recordChildren();
      }
      nodeAgent = new NodeAgent(controlPlane.client(), images, stateDir, launcher);
      nodeAgent.start();
      log.info("controllers and node up in {} ms", (System.nanoTime() - start) / 1_000_000);
    }

    public Path kubeconfig() {
      return controlPlane.kubeconfig();
    }

    public AuditLog auditLog() {
      return controlPlane
          .auditLog()
          .map(AuditLog::new)
          .orElseThrow(
              () -> new IllegalStateException("the bench runs without an audit log (bench.audit)"));
    }

    synchronized Duration restartApiServer() {
      Duration took = controlPlane.restartApiServer();
      owned.recordChildren();
      return took;
    }

    public KubernetesClient client() {
      return controlPlane.client();
    }

    public ImageDirectories images() {
      return images;
    }

    @Override
    public void close() {
      if (nodeAgent != null) {
        nodeAgent.close();
      }
      controlPlane.close();
      launcher.close();
      OwnedProcesses.deleteTree(stateDir);
    }
  }
}
