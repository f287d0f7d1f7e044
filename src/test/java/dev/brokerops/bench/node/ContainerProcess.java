package dev.brokerops.bench.node;

import dev.brokerops.bench.ProcessLauncher;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One run of a container as a local process in a private mount namespace. The image's folders and
 * the mount points are laid over the host's top-level folders with writable overlays (upper layer
 * private to this run), volumes are bind-mounted at their mount paths (read-only when asked), and
 * the termination-message file is a host file bind-mounted at {@code terminationMessagePath}.
 */
final class ContainerProcess {

  private static final int MAX_MESSAGE_BYTES = 4096;
  private static final int FALLBACK_LOG_BYTES = 2048;
  private static final int FALLBACK_LOG_LINES = 80;

  private final Process process;
  private final Path terminationLog;
  private final Path outputLog;
  private final boolean fallbackToLogs;

  private ContainerProcess(
      Process process, Path terminationLog, Path outputLog, boolean fallbackToLogs) {
    this.process = process;
    this.terminationLog = terminationLog;
    this.outputLog = outputLog;
    this.fallbackToLogs = fallbackToLogs;
  }

  static ContainerProcess start(
      ProcessLauncher launcher,
      Path runDir,
      Container container,
      ImageDirectories.Image image,
      ContainerEnvironment environment,
      Map<String, Path> volumes)
      throws ContainerConfigError, IOException {
    Path root = runDir.resolve("root");
    Path upper = runDir.resolve("upper");
    Path work = runDir.resolve("work");
    Files.createDirectories(root);
    Path terminationLog = runDir.resolve("termination-log");
    Files.write(terminationLog, new byte[0]);
    Path outputLog = runDir.resolve("output.log");

    String terminationPath =
        container.getTerminationMessagePath() == null
            ? "/dev/termination-log"
            : container.getTerminationMessagePath();
    List<String[]> binds = new ArrayList<>();
    placeholder(root, terminationPath, false);
    binds.add(new String[] {terminationLog.toString(), terminationPath, "rw"});
    for (VolumeMount mount :
        container.getVolumeMounts() == null
            ? List.<VolumeMount>of()
            : container.getVolumeMounts()) {
      Path volume = volumes.get(mount.getName());
      if (volume == null) {
        throw ContainerConfigError.create(
            "volumeMount " + mount.getName() + " names no volume of the pod");
      }
      Path source =
          mount.getSubPath() == null || mount.getSubPath().isEmpty()
              ? volume
              : volume.resolve(mount.getSubPath()).normalize();
      if (!source.startsWith(volume) || !Files.exists(source)) {
        throw ContainerConfigError.create(
            "subPath " + mount.getSubPath() + " not found in volume " + mount.getName());
      }
      placeholder(root, mount.getMountPath(), Files.isDirectory(source));
      binds.add(
          new String[] {
            source.toString(),
            mount.getMountPath(),
            Boolean.TRUE.equals(mount.getReadOnly()) ? "ro" : "rw"
          });
    }

    // A host folder gets an overlay only when the image brings files for it or a mount point must
    // be made in it; otherwise the volume is bind-mounted on the host's own (existing) path.
    Set<String> topLevel = new LinkedHashSet<>(image.rootEntries());
    for (String[] bind : binds) {
      Path target = Path.of(bind[1]);
      boolean exists =
          Files.isDirectory(Path.of(bind[0]))
              ? Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)
              : Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS);
      if (!exists) {
        topLevel.add(target.getName(0).toString());
      }
    }
    StringBuilder script = new StringBuilder("set -e\n");
    for (String dir : topLevel) {
      Path host = Path.of("/", dir);
      if (!Files.isDirectory(host) || Files.isSymbolicLink(host)) {
        throw ContainerConfigError.create(
            "the bench shows in-image paths by overlaying host folders, and /"
                + dir
                + " is not a real folder on this host");
      }
      Files.createDirectories(root.resolve(dir));
      Files.createDirectories(upper.resolve(dir));
      Files.createDirectories(work.resolve(dir));
      List<String> lower = new ArrayList<>(List.of(root.resolve(dir).toString()));
      if (Files.isDirectory(image.dir().resolve(dir))) {
        lower.add(image.dir().resolve(dir).toString());
      }
      lower.add(host.toString());
      script
          .append("mount -t overlay overlay -o ")
          .append(
              quote(
                  "lowerdir="
                      + String.join(":", lower)
                      + ",upperdir="
                      + upper.resolve(dir)
                      + ",workdir="
                      + work.resolve(dir)))
          .append(' ')
          .append(quote(host.toString()))
          .append('\n');
    }
    for (String[] bind : binds) {
      script
          .append("mount --bind ")
          .append(quote(bind[0]))
          .append(' ')
          .append(quote(bind[1]))
          .append('\n');
      if (bind[2].equals("ro")) {
        script.append("mount -o remount,bind,ro ").append(quote(bind[1])).append('\n');
      }
    }
    String workingDir =
        container.getWorkingDir() == null || container.getWorkingDir().isEmpty()
            ? "/"
            : container.getWorkingDir();
    script.append("cd ").append(quote(workingDir)).append('\n');
    script.append("exec \"$@\"\n");
    Files.writeString(runDir.resolve("launch.sh"), script);

    List<String> command =
        new ArrayList<>(
            List.of(
                "unshare",
                "--mount",
                "--propagation",
                "private",
                "--",
                "/bin/sh",
                "-c",
                script.toString(),
                "container"));
    command.addAll(environment.argv());
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(outputLog.toFile());
    builder.environment().clear();
    builder.environment().putAll(environment.variables());
    boolean fallback = "FallbackToLogsOnError".equals(container.getTerminationMessagePolicy());
    return new ContainerProcess(launcher.start(builder), terminationLog, outputLog, fallback);
  }

  private static void placeholder(Path root, String mountPath, boolean directory)
      throws IOException {
    Path path = root.resolve(mountPath.substring(1)).normalize();
    if (!path.startsWith(root)) {
      throw new IOException("mount path " + mountPath + " is not absolute");
    }
    if (directory) {
      Files.createDirectories(path);
    } else {
      Files.createDirectories(path.getParent());
      if (!Files.exists(path)) {
        Files.createFile(path);
      }
    }
  }

  private static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  Process process() {
    return process;
  }

  long pid() {
    return process.pid();
  }

  /** SIGTERM, as the kubelet's graceful stop. */
  void terminate() {
    process.destroy();
  }

  /** SIGKILL, for the process and whatever it started. */
  void kill() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  /**
   * The termination message: the file's content, or the output's tail on failure if the policy says
   * so.
   */
  String terminationMessage(int exitCode) {
    try {
      String message = readTail(terminationLog, MAX_MESSAGE_BYTES, Integer.MAX_VALUE);
      if (message.isEmpty() && fallbackToLogs && exitCode != 0) {
        message = readTail(outputLog, FALLBACK_LOG_BYTES, FALLBACK_LOG_LINES);
      }
      return message;
    } catch (IOException e) {
      return "";
    }
  }

  private static String readTail(Path file, int maxBytes, int maxLines) throws IOException {
    if (!Files.exists(file)) {
      return "";
    }
    byte[] bytes;
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long length = raf.length();
      int size = (int) Math.min(length, maxBytes);
      bytes = new byte[size];
      raf.seek(length - size);
      raf.readFully(bytes);
    }
    String text = new String(bytes, StandardCharsets.UTF_8);
    String[] lines = text.split("\n", -1);
    if (lines.length > maxLines) {
      text =
          String.join(
              "\n", java.util.Arrays.copyOfRange(lines, lines.length - maxLines, lines.length));
    }
    return text;
  }
}
