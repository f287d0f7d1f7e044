package dev.brokerops.e2e;

import dev.brokerops.bench.Bench;
import dev.brokerops.upgrade.OperatorMain;
import dev.brokerops.upgrade.api.BrokerUpgradeCrd;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The operator as it runs in production: its own JVM (this test JVM's classpath), the bench's
 * kubeconfig, the CRD applied from {@code crds/} with kubectl. Can be killed with SIGKILL and
 * started again. As a JUnit extension it runs for a whole test class:
 *
 * <pre>
 * {@code @RegisterExtension @Order(2) static final OperatorProcess operator = OperatorProcess.forClass(bench);}
 * </pre>
 */
public final class OperatorProcess implements AutoCloseable, BeforeAllCallback, AfterAllCallback {

  private final Bench bench;
  private final Path log;
  private Process process;

  private OperatorProcess(Bench bench, Path log) {
    this.bench = bench;
    this.log = log;
  }

  /**
   * An operator that starts before the class's tests (once {@code bench} is up) and stops after
   * them.
   */
  public static OperatorProcess forClass(Bench bench) {
    return new OperatorProcess(bench, logFile());
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    applyCrd(bench);
    restart();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  /** Installs the generated CRD and waits until it is established. */
  public static void applyCrd(Bench bench) {
    try {
      BrokerUpgradeCrd.apply(bench.client());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Applies the generated CRD and starts the operator, watching every namespace. */
  public static OperatorProcess start(Bench bench) {
    applyCrd(bench);
    OperatorProcess operator = new OperatorProcess(bench, logFile());
    operator.restart();
    return operator;
  }

  private static Path logFile() {
    try {
      return Files.createDirectories(Path.of("target", "e2e"))
          // one per test JVM: Failsafe runs two at once
          .resolve("operator-" + ProcessHandle.current().pid() + ".log")
          .toAbsolutePath();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts the operator (again); its output is appended to {@code target/e2e/operator.log}. */
  public void restart() {
    ProcessBuilder builder =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:+UseSerialGC",
                    "-Xmx256m",
                    "-cp",
                    System.getProperty("java.class.path"),
                    OperatorMain.class.getName()))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().put("KUBECONFIG", bench.kubeconfig().toString());
    builder.environment().remove(OperatorMain.WATCH_NAMESPACES);
    process = bench.launcher().start(builder);
  }

  /** SIGKILL: no shutdown hook, no last status write. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public Path log() {
    return log;
  }

  @Override
  public void close() {
    if (process == null) {
      // the start failed before the process did (the failure is reported on its own)
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
