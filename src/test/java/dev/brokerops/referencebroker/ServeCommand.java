package dev.brokerops.referencebroker;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@code docker-entrypoint}: migrates unless told not to, then serves HTTP and writes publications
 * until SIGTERM (or SIGINT), drains for {@code DRAIN_SECONDS}, then stops writing, reports its
 * counters and exits 0. A broken release ({@link BrokerRelease#neverReady()}) serves a failing
 * heartbeat instead and writes nothing.
 */
final class ServeCommand {

  static final String AUTO_MIGRATE_ENV = "PACTFLOW_DATABASE_AUTO_MIGRATE";
  static final String HEARTBEAT_PATH = "/diagnostic/status/heartbeat";
  static final String COUNTERS_PATH = "/diagnostic/counters";

  /**
   * How long the broker goes on serving and writing after SIGTERM, as a real server finishes its
   * requests in flight; keep it below the pod's terminationGracePeriodSeconds or SIGKILL cuts it.
   */
  static final String DRAIN_SECONDS_ENV = "DRAIN_SECONDS";

  /** The final counters go to stdout on a line starting with this, for people and for tests. */
  static final String FINAL_COUNTERS_PREFIX = "final-counters ";

  private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

  private final BrokerRelease release;
  private final DatabaseUrl database;
  private final Map<String, String> environment;
  private final MigrateCommand migration;

  ServeCommand(
      BrokerRelease release,
      DatabaseUrl database,
      Map<String, String> environment,
      MigrateCommand migration) {
    this.release = release;
    this.database = database;
    this.environment = environment;
    this.migration = migration;
  }

  void run() throws IOException, InterruptedException {
    int port = parsePort(environment.getOrDefault("PORT", "9292"));
    // Where several replicas share one network (the bench), each binds its own pod IP.
    String bindAddress = environment.getOrDefault("BIND_ADDRESS", "0.0.0.0").strip();
    double writesPerSecond = parseRate(environment.getOrDefault("WRITES_PER_SECOND", "20"));
    String countersFile = environment.get("WRITER_COUNTERS_FILE");
    Duration drain = parseDrain(environment.getOrDefault(DRAIN_SECONDS_ENV, "0"));

    // Installed before anything slow, so an early SIGTERM still means "stop cleanly".
    CountDownLatch stopRequested = new CountDownLatch(1);
    // A second signal cuts the drain short, as a person pressing Ctrl-C twice expects.
    CountDownLatch drainCutShort = new CountDownLatch(1);
    SignalHandler onSignal =
        signal -> {
          if (stopRequested.getCount() == 0) {
            drainCutShort.countDown();
          }
          stopRequested.countDown();
        };
    Signal.handle(new Signal("TERM"), onSignal);
    Signal.handle(new Signal("INT"), onSignal);

    if ("false".equalsIgnoreCase(environment.getOrDefault(AUTO_MIGRATE_ENV, "true").strip())) {
      LOG.info("{}=false: not migrating", AUTO_MIGRATE_ENV);
    } else {
      migration.migrate();
    }
    if (stopRequested.getCount() == 0) {
      LOG.info("Stop requested while starting: not serving");
      System.out.println(
          FINAL_COUNTERS_PREFIX
              + new WriterCounters(writerId(), release.version(), 0, 0, 0, null, true).toJson());
      return;
    }

    if (release.neverReady()) {
      serveNeverReady(bindAddress, port, stopRequested);
      return;
    }

    PublicationWriter writer =
        new PublicationWriter(
            database,
            release,
            writerId(),
            writesPerSecond,
            countersFile == null || countersFile.isBlank() ? null : Path.of(countersFile));
    HttpServer server = httpServer(bindAddress, port);
    // Failing from SIGTERM on takes a draining pod out of a Service while its writes go on.
    server.createContext(
        HEARTBEAT_PATH,
        exchange -> {
          if (stopRequested.getCount() == 0) {
            respond(exchange, 503, "{\"ok\":false,\"draining\":true}");
          } else {
            respond(exchange, 200, "{\"ok\":true}");
          }
        });
    server.createContext(
        COUNTERS_PATH, exchange -> respond(exchange, 200, writer.counters().toJson()));
    writer.start();
    server.start();
    LOG.info(
        "Reference broker {} serving on port {}, writing {} publication(s) per second as {}",
        release.version(),
        server.getAddress().getPort(),
        writesPerSecond,
        writer.counters().writerId());

    stopRequested.await();
    if (!drain.isZero()) {
      LOG.info(
          "Draining for {}: heartbeat failing, still serving and writing ({} write(s) so far)",
          drain,
          writer.counters().acknowledged());
      if (drainCutShort.await(drain.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.info("Second signal: drain cut short");
      }
    }
    LOG.info("Stopping: no new writes");
    writer.close();
    server.stop(0);
    WriterCounters counters = writer.counters();
    System.out.println(FINAL_COUNTERS_PREFIX + counters.toJson());
    System.out.flush();
    LOG.info(
        "Stopped; acknowledged {} write(s), {} error(s)",
        counters.acknowledged(),
        counters.errors());
  }

  /**
   * The broken release's server: every heartbeat answers 503 until SIGTERM. It writes nothing, as a
   * pod that is never ready gets no traffic, so a rollback from it has no rows of its own to lose.
   */
  private void serveNeverReady(String bindAddress, int port, CountDownLatch stopRequested)
      throws IOException, InterruptedException {
    String writerId = writerId();
    HttpServer server = httpServer(bindAddress, port);
    server.createContext(
        HEARTBEAT_PATH,
        exchange ->
            respond(
                exchange,
                503,
                "{\"ok\":false,\"error\":\"reference broker "
                    + release.version()
                    + " is a broken release and never becomes ready\"}"));
    server.createContext(
        COUNTERS_PATH,
        exchange ->
            respond(
                exchange,
                200,
                new WriterCounters(writerId, release.version(), 0, 0, 0, null, false).toJson()));
    server.start();
    LOG.error(
        "Reference broker {} is a broken release: serving on port {}, but its heartbeat answers 503"
            + " until it is stopped, and it writes nothing",
        release.version(),
        server.getAddress().getPort());
    stopRequested.await();
    server.stop(0);
    System.out.println(
        FINAL_COUNTERS_PREFIX
            + new WriterCounters(writerId, release.version(), 0, 0, 0, null, true).toJson());
    System.out.flush();
    LOG.info("Stopped; wrote nothing");
  }

  private static HttpServer httpServer(String bindAddress, int port) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(bindAddress, port), 50);
    server.setExecutor(
        Executors.newFixedThreadPool(
            2,
            runnable -> {
              Thread thread = new Thread(runnable, "http");
              thread.setDaemon(true);
              return thread;
            }));
    return server;
  }

  /** Unique per process even when replicas share a host name, so their rows never collide. */
  private String writerId() {
    String explicit = environment.get("WRITER_ID");
    if (explicit != null && !explicit.isBlank()) {
      return explicit;
    }
    String prefix = environment.getOrDefault("HOSTNAME", "writer");
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static void respond(HttpExchange exchange, int status, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream output = exchange.getResponseBody()) {
      output.write(body);
    }
  }

  private static int parsePort(String text) {
    if (!text.strip().matches("[0-9]{1,5}") || Integer.parseInt(text.strip()) > 65535) {
      throw new BrokerFailure("PORT must be a port number, not '" + text + "'");
    }
    return Integer.parseInt(text.strip());
  }

  static Duration parseDrain(String text) {
    String seconds = text.strip();
    if (!seconds.matches("[0-9]{1,4}(\\.[0-9]{1,3})?")) {
      throw new BrokerFailure(
          DRAIN_SECONDS_ENV + " must be a number of seconds (0 or more), not '" + text + "'");
    }
    return Duration.ofMillis(Math.round(Double.parseDouble(seconds) * 1000));
  }

  private static double parseRate(String text) {
    try {
      return Double.parseDouble(text.strip());
    } catch (NumberFormatException e) {
      throw new BrokerFailure("WRITES_PER_SECOND must be a number, not '" + text + "'");
    }
  }
}
