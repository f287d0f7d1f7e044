package dev.brokerops.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Starts every process of a bench from one long-lived thread: {@code PR_SET_PDEATHSIG} fires when
 * the starting <em>thread</em> exits, so a short-lived pool thread would kill its children early.
 */
public final class ProcessLauncher implements AutoCloseable {

  private final ExecutorService thread =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "bench-process-launcher");
            t.setDaemon(true);
            return t;
          });

  /** Starts the command so that it gets SIGKILL when this launcher's thread ends. */
  public Process start(ProcessBuilder builder) {
    builder.command(OwnedProcesses.dieWithParent(builder.command()));
    return startAsGiven(builder);
  }

  /**
   * Starts a command that sets its own parent-death signal (e.g. {@code setpriv} after switching
   * user, which clears the signal), from the same long-lived thread.
   */
  public Process startAsGiven(ProcessBuilder builder) {
    try {
      return thread
          .submit(
              () -> {
                try {
                  return builder.start();
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              })
          .get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting " + builder.command(), e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "cannot start " + builder.command() + ": " + e.getCause().getMessage(), e.getCause());
    }
  }

  @Override
  public void close() {
    thread.shutdown();
  }
}
