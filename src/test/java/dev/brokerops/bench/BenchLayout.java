package dev.brokerops.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** Where the bench finds its upstream binaries and where one bench instance keeps its state. */
public final class BenchLayout {

  private final Path projectDir;
  private final Path cache;
  private final String kubernetesVersion;

  private BenchLayout(Path projectDir, Path cache, Properties versions) {
    this.projectDir = projectDir;
    this.cache = cache;
    this.kubernetesVersion = versions.getProperty("KUBERNETES_VERSION");
  }

  /**
   * The layout seen from this JVM: the project is the working directory (Maven and make run there).
   */
  public static BenchLayout current() {
    Path project = Path.of("").toAbsolutePath();
    String cacheSetting = System.getProperty("bench.cache", System.getenv("BENCH_CACHE"));
    Path cache =
        cacheSetting == null || cacheSetting.isBlank()
            ? Path.of(System.getProperty("user.home"), ".cache", "brokerops-bench")
            : Path.of(cacheSetting);
    Properties versions = new Properties();
    try (var reader = Files.newBufferedReader(project.resolve("src/test/bench/versions.env"))) {
      versions.load(reader);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read src/test/bench/versions.env (run from the project root)", e);
    }
    return new BenchLayout(project, cache, versions);
  }

  public String kubernetesVersion() {
    return kubernetesVersion;
  }

  /** The folder kube-api-test reads ({@code k8s/<version>-linux-amd64/} below it). */
  public Path kubeApiTestDir() {
    return cache.resolve("kube-api-test");
  }

  public Path binaryDir() {
    return kubeApiTestDir().resolve("k8s").resolve(kubernetesVersion + "-linux-amd64");
  }

  public Path binary(String name) {
    Path binary = binaryDir().resolve(name);
    if (!Files.isExecutable(binary)) {
      throw new IllegalStateException(
          binary
              + " is missing: run `make bench-binaries` first "
              + "(it builds etcd and Kubernetes "
              + kubernetesVersion
              + " from their Go modules)");
    }
    return binary;
  }

  /**
   * Root of the state of all bench instances; each instance takes a folder below it, named by its
   * JVM's pid. It is in the cache, not the checkout: the node agent overlays host folders such as
   * /home or /tmp, and overlayfs refuses layers inside the folder they are laid over, wherever the
   * project happens to be cloned.
   */
  public Path stateRoot() {
    return cache.resolve("state");
  }
}
