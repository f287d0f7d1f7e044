package dev.brokerops.bench.postgres;

import static org.awaitility.Awaitility.await;

import dev.brokerops.bench.ProcessLauncher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL from zonky's Maven-packaged binaries, run as an unprivileged user (initdb and postgres
 * refuse to run as root) in the foreground of this JVM, so it stops with the JVM. Zonky's own
 * launcher is not used: it runs the binaries as the current user and daemonises the server with
 * pg_ctl, which would outlive a killed JVM.
 */
final class UnprivilegedEmbeddedPostgres implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(UnprivilegedEmbeddedPostgres.class);
  private static final String SUPERUSER = "postgres";
  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);

  private final Path instanceDirectory;
  private final ProcessLauncher launcher;
  private final Process postmaster;
  private final FileChannel instanceLockFile;
  private final FileLock instanceLock;
  private final int port;
  private final String password;

  private UnprivilegedEmbeddedPostgres(
      Path instanceDirectory,
      ProcessLauncher launcher,
      Process postmaster,
      FileChannel instanceLockFile,
      FileLock instanceLock,
      int port,
      String password) {
    this.instanceDirectory = instanceDirectory;
    this.launcher = launcher;
    this.postmaster = postmaster;
    this.instanceLockFile = instanceLockFile;
    this.instanceLock = instanceLock;
    this.port = port;
    this.password = password;
  }

  static UnprivilegedEmbeddedPostgres start(String password) {
    Path root = Path.of(System.getProperty("java.io.tmpdir"), "brokerops-postgres");
    try {
      Files.createDirectories(root.resolve("instances"));
      // The unprivileged user must be able to reach the binaries and its data folder.
      Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.setPosixFilePermissions(
          root.resolve("instances"), PosixFilePermissions.fromString("rwxr-xr-x"));
      removeInstancesOfDeadJvms(root.resolve("instances"));
      Path binaries = PostgresBinaries.unpackInto(root);
      UnprivilegedUser user = UnprivilegedUser.forPostgres();

      Path instance =
          Files.createDirectory(
              root.resolve("instances").resolve("instance-" + UUID.randomUUID()),
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
      FileChannel lockFile =
          FileChannel.open(
              instance.resolve("jvm.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = lockFile.lock();
      Path data =
          Files.createDirectory(
              instance.resolve("data"),
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      user.own(data);

      initdb(binaries, user, instance, data, password);
      int port = freePort();
      ProcessLauncher launcher = new ProcessLauncher();
      Process postmaster = startPostmaster(launcher, binaries, user, instance, data, port);
      UnprivilegedEmbeddedPostgres server =
          new UnprivilegedEmbeddedPostgres(
              instance, launcher, postmaster, lockFile, lock, port, password);
      server.awaitReady();
      LOG.info(
          "Embedded PostgreSQL running as user {} on 127.0.0.1:{} (data in {})",
          user.name(),
          port,
          data);
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("Could not start embedded PostgreSQL", e);
    }
  }

  PostgresDatabase admin() {
    return new PostgresDatabase("127.0.0.1", port, "postgres", SUPERUSER, password);
  }

  private static void initdb(
      Path binaries, UnprivilegedUser user, Path instance, Path data, String password)
      throws IOException {
    Path passwordFile = instance.resolve("superuser-password");
    Files.writeString(passwordFile, password, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
    user.own(passwordFile);
    List<String> command = new ArrayList<>(user.commandPrefix(null));
    command.addAll(
        List.of(
            binaries.resolve("bin/initdb").toString(),
            "--pgdata=" + data,
            "--username=" + SUPERUSER,
            "--auth=scram-sha-256",
            "--pwfile=" + passwordFile,
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync"));
    Path log = instance.resolve("initdb.log");
    Process initdb = processBuilder(command, instance).redirectOutput(log.toFile()).start();
    try {
      if (!initdb.waitFor(120, TimeUnit.SECONDS) || initdb.exitValue() != 0) {
        initdb.destroyForcibly();
        throw new IllegalStateException(
            "initdb failed; its output is in " + log + ":\n" + Files.readString(log));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for initdb", e);
    } finally {
      Files.deleteIfExists(passwordFile);
    }
  }

  /**
   * Starts the postmaster through a launcher that lives as long as the server: the parent-death
   * signal fires when the starting thread ends, so it must not be a short-lived test thread.
   */
  private static Process startPostmaster(
      ProcessLauncher launcher,
      Path binaries,
      UnprivilegedUser user,
      Path instance,
      Path data,
      int port) {
    List<String> command = new ArrayList<>(user.commandPrefix("INT"));
    command.addAll(
        List.of(
            binaries.resolve("bin/postgres").toString(),
            "-D",
            data.toString(),
            "-p",
            Integer.toString(port),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "unix_socket_directories=",
            "-c",
            "max_connections=400",
            "-c",
            "timezone=UTC",
            // Test data is thrown away: durability only costs time on a busy machine.
            "-c",
            "fsync=off",
            "-c",
            "synchronous_commit=off",
            "-c",
            "full_page_writes=off"));
    return launcher.startAsGiven(
        processBuilder(command, instance)
            .redirectOutput(instance.resolve("postgres.log").toFile()));
  }

  private static ProcessBuilder processBuilder(List<String> command, Path workingDirectory) {
    ProcessBuilder builder =
        new ProcessBuilder(command).directory(workingDirectory.toFile()).redirectErrorStream(true);
    Map<String, String> environment = builder.environment();
    environment.clear();
    environment.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    environment.put("LC_ALL", "C");
    return builder;
  }

  private void awaitReady() throws IOException {
    try {
      await("PostgreSQL accepting connections on port " + port)
          .atMost(STARTUP_TIMEOUT)
          .pollInterval(Duration.ofMillis(100))
          .failFast("postgres exited during start-up", () -> !postmaster.isAlive())
          .ignoreExceptionsInstanceOf(SQLException.class)
          .until(
              () -> {
                try (Connection connection = admin().connect()) {
                  return connection.isValid(5);
                }
              });
    } catch (ConditionTimeoutException | org.awaitility.core.TerminalFailureException e) {
      String log = Files.readString(instance().resolve("postgres.log"));
      close();
      throw new IllegalStateException(
          "PostgreSQL did not start: " + e.getMessage() + "\n" + log, e);
    }
  }

  private Path instance() {
    return instanceDirectory;
  }

  /** Fast shutdown (SIGINT): ends open sessions instead of waiting for them, as tests want. */
  @Override
  public void close() {
    try {
      if (postmaster.isAlive()) {
        new ProcessBuilder("kill", "-INT", Long.toString(postmaster.pid()))
            .start()
            .waitFor(10, TimeUnit.SECONDS);
        if (!postmaster.waitFor(30, TimeUnit.SECONDS)) {
          postmaster.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
      launcher.close();
      instanceLock.release();
      instanceLockFile.close();
      PostgresBinaries.deleteRecursively(instanceDirectory);
    } catch (IOException e) {
      LOG.warn("Cleaning up {} failed: {}", instanceDirectory, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Instances whose JVM died without cleaning up (e.g. SIGKILL): their server got SIGINT from
   * setpriv; remove what is left.
   */
  private static void removeInstancesOfDeadJvms(Path instances) {
    try (var children = Files.list(instances)) {
      for (Path instance : children.toList()) {
        Path lockPath = instance.resolve("jvm.lock");
        if (!Files.exists(lockPath)) {
          continue; // being created right now by another JVM, or not ours
        }
        try (FileChannel channel = FileChannel.open(lockPath, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock()) {
          if (lock != null) {
            stopLeftoverPostmaster(instance.resolve("data"));
            PostgresBinaries.deleteRecursively(instance);
          }
        } catch (OverlappingFileLockException ownInstance) {
          // Held by this JVM: alive.
        } catch (IOException e) {
          LOG.debug("Could not inspect {}: {}", instance, e.toString());
        }
      }
    } catch (IOException e) {
      LOG.debug("Could not list {}: {}", instances, e.toString());
    }
  }

  private static void stopLeftoverPostmaster(Path data) throws IOException {
    Path pidFile = data.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    String firstLine = Files.readAllLines(pidFile).stream().findFirst().orElse("").strip();
    if (firstLine.matches("\\d+")) {
      ProcessHandle.of(Long.parseLong(firstLine))
          .filter(
              handle ->
                  handle
                      .info()
                      .command()
                      .map(command -> command.endsWith("/postgres"))
                      .orElse(false))
          .ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
