package dev.brokerops.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The heap grows fast while the caches fill and in small steps once they are synced. */
class HeapGrowthTest {

  private final HotSpotDiagnosticMXBean vm =
      ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);

  @Test
  void settlingSetsTheRatiosTheOperatorRunsWith() {
    HeapGrowth.settle();

    assertThat(vm.getVMOption("MinHeapFreeRatio").getValue()).isEqualTo("10");
    assertThat(vm.getVMOption("MaxHeapFreeRatio").getValue()).isEqualTo("30");
  }

  @Test
  void theImageStartsWithRoomyRatiosThatSettlingLowers() throws Exception {
    String options = Files.readString(Path.of("operator", "jvm.options"));

    assertThat(options).contains("-XX:MinHeapFreeRatio=40", "-XX:MaxHeapFreeRatio=70");
    assertThat(HeapGrowth.MIN_FREE_PERCENT).isLessThan(40);
    assertThat(HeapGrowth.MAX_FREE_PERCENT).isLessThan(70);
  }
}
