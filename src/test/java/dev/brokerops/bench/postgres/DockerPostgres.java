package dev.brokerops.bench.postgres;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;

/** A PostgreSQL server in a Testcontainers container, used where a Docker engine answers. */
final class DockerPostgres implements AutoCloseable {

  private static final String IMAGE = "postgres:16-alpine";

  private final PostgreSQLContainer<?> container;

  private DockerPostgres(PostgreSQLContainer<?> container) {
    this.container = container;
  }

  /**
   * Asks Testcontainers only when a Docker endpoint is plausibly there: its own probing of every
   * strategy is slow and noisy on machines without Docker, which is the common case here.
   */
  static boolean engineAnswers(Map<String, String> environment) {
    boolean endpointNamed =
        environment.containsKey("DOCKER_HOST")
            || Files.exists(Path.of("/var/run/docker.sock"))
            || Files.exists(Path.of(System.getProperty("user.home"), ".testcontainers.properties"));
    if (!endpointNamed) {
      return false;
    }
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException e) {
      return false;
    }
  }

  static DockerPostgres start() {
    PostgreSQLContainer<?> container =
        new PostgreSQLContainer<>(IMAGE)
            .withUsername("bench")
            .withPassword(PostgresServer.randomSecret())
            .withCommand("postgres", "-c", "fsync=off", "-c", "max_connections=300");
    container.start();
    return new DockerPostgres(container);
  }

  PostgresDatabase admin() {
    return new PostgresDatabase(
        container.getHost(),
        container.getMappedPort(5432),
        container.getDatabaseName(),
        container.getUsername(),
        container.getPassword());
  }

  @Override
  public void close() {
    container.stop();
  }
}
