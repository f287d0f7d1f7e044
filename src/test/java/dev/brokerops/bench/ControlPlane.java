package dev.brokerops.bench;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfig;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real etcd and kube-apiserver (through Fabric8 kube-api-test, offline, from the bench cache) and a
 * real kube-controller-manager running the Job, Deployment, ReplicaSet, garbage-collector,
 * namespace, service-account, TTL, resource-quota, root-CA-publisher, ClusterRole-aggregation and
 * EndpointSlice controllers. The API server can be restarted while etcd and every client go on
 * ({@link #restartApiServer()}). It writes an audit log ({@link #auditLog()}): one JSON line per
 * request when its response is complete, the status writes of Jobs and Deployments with their
 * objects.
 */
public final class ControlPlane implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ControlPlane.class);

  /**
   * Controllers that a simulated node can live with: no pod GC, node lifecycle or taint eviction.
   */
  static final List<String> CONTROLLERS =
      List.of(
          "job-controller",
          "deployment-controller",
          "replicaset-controller",
          "garbage-collector-controller",
          "namespace-controller",
          "serviceaccount-controller",
          "ttl-after-finished-controller",
          // counts usage for ResourceQuota admission, which refuses everything while it is unknown
          "resourcequota-controller",
          "root-ca-certificate-publisher-controller",
          // folds ClusterRoles labelled rbac.authorization.k8s.io/aggregate-to-view/edit/admin into
          // the default view/edit/admin roles, as on a real cluster
          "clusterrole-aggregation-controller",
          // EndpointSlices of Services list their pods' IPs and readiness, which clients that
          // route like kube-proxy follow (only ready endpoints get requests)
          "endpointslice-controller");

  /**
   * How long a restart lets the API server shut down gracefully. At SIGTERM it stops listening at
   * once and finishes its requests in flight, but then waits for its open watch connections up to
   * its 60 s shutdown timeout (a kubelet would wait out the pod's grace period); the bench kills it
   * after this.
   */
  private static final Duration API_SERVER_STOP_GRACE = Duration.ofSeconds(5);

  /**
   * What the API server's audit log keeps: each request once, when its response is complete; the
   * Job and Deployment controllers' status writes with request and response (which write set a
   * Job's {@code Complete}, which showed a rollout done); everything else as metadata (user, verb,
   * resource, name, timestamps in microseconds).
   */
  static final String AUDIT_POLICY =
      """
      apiVersion: audit.k8s.io/v1
      kind: Policy
      omitStages: ["RequestReceived", "ResponseStarted", "Panic"]
      rules:
        - level: RequestResponse
          resources:
            - group: batch
              resources: ["jobs/status"]
            - group: apps
              resources: ["deployments/status"]
        - level: Metadata
      """;

  /**
   * {@code -Dbench.audit=false} runs the API server without its audit log (to measure its cost).
   */
  static final boolean AUDIT = !"false".equals(System.getProperty("bench.audit"));

  private final BenchLayout layout;
  private final Path stateDir;
  private final ProcessLauncher launcher;
  private BenchApiServer apiServer;

  /** The API server once the bench has restarted it (kube-api-test started the first one). */
  private Process restartedApiServer;

  private List<String> apiServerCommand;
  private Process controllerManager;
  private Path kubeconfig;
  private Path auditLog;
  private KubernetesClient client;

  ControlPlane(BenchLayout layout, Path stateDir, ProcessLauncher launcher) {
    this.layout = layout;
    this.stateDir = stateDir;
    this.launcher = launcher;
  }

  /** Starts etcd and the API server. */
  void start() throws IOException {
    layout.binary("kube-apiserver");
    layout.binary("etcd");
    KubeAPIServerConfigBuilder config =
        KubeAPIServerConfigBuilder.anAPIServerConfig()
            .withTestDir(layout.kubeApiTestDir().toString())
            .withApiServerVersion(layout.kubernetesVersion())
            .withOfflineMode(true)
            .withStartupTimeout(120_000)
            // an offline machine may have no default route for the API server to pick an
            // address from
            .withApiServerFlag("--advertise-address", "127.0.0.1")
            // 1.37 refuses a loopback address for the `kubernetes` Service's endpoints; on the
            // bench
            // in-cluster clients get the API server's address from the node agent instead
            .withApiServerFlag("--endpoint-reconciler-type", "none")
            // off by default upstream, on in OpenShift and hardened clusters: setting
            // blockOwnerDeletion needs `update` on the owner's finalizers subresource.
            // `--enable-admission-plugins` adds to the default-on plugins (the launcher only
            // edits the disable list, dropping ServiceAccount from it)
            .withApiServerFlag(
                "--enable-admission-plugins", "OwnerReferencesPermissionEnforcement");
    if (AUDIT) {
      Path policy = stateDir.resolve("audit-policy.yaml");
      Files.writeString(policy, AUDIT_POLICY);
      auditLog = stateDir.resolve("audit.log");
      config
          .withApiServerFlag("--audit-policy-file", policy.toString())
          .withApiServerFlag("--audit-log-path", auditLog.toString())
          .withApiServerFlag("--audit-log-format", "json")
          // written in the request's path, straight to the file (no batching, no buffer)
          .withApiServerFlag("--audit-log-mode", "blocking")
          // never rotated (the default rotates at 100 MB): readers keep offsets into one file
          .withApiServerFlag("--audit-log-maxsize", "0");
    }
    apiServer = new BenchApiServer(config.build());
    apiServer.start();
    if (auditLog != null) {
      log.info("API server audit log: {}", auditLog);
    }
    kubeconfig = stateDir.resolve("kubeconfig");
    Files.writeString(kubeconfig, apiServer.getKubeConfigYaml());
    client =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(apiServer.getKubeConfigYaml()))
            .build();
  }

  /** Starts kube-controller-manager against the running API server. */
  void startControllers() throws IOException {
    Path certs = layout.kubeApiTestDir();
    Path logFile = stateDir.resolve("kube-controller-manager.log");
    ProcessBuilder builder =
        new ProcessBuilder(
                List.of(
                    layout.binary("kube-controller-manager").toString(),
                    "--kubeconfig=" + kubeconfig,
                    "--leader-elect=false",
                    "--controllers=" + String.join(",", CONTROLLERS),
                    "--root-ca-file=" + certs.resolve("apiserver.crt"),
                    "--service-account-private-key-file=" + certs.resolve("apiserver.key"),
                    "--secure-port=0",
                    // the bench's controllers act at once: tests wait on them
                    "--concurrent-deployment-syncs=5",
                    "--concurrent-job-syncs=5",
                    "--v=1"))
            .redirectErrorStream(true)
            .redirectOutput(logFile.toFile());
    controllerManager = launcher.start(builder);
    // the service-account controller shows it is up: it creates `default` in every namespace
    await("kube-controller-manager to create the default ServiceAccount (log: " + logFile + ")")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              if (!controllerManager.isAlive()) {
                throw new IllegalStateException(
                    "kube-controller-manager exited with "
                        + controllerManager.exitValue()
                        + "; see "
                        + logFile);
              }
              return client.serviceAccounts().inNamespace("default").withName("default").get()
                  != null;
            });
    log.info("kube-controller-manager running controllers {}", CONTROLLERS);
  }

  public KubernetesClient client() {
    return client;
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  /**
   * The API server's audit log (see {@link #AUDIT_POLICY}; read it with {@link AuditLog}), or empty
   * when the bench runs without one ({@code -Dbench.audit=false}).
   */
  public Optional<Path> auditLog() {
    return Optional.ofNullable(auditLog);
  }

  /** The API server's URL, as in-cluster clients reach it. */
  public String masterUrl() {
    return client.getConfiguration().getMasterUrl();
  }

  /**
   * Stops the API server (SIGTERM, as a control-plane upgrade does, then SIGKILL after {@link
   * #API_SERVER_STOP_GRACE}) and starts it again with the same command line: flags, port,
   * certificates and the same etcd, which keeps running, so nothing stored is lost. Returns once
   * {@code /readyz} answers ok, with the time that took. Clients (this one,
   * kube-controller-manager, the node agent, an operator) reconnect by themselves.
   *
   * <p>kube-api-test's own stop and start cannot do this: its stop deletes etcd's data, and its
   * start picks new ports. So the bench stops the API server process itself and starts the same
   * command line again; the first time, it reads that command line from the running process.
   */
  Duration restartApiServer() {
    long start = System.nanoTime();
    ProcessHandle running =
        restartedApiServer != null ? restartedApiServer.toHandle() : firstApiServer();
    if (apiServerCommand == null) {
      apiServerCommand = commandLine(running);
    }
    apiServer.stoppingForRestart(running.pid());
    running.destroy();
    try {
      running.onExit().get(API_SERVER_STOP_GRACE.toSeconds(), TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      log.info(
          "kube-apiserver (pid {}) still waits for open connections after {} s: SIGKILL",
          running.pid(),
          API_SERVER_STOP_GRACE.toSeconds());
      OwnedProcesses.killTree(running);
    } catch (Exception e) {
      throw new IllegalStateException("waiting for kube-apiserver to stop", e);
    }
    long stopped = System.nanoTime();
    Path logFile = stateDir.resolve("kube-apiserver.log");
    restartedApiServer =
        launcher.start(
            new ProcessBuilder(apiServerCommand)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())));
    awaitReady(logFile);
    long ready = System.nanoTime();
    log.info(
        "kube-apiserver restarted in {} ms (stopped in {} ms, ready {} ms after its start; log {})",
        (ready - start) / 1_000_000,
        (stopped - start) / 1_000_000,
        (ready - stopped) / 1_000_000,
        logFile);
    return Duration.ofNanos(ready - start);
  }

  /** The API server kube-api-test started: this JVM's child serving the bench's port. */
  private ProcessHandle firstApiServer() {
    String port = String.valueOf(URI.create(masterUrl()).getPort());
    return ProcessHandle.current()
        .children()
        .filter(
            child -> {
              List<String> command = commandLine(child);
              int flag = command.indexOf("--secure-port");
              return Path.of(command.get(0)).getFileName().toString().startsWith("kube-apiserver")
                  && flag > 0
                  && flag + 1 < command.size()
                  && command.get(flag + 1).equals(port);
            })
        .findFirst()
        .orElseThrow(
            () -> new IllegalStateException("no kube-apiserver child of this JVM on port " + port));
  }

  /**
   * A process's executable and arguments as the kernel has them: after the launcher script's {@code
   * exec}, the real binary and the flags it really got.
   */
  private static List<String> commandLine(ProcessHandle process) {
    ProcessHandle.Info info = process.info();
    List<String> command = new ArrayList<>();
    command.add(info.command().orElse(""));
    info.arguments().ifPresent(arguments -> command.addAll(List.of(arguments)));
    return command;
  }

  private void awaitReady(Path logFile) {
    // a probe that fails fast: the shared client retries a refused connection for seconds
    Config probeConfig =
        new ConfigBuilder(client.getConfiguration())
            .withRequestRetryBackoffLimit(0)
            .withConnectionTimeout(1_000)
            .withRequestTimeout(2_000)
            .build();
    try (KubernetesClient probe = new KubernetesClientBuilder().withConfig(probeConfig).build()) {
      await("kube-apiserver /readyz after its restart (log: " + logFile + ")")
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                if (!restartedApiServer.isAlive()) {
                  throw new IllegalStateException(
                      "kube-apiserver exited with "
                          + restartedApiServer.exitValue()
                          + " after its restart; see "
                          + logFile);
                }
                try {
                  return "ok".equals(probe.raw("/readyz"));
                } catch (KubernetesClientException e) {
                  return false;
                }
              });
    }
  }

  @Override
  public void close() {
    if (controllerManager != null) {
      controllerManager.destroy();
      try {
        if (!controllerManager.waitFor(10, TimeUnit.SECONDS)) {
          OwnedProcesses.killTree(controllerManager.toHandle());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (client != null) {
      client.close();
    }
    if (restartedApiServer != null) {
      restartedApiServer.destroy();
      try {
        if (!restartedApiServer.waitFor(API_SERVER_STOP_GRACE.toSeconds(), TimeUnit.SECONDS)) {
          OwnedProcesses.killTree(restartedApiServer.toHandle());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (apiServer != null) {
      // etcd and its data; kube-api-test knows its API server process is gone after a restart
      apiServer.stop();
    }
  }

  /**
   * kube-api-test's API server, except that the bench stopping it for a restart is not taken for a
   * crash: kube-api-test answers an API server process that ends by itself by stopping etcd and
   * deleting etcd's data. (kube-api-test still logs that the process "stopped unexpectedly".)
   */
  private static final class BenchApiServer extends KubeAPIServer {

    private volatile long restartingPid = -1;

    BenchApiServer(KubeAPIServerConfig config) {
      super(config);
    }

    void stoppingForRestart(long pid) {
      restartingPid = pid;
    }

    @Override
    public void processStopped(Process process) {
      if (process.pid() == restartingPid) {
        log.info("kube-apiserver (pid {}) stopped for a restart; etcd goes on", process.pid());
        return;
      }
      super.processStopped(process);
    }
  }
}
