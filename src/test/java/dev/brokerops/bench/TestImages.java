package dev.brokerops.bench;

import dev.brokerops.bench.node.ImageDirectories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/** Small shell-script images for the bench's own tests, written into the bench's image folders. */
public final class TestImages {

  private TestImages() {}

  /**
   * Writes image {@code repository:tag} with the given executables in {@code bin/} and an
   * entrypoint; returns the image reference.
   */
  public static String write(
      ImageDirectories images,
      String repository,
      String tag,
      String entrypoint,
      Map<String, String> executables) {
    Path dir = images.root().resolve(repository).resolve(tag);
    try {
      Files.createDirectories(dir.resolve("bin"));
      Files.createDirectories(dir.resolve(".image"));
      for (var executable : executables.entrySet()) {
        Path file = dir.resolve("bin").resolve(executable.getKey());
        Files.writeString(file, executable.getValue());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
      Files.writeString(dir.resolve(".image/entrypoint"), entrypoint + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return repository + ":" + tag;
  }
}
