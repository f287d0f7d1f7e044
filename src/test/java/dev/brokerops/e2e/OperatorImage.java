package dev.brokerops.e2e;

import dev.brokerops.bench.node.ImageDirectories;
import dev.brokerops.upgrade.ClassDataTraining;
import dev.brokerops.upgrade.OperatorMain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The operator's image as a bench image folder, laid out as {@code operator/Dockerfile} builds it:
 * the jar and its runtime libraries ({@code mvn package}) and {@code operator/jvm.options} in
 * {@code /opt/brokerupgrade}, the class-data sharing archive made the same way, and the same
 * entrypoint. Only the JDK comes from the host.
 */
public final class OperatorImage {

  public static final String REPOSITORY = "ghcr.io/brokerops/brokerupgrade-operator";
  public static final String TAG = "0.1.0";
  private static final String IN_IMAGE = "/opt/brokerupgrade";

  private OperatorImage() {}

  public static String build(ImageDirectories images) {
    Path dir = images.root().resolve(REPOSITORY).resolve(TAG);
    Path target = Path.of("target").toAbsolutePath();
    try {
      Path opt = Files.createDirectories(dir.resolve(IN_IMAGE.substring(1)).resolve("lib"));
      Path lib = target.resolve("lib");
      List<Path> jars;
      try (var files = Files.list(target)) {
        jars =
            files
                .filter(f -> f.getFileName().toString().matches("brokerupgrade-operator-.*\\.jar"))
                .toList();
      }
      if (jars.isEmpty() || !Files.isDirectory(lib)) {
        throw new IllegalStateException(
            "the operator's jar and target/lib are made by `mvn package`: run it first");
      }
      for (Path jar : jars) {
        Files.copy(
            jar, opt.getParent().resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
      try (var files = Files.list(lib)) {
        for (Path jar : files.toList()) {
          Files.copy(jar, opt.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      Files.copy(
          Path.of("operator", "jvm.options"),
          opt.getParent().resolve("jvm.options"),
          StandardCopyOption.REPLACE_EXISTING);

      Files.createDirectories(dir.resolve("bin"));
      Files.createDirectories(dir.resolve(".image"));
      Path launcher = dir.resolve("bin").resolve("brokerupgrade-operator");
      Files.writeString(
          launcher,
          """
          #!/bin/sh
          # as in the real image, whose user has no home: no kubeconfig to find, only the service account
          export HOME=/nonexistent
          exec '%s' @%s/jvm.options -XX:SharedArchiveFile=%s/app.jsa -cp '%s/*:%s/lib/*' %s "$@"
          """
              .formatted(
                  Path.of(System.getProperty("java.home"), "bin", "java"),
                  IN_IMAGE,
                  IN_IMAGE,
                  IN_IMAGE,
                  IN_IMAGE,
                  OperatorMain.class.getName()));
      Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.write(dir.resolve(".image/entrypoint"), List.of("brokerupgrade-operator"));
      trainClassData(opt.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return REPOSITORY + ":" + TAG;
  }

  /**
   * The Dockerfile's class-data sharing step: the archive is made with the image's own paths (the
   * JVM maps it only for the same class path), here in a private mount namespace where the image's
   * folder is at {@value #IN_IMAGE}; the host is not changed.
   */
  private static void trainClassData(Path opt) throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    String script =
        "mount -t tmpfs none /opt && mkdir -p %s && mount --bind '%s' %s && exec '%s' @%s/jvm.options -XX:ArchiveClassesAtExit=%s/app.jsa -cp '%s/*:%s/lib/*' %s"
            .formatted(
                IN_IMAGE,
                opt,
                IN_IMAGE,
                java,
                IN_IMAGE,
                IN_IMAGE,
                IN_IMAGE,
                IN_IMAGE,
                ClassDataTraining.class.getName());
    Process training =
        new ProcessBuilder("unshare", "--mount", "--propagation", "private", "sh", "-c", script)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      if (!training.waitFor(2, TimeUnit.MINUTES) || training.exitValue() != 0) {
        training.destroyForcibly();
        throw new IllegalStateException("class-data training of the operator image failed");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
