package dev.brokerops.bench;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real etcd and kube-apiserver (through Fabric8 kube-api-test, offline, from the bench cache) and a
 * real kube-controller-manager running the Job, Deployment, ReplicaSet, garbage-collector,
 * namespace, service-account, TTL, resource-quota, root-CA-publisher and ClusterRole-aggregation
 * controllers.
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
          "clusterrole-aggregation-controller");

  private final BenchLayout layout;
  private final Path stateDir;
  private final ProcessLauncher launcher;
  private KubeAPIServer apiServer;
  private Process controllerManager;
  private Path kubeconfig;
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
    apiServer =
        new KubeAPIServer(
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
                    "--enable-admission-plugins", "OwnerReferencesPermissionEnforcement")
                .build());
    apiServer.start();
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

  /** The API server's URL, as in-cluster clients reach it. */
  public String masterUrl() {
    return client.getConfiguration().getMasterUrl();
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
    if (apiServer != null) {
      apiServer.stop();
    }
  }
}
