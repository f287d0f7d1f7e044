package dev.brokerops.perf;

import dev.brokerops.bench.Kubectl;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What explains a missed target, when the operator's JVM was started to record it ({@code
 * -Dbench.jvm=...}): its native memory summary ({@code -XX:NativeMemoryTracking=summary}) and its
 * flight recording ({@code -XX:StartFlightRecording}), taken from the leader with {@code jcmd} and
 * kept beside the CSV; and what {@code -Dbench.jcmd=A;B} names, each a jcmd command ({@code
 * GC.class_histogram}, {@code VM.metaspace}), into {@code operator-jcmd.txt}, with the files they
 * write in the container's {@code /tmp} ({@code GC.heap_dump /tmp/heap.hprof}) and the files JVM
 * options log to there ({@code -Xlog:gc*:file=/tmp/gc.log}).
 */
final class Diagnostics {

  private static final Logger LOG = LoggerFactory.getLogger(Diagnostics.class);

  private static final Pattern LOG_FILE = Pattern.compile("file=(/tmp/[^\\s:,]+)");

  private Diagnostics() {}

  static void collect(Harness harness, Path dir) {
    String options = harness.operator.javaToolOptions();
    Pod leader = harness.operator.leader();
    long pid = harness.operator.memory(leader).pid();
    if (options.contains("NativeMemoryTracking")) {
      write(dir.resolve("operator-nmt.txt"), jcmd(pid, "VM.native_memory", "summary"));
    }
    String more = System.getProperty("bench.jcmd", "");
    if (!more.isBlank()) {
      StringBuilder out = new StringBuilder();
      for (String command : more.split(";")) {
        out.append("### jcmd ").append(command.strip()).append('\n');
        String[] argv = command.strip().split("\\s+");
        out.append(jcmd(pid, argv)).append('\n');
        Arrays.stream(argv)
            .filter(argument -> argument.startsWith("/tmp/"))
            .forEach(written -> copyFromContainer(pid, written, dir));
      }
      write(dir.resolve("operator-jcmd.txt"), out.toString());
    }
    // what a JVM option logs to a file, -Xlog:gc*:file=/tmp/gc.log say
    Matcher logFile = LOG_FILE.matcher(options);
    while (logFile.find()) {
      copyFromContainer(pid, logFile.group(1), dir);
    }
    if (options.contains("StartFlightRecording")) {
      jcmd(pid, "JFR.dump", "filename=/tmp/operator.jfr");
      copyFromContainer(pid, "/tmp/operator.jfr", dir);
    }
  }

  /** A file the operator wrote in its container's /tmp, read through the process's view of root. */
  private static void copyFromContainer(long pid, String path, Path dir) {
    copy(
        Path.of("/proc", String.valueOf(pid), "root").resolve(path.substring(1)),
        dir.resolve(Path.of(path).getFileName()));
  }

  private static String jcmd(long pid, String... command) {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    // in the container's mount namespace: jcmd finds a JVM's attach socket in its own /tmp only,
    // and the container's /tmp is its emptyDir (the JDK's path is the host's in both)
    List<String> argv =
        new java.util.ArrayList<>(
            List.of(
                "nsenter",
                "--target",
                String.valueOf(pid),
                "--mount",
                "--",
                jcmd.toString(),
                String.valueOf(pid)));
    argv.addAll(List.of(command));
    Kubectl.Result result =
        Kubectl.runToEnd(
            new ProcessBuilder(argv).redirectErrorStream(true), null, Duration.ofSeconds(60));
    LOG.info("jcmd {} {}: exit {}", pid, String.join(" ", command), result.exitCode());
    return result.output();
  }

  private static void write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
      LOG.info("written {}", file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void copy(Path from, Path to) {
    try {
      Files.createDirectories(to.getParent());
      Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
      LOG.info("written {}", to);
    } catch (IOException e) {
      LOG.warn("cannot copy {}: {}", from, e.getMessage());
    }
  }
}
