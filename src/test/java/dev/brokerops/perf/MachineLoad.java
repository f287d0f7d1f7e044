package dev.brokerops.perf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * How busy the machine's CPUs are, from {@code /proc/stat}: the share of all cores' time over a
 * window that was not idle or waiting for I/O. A start-up is timed once the bench has settled, so
 * that what it measures is the operator's start, not the tail of the scenario before it (pods and
 * Jobs still being tidied up, the API server still writing its audit log) on the same 2 cores.
 */
final class MachineLoad {

  private static final Duration WINDOW = Duration.ofSeconds(1);

  private MachineLoad() {}

  /** The busy share of the last window, and how long it took to fall to the threshold. */
  record Settled(double busy, Duration waited, boolean settled) {}

  /**
   * Samples the CPUs over 1 s windows until one is at most {@code maxBusy} busy (0 to 1), or {@code
   * timeout} has passed; says which.
   */
  static Settled awaitSettled(double maxBusy, Duration timeout) {
    Instant start = Instant.now();
    while (true) {
      double busy = busyOver(WINDOW);
      Duration waited = Duration.between(start, Instant.now());
      if (busy <= maxBusy) {
        return new Settled(busy, waited, true);
      }
      if (waited.compareTo(timeout) >= 0) {
        return new Settled(busy, waited, false);
      }
    }
  }

  /** The busy share of all cores over {@code window}, 0 to 1. */
  static double busyOver(Duration window) {
    long[] before = cpuTimes();
    try {
      Thread.sleep(window.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    long[] after = cpuTimes();
    long total = after[0] - before[0];
    long idle = after[1] - before[1];
    return total <= 0 ? 0 : (double) (total - idle) / total;
  }

  /** All cores' time since boot and the idle and I/O-wait part of it, in clock ticks. */
  private static long[] cpuTimes() {
    String line;
    try {
      line = Files.readAllLines(Path.of("/proc/stat")).get(0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // cpu  user nice system idle iowait irq softirq steal guest guest_nice
    String[] fields = line.trim().split("\\s+");
    long total = 0;
    for (int i = 1; i <= 8 && i < fields.length; i++) {
      total += Long.parseLong(fields[i]);
    }
    long idle = Long.parseLong(fields[4]) + Long.parseLong(fields[5]);
    return new long[] {total, idle};
  }
}
