package dev.brokerops.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real kubectl, built with the bench, pointed at the bench's kubeconfig: what a person types.
 */
public final class Kubectl {

  private final Path kubeconfig;

  public Kubectl(Path kubeconfig) {
    this.kubeconfig = kubeconfig;
  }

  /** What one kubectl call printed (stdout and stderr) and how it exited. */
  public record Result(int exitCode, String output) {
    public boolean succeeded() {
      return exitCode == 0;
    }
  }

  public Result run(String... args) {
    return runWithInput(null, args);
  }

  /** Runs kubectl with {@code stdin} as its standard input (for {@code apply -f -}). */
  public Result runWithInput(String stdin, String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                BenchLayout.current().binary("kubectl").toString(),
                "--kubeconfig",
                kubeconfig.toString()));
    command.addAll(List.of(args));
    return runToEnd(new ProcessBuilder(command).redirectErrorStream(true), stdin);
  }

  /**
   * Runs a process to its end (at most 10 minutes) with {@code stdin} (or none) as its input, and
   * returns its exit code and output: for kubectl and for scripts that call it.
   */
  public static Result runToEnd(ProcessBuilder builder, String stdin) {
    return runToEnd(builder, stdin, Duration.ofMinutes(10));
  }

  /**
   * Runs a process to its end with {@code stdin} (or none) as its input, and returns its exit code
   * and output; one still running after {@code limit} is killed (its exit code then says so).
   */
  public static Result runToEnd(ProcessBuilder builder, String stdin, Duration limit) {
    try {
      Process process = builder.start();
      if (stdin != null) {
        process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      process.getOutputStream().close();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor();
      }
      return new Result(process.exitValue(), output);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
