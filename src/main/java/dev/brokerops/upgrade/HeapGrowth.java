package dev.brokerops.upgrade;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the heap grows: fast while the informers' first lists fill it, in small steps after. The
 * image's JVM starts with {@code MinHeapFreeRatio=40} and {@code MaxHeapFreeRatio=70} ({@code
 * operator/jvm.options}), so that a start's full collections each leave room for the next list
 * instead of 10% more; once the caches are synced, {@link #settle()} sets the ratios the operator
 * runs with, so that the heap stays close to its caches and gives the rest back.
 */
final class HeapGrowth {

  /** At least this much of the heap free after a full collection, once started (percent). */
  static final int MIN_FREE_PERCENT = 10;

  /** At most this much free after one, before the heap shrinks (percent). */
  static final int MAX_FREE_PERCENT = 30;

  private static final Logger LOG = LoggerFactory.getLogger(HeapGrowth.class);

  private HeapGrowth() {}

  /** Sets the running ratios (both flags are manageable: the JVM takes them at run time). */
  static void settle() {
    try {
      HotSpotDiagnosticMXBean vm =
          ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      // the minimum first: the JVM refuses a maximum below the minimum in force
      vm.setVMOption("MinHeapFreeRatio", String.valueOf(MIN_FREE_PERCENT));
      vm.setVMOption("MaxHeapFreeRatio", String.valueOf(MAX_FREE_PERCENT));
    } catch (RuntimeException e) {
      // another JVM, or ratios given on the command line that these would contradict: keep them
      LOG.warn("heap free ratios left as started: {}", e.toString());
    }
  }
}
