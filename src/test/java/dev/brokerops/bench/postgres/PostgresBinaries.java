package dev.brokerops.bench.postgres;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * PostgreSQL's binaries from zonky's Maven artifact, unpacked once into a world-readable folder
 * (the server runs as an unprivileged user, which must be able to read and execute them).
 */
final class PostgresBinaries {

  private static final String COMPLETE_MARKER = ".complete";

  private PostgresBinaries() {}

  /**
   * The folder holding {@code bin/}, {@code lib/} and {@code share/}, unpacked if not yet there.
   */
  static Path unpackInto(Path parent) {
    try {
      byte[] archive = readArchive();
      Path target = parent.resolve("binaries-" + sha256(archive).substring(0, 16));
      if (Files.exists(target.resolve(COMPLETE_MARKER))) {
        return target;
      }
      Files.createDirectories(parent);
      // Several JVMs (e.g. parallel builds) may start at once: the first unpacks, the others wait.
      try (FileChannel lockFile =
              FileChannel.open(
                  parent.resolve(target.getFileName() + ".lock"),
                  StandardOpenOption.CREATE,
                  StandardOpenOption.WRITE);
          FileLock ignored = lockFile.lock()) {
        if (!Files.exists(target.resolve(COMPLETE_MARKER))) {
          deleteRecursively(target);
          unpack(archive, target);
          Files.createFile(target.resolve(COMPLETE_MARKER));
        }
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("Could not unpack the embedded PostgreSQL binaries", e);
    }
  }

  private static byte[] readArchive() throws IOException {
    String architecture =
        "amd64".equals(System.getProperty("os.arch")) ? "x86_64" : System.getProperty("os.arch");
    try (InputStream stream =
        DefaultPostgresBinaryResolver.INSTANCE.getPgBinary("Linux", architecture)) {
      if (stream == null) {
        throw new IOException(
            "No embedded PostgreSQL binaries for Linux/" + architecture + " on the classpath");
      }
      return stream.readAllBytes();
    }
  }

  private static void unpack(byte[] archive, Path target) throws IOException {
    Files.createDirectories(target);
    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
    try (TarArchiveInputStream tar =
        new TarArchiveInputStream(new XZInputStream(new java.io.ByteArrayInputStream(archive)))) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        Path path = target.resolve(entry.getName()).normalize();
        if (!path.startsWith(target)) {
          throw new IOException("Archive entry outside the target folder: " + entry.getName());
        }
        if (entry.isDirectory()) {
          Files.createDirectories(path);
          Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
        } else if (entry.isSymbolicLink()) {
          Files.createDirectories(path.getParent());
          Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
        } else {
          Files.createDirectories(path.getParent());
          Files.copy(tar, path);
          boolean executable = (entry.getMode() & 0100) != 0 || entry.getName().startsWith("bin/");
          Files.setPosixFilePermissions(
              path, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
        }
      }
    }
  }

  static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (var paths = Files.walk(path)) {
      for (Path each : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(each);
      }
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
