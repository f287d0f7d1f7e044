package dev.brokerops.bench.postgres;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server for tests and for the bench: an external one named by {@code
 * BENCH_POSTGRES_URL}, else a Testcontainers container where a Docker engine answers, else an
 * embedded one run from Maven-packaged binaries.
 */
public final class PostgresServer implements AutoCloseable {

  /**
   * Names an existing server by an admin URL, e.g. {@code postgres://user:pw@host:5432/postgres}.
   */
  public static final String EXTERNAL_URL_ENV = "BENCH_POSTGRES_URL";

  private static final Logger LOG = LoggerFactory.getLogger(PostgresServer.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static PostgresServer shared;

  private final String kind;
  private final PostgresDatabase admin;
  private final AutoCloseable stopper;
  private final AtomicInteger databasesCreated = new AtomicInteger();
  private volatile boolean closed;

  private PostgresServer(String kind, PostgresDatabase admin, AutoCloseable stopper) {
    this.kind = kind;
    this.admin = admin;
    this.stopper = stopper;
  }

  /**
   * The server all tests of this JVM share: started on first use, stopped by a shutdown hook (tests
   * must not close it).
   */
  public static synchronized PostgresServer shared() {
    if (shared == null || shared.closed) {
      PostgresServer server = start();
      Runtime.getRuntime().addShutdownHook(new Thread(server::close, "postgres-server-stopper"));
      shared = server;
    }
    return shared;
  }

  /** Starts (or connects to) a server chosen from the environment; the caller closes it. */
  public static PostgresServer start() {
    return start(System.getenv());
  }

  static PostgresServer start(Map<String, String> environment) {
    String externalUrl = environment.get(EXTERNAL_URL_ENV);
    if (externalUrl != null && !externalUrl.isBlank()) {
      return external(externalUrl);
    }
    if (DockerPostgres.engineAnswers(environment)) {
      DockerPostgres container = DockerPostgres.start();
      return new PostgresServer("docker", container.admin(), container);
    }
    UnprivilegedEmbeddedPostgres embedded = UnprivilegedEmbeddedPostgres.start(randomSecret());
    return new PostgresServer("embedded", embedded.admin(), embedded);
  }

  private static PostgresServer external(String adminUrl) {
    PostgresDatabase admin = parseAdminUrl(adminUrl);
    PostgresServer server = new PostgresServer("external", admin, () -> {});
    server.verifyConnection();
    return server;
  }

  static PostgresDatabase parseAdminUrl(String adminUrl) {
    try {
      URI uri = new URI(adminUrl);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("postgres") && !scheme.equals("postgresql")) {
        throw new IllegalArgumentException(
            EXTERNAL_URL_ENV + " must start with postgres:// or postgresql://");
      }
      String userInfo = uri.getUserInfo() == null ? "postgres" : uri.getUserInfo();
      int colon = userInfo.indexOf(':');
      String user = colon < 0 ? userInfo : userInfo.substring(0, colon);
      String password = colon < 0 ? "" : userInfo.substring(colon + 1);
      String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
      String database = path.isEmpty() ? "postgres" : path;
      int port = uri.getPort() < 0 ? 5432 : uri.getPort();
      return new PostgresDatabase(uri.getHost(), port, database, user, password);
    } catch (URISyntaxException e) {
      // The message of a URISyntaxException quotes the input, password included.
      throw new IllegalArgumentException(EXTERNAL_URL_ENV + " is not a valid URL");
    }
  }

  /** A new, empty database owned by the server's admin user. */
  public PostgresDatabase createDatabase() {
    String name =
        "bench_"
            + databasesCreated.incrementAndGet()
            + "_"
            + HexFormat.of().formatHex(randomBytes(4));
    try (Connection connection = admin.connect();
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE \"" + name + "\"");
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Could not create database " + name + " on " + this + ": " + e.getMessage(), e);
    }
    return new PostgresDatabase(admin.host(), admin.port(), name, admin.user(), admin.password());
  }

  /**
   * The admin connection's database (usually {@code postgres}); tests should prefer {@link
   * #createDatabase()}.
   */
  public PostgresDatabase adminDatabase() {
    return admin;
  }

  /** Which kind of server this is: {@code external}, {@code docker} or {@code embedded}. */
  public String kind() {
    return kind;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      stopper.close();
    } catch (Exception e) {
      LOG.warn("Stopping the {} PostgreSQL server failed: {}", kind, e.toString());
    }
  }

  @Override
  public String toString() {
    return kind + " PostgreSQL at " + admin.host() + ":" + admin.port();
  }

  private void verifyConnection() {
    try (Connection ignored = admin.connect()) {
      LOG.info("Using {}", this);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Cannot connect to " + this + " (from " + EXTERNAL_URL_ENV + "): " + e.getMessage(), e);
    }
  }

  static String randomSecret() {
    return HexFormat.of().formatHex(randomBytes(16));
  }

  private static byte[] randomBytes(int count) {
    byte[] bytes = new byte[count];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  /**
   * Runs a server until this process is stopped, for people and for {@code make cluster}: prints
   * the admin URL as {@code BENCH_POSTGRES_URL=...} on stdout so other processes can use it. With
   * an argument {@code --url-file PATH}, also writes that URL to PATH (mode 600).
   */
  public static void main(String[] args) throws Exception {
    PostgresServer server = start();
    String url = server.adminDatabase().brokerUrl();
    if (args.length == 2 && args[0].equals("--url-file")) {
      Path file = Path.of(args[1]);
      Files.writeString(file, url + "\n");
      file.toFile().setReadable(false, false);
      file.toFile().setReadable(true, true);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                },
                "postgres-server-stopper"));
    System.out.println(EXTERNAL_URL_ENV + "=" + url);
    System.out.flush();
    stopped.await();
  }
}
