package dev.brokerops.e2e;

import dev.brokerops.bench.node.ImageDirectories;
import dev.brokerops.upgrade.OperatorMain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * The operator's image as a bench image folder: what {@code operator/Dockerfile} builds (the same
 * JVM options, main class and entrypoint), with this build's classpath instead of copied jars.
 */
public final class OperatorImage {

  public static final String REPOSITORY = "ghcr.io/brokerops/brokerupgrade-operator";
  public static final String TAG = "0.1.0";

  private OperatorImage() {
  }

  public static String build(ImageDirectories images) {
    Path dir = images.root().resolve(REPOSITORY).resolve(TAG);
    try {
      Files.createDirectories(dir.resolve("bin"));
      Files.createDirectories(dir.resolve(".image"));
      Path launcher = dir.resolve("bin").resolve("brokerupgrade-operator");
      Path options = Path.of("operator", "jvm.options").toAbsolutePath();
      Files.writeString(launcher, """
          #!/bin/sh
          # as in the real image, whose user has no home: no kubeconfig to find, only the service account
          export HOME=/nonexistent
          exec '%s' @'%s' -cp '%s' %s "$@"
          """.formatted(Path.of(System.getProperty("java.home"), "bin", "java"), options,
          System.getProperty("java.class.path"), OperatorMain.class.getName()));
      Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.write(dir.resolve(".image/entrypoint"), List.of("brokerupgrade-operator"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return REPOSITORY + ":" + TAG;
  }
}
