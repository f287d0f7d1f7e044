package dev.brokerops.referencebroker;

import static org.awaitility.Awaitility.await;

import dev.brokerops.bench.Kubectl;
import dev.brokerops.bench.postgres.PostgresDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test support: builds the reference broker's images under {@code target/images} once per JVM and
 * runs their {@code bin/} entrypoints as real processes, with the image's {@code bin/} first on
 * PATH and a licence in {@code RG_LIC_PATH}, the way the node agent runs them.
 */
final class BrokerImageRunner {

  static final Path IMAGES_ROOT = Path.of("target", "images").toAbsolutePath();
  static final Duration PROCESS_TIMEOUT = Duration.ofMinutes(3);
  private static final Path LOGS = Path.of("target", "broker-logs").toAbsolutePath();
  private static final AtomicInteger PROCESSES = new AtomicInteger();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static Map<String, Path> images;
  private static Path licenceDirectory;

  private BrokerImageRunner() {}

  static synchronized Path image(String tag) {
    if (images == null) {
      images = ReferenceBrokerImages.buildAll(IMAGES_ROOT);
    }
    return images.get(tag);
  }

  /** A folder holding a licence file, for {@code RG_LIC_PATH}. */
  static synchronized Path licenceDirectory() {
    if (licenceDirectory == null) {
      try {
        Path directory =
            Files.createDirectories(Path.of("target", "test-licence").toAbsolutePath());
        Files.writeString(
            directory.resolve(LicenceCheck.FILE_NAME), "reference broker test licence\n");
        licenceDirectory = directory;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return licenceDirectory;
  }

  /** The environment a broker container gets in the tests: the database URL and the licence. */
  static Map<String, String> environment(PostgresDatabase database) {
    Map<String, String> environment = new HashMap<>();
    environment.put(DatabaseUrl.ENV, database.brokerUrl());
    environment.put(LicenceCheck.DIRECTORY_ENV, licenceDirectory().toString());
    return environment;
  }

  static Map<String, String> with(Map<String, String> environment, String name, String value) {
    Map<String, String> copy = new HashMap<>(environment);
    copy.put(name, value);
    return copy;
  }

  /** Runs an entrypoint of an image to its end. */
  static Exited run(String tag, String entrypoint, Map<String, String> environment) {
    return start(tag, entrypoint, environment).awaitExit();
  }

  /** Starts an entrypoint of an image; the caller waits for it or stops it. */
  static Launched start(String tag, String entrypoint, Map<String, String> environment) {
    Path image = image(tag);
    int number = PROCESSES.incrementAndGet();
    try {
      Files.createDirectories(LOGS);
      Path stdout = LOGS.resolve(number + "-" + tag + "-" + entrypoint + ".out");
      Path stderr = LOGS.resolve(number + "-" + tag + "-" + entrypoint + ".err");
      ProcessBuilder builder =
          new ProcessBuilder(image.resolve("bin").resolve(entrypoint).toString())
              .redirectOutput(stdout.toFile())
              .redirectError(stderr.toFile());
      Map<String, String> processEnvironment = builder.environment();
      processEnvironment
          .keySet()
          .removeIf(
              name -> name.startsWith("PACTFLOW_") || name.equals(LicenceCheck.DIRECTORY_ENV));
      processEnvironment.put(
          "PATH",
          image.resolve("bin") + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
      processEnvironment.putAll(environment);
      return new Launched(builder.start(), stdout, stderr);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not start " + entrypoint + " of " + tag, e);
    }
  }

  /**
   * Runs the seed's rollback command (or a variant) with {@code /bin/sh -c}, as the rollback Job
   * does.
   */
  static String shell(String command) {
    Kubectl.Result result =
        Kubectl.runToEnd(
            new ProcessBuilder("/bin/sh", "-c", command).redirectErrorStream(true),
            null,
            Duration.ofSeconds(30));
    if (!result.succeeded()) {
      throw new IllegalStateException("'" + command + "' failed: " + result.output());
    }
    return result.output();
  }

  /** Starts {@code docker-entrypoint} on a free port and waits until its heartbeat answers. */
  static RunningBroker serve(String tag, Map<String, String> environment) {
    RunningBroker broker = startServing(tag, environment);
    await(tag + " broker heartbeat on port " + broker.port)
        .atMost(PROCESS_TIMEOUT)
        .pollInterval(Duration.ofMillis(200))
        .failFast(tag + " broker exited during start-up", () -> !broker.isAlive())
        .until(broker::heartbeatOk);
    return broker;
  }

  /** Starts {@code docker-entrypoint} on a free port without waiting for anything. */
  static RunningBroker startServing(String tag, Map<String, String> environment) {
    int port = freePort();
    Launched launched =
        start(tag, "docker-entrypoint", with(environment, "PORT", Integer.toString(port)));
    return new RunningBroker(tag, launched, port);
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A started process whose output goes to files (no pipe to fill up). */
  record Launched(Process process, Path stdoutFile, Path stderrFile) {

    Exited awaitExit() {
      try {
        if (!process.waitFor(PROCESS_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new IllegalStateException(
              "Process did not end within " + PROCESS_TIMEOUT + "; stderr: " + read(stderrFile));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      return new Exited(process.exitValue(), read(stdoutFile), read(stderrFile));
    }

    private static String read(Path file) {
      try {
        return Files.readString(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** How a process ended: exit code and everything it wrote. */
  record Exited(int exitCode, String stdout, String stderr) {

    List<String> stderrLines() {
      return stderr.lines().toList();
    }

    /** The last line on stderr: where the entrypoints put their one-line failure message. */
    String lastStderrLine() {
      List<String> lines = stderrLines();
      return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
    }
  }

  /** A running {@code docker-entrypoint}. */
  static final class RunningBroker implements AutoCloseable {

    private final String tag;
    private final Launched launched;
    private final int port;

    RunningBroker(String tag, Launched launched, int port) {
      this.tag = tag;
      this.launched = launched;
      this.port = port;
    }

    boolean heartbeatOk() {
      return heartbeatStatus() == 200;
    }

    boolean isAlive() {
      return launched.process().isAlive();
    }

    /** The heartbeat's body, or empty when nothing answers. */
    String heartbeatBody() {
      try {
        return get(ServeCommand.HEARTBEAT_PATH).body();
      } catch (IOException e) {
        return "";
      }
    }

    /** The heartbeat's HTTP status, or -1 when nothing answers. */
    int heartbeatStatus() {
      try {
        return get(ServeCommand.HEARTBEAT_PATH).statusCode();
      } catch (IOException e) {
        return -1;
      }
    }

    WriterCounters counters() {
      try {
        return WriterCounters.fromJson(get(ServeCommand.COUNTERS_PATH).body());
      } catch (IOException e) {
        throw new UncheckedIOException(tag + " broker's counters unreadable", e);
      }
    }

    /** SIGTERM, as the kubelet sends it; returns how the process ended. */
    Exited stop() {
      signalTerm();
      return awaitExit();
    }

    /** SIGTERM without waiting: the broker may go on draining. */
    void signalTerm() {
      launched.process().destroy();
    }

    Exited awaitExit() {
      return launched.awaitExit();
    }

    /** The counters the broker printed when it stopped. */
    static WriterCounters finalCounters(Exited exited) {
      return exited
          .stdout()
          .lines()
          .filter(line -> line.startsWith(ServeCommand.FINAL_COUNTERS_PREFIX))
          .map(
              line ->
                  WriterCounters.fromJson(
                      line.substring(ServeCommand.FINAL_COUNTERS_PREFIX.length())))
          .findFirst()
          .orElseThrow(() -> new AssertionError("No final counters in the output:\n" + exited));
    }

    private HttpResponse<String> get(String path) throws IOException {
      try {
        return HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
    }

    @Override
    public void close() {
      if (launched.process().isAlive()) {
        launched.process().destroyForcibly();
      }
    }
  }
}
