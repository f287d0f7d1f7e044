package dev.brokerops.perf;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Measured values of one figure: percentiles by nearest rank (p99 of 20 samples is the max). */
public final class Samples {

  private final List<Double> values = new ArrayList<>();

  public static Samples ofMillis(Collection<Duration> durations) {
    Samples samples = new Samples();
    durations.forEach(samples::addMillis);
    return samples;
  }

  public void add(double value) {
    values.add(value);
  }

  public void addMillis(Duration duration) {
    values.add(duration.toNanos() / 1e6);
  }

  public int count() {
    return values.size();
  }

  public boolean isEmpty() {
    return values.isEmpty();
  }

  /** The p-th percentile (0 < p <= 100) by nearest rank; NaN when there is no sample. */
  public double percentile(double p) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = values.stream().sorted().toList();
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }

  public double p50() {
    return percentile(50);
  }

  public double p99() {
    return percentile(99);
  }

  public double max() {
    return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  public double mean() {
    return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }

  public double sum() {
    return values.stream().mapToDouble(Double::doubleValue).sum();
  }
}
