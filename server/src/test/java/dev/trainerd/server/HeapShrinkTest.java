package dev.trainerd.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The collection after the warm-up leaves the JVM's heap settings as they were. What it gives
 * back is memory, measured by the benchmarks (idle RSS in {@code ServiceBench}), not asserted.
 */
class HeapShrinkTest {
  private final HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);

  @Test
  void theHeapFreeRatiosAreRestoredAfterTheCollection() {
    String minFree = vm.getVMOption("MinHeapFreeRatio").getValue();
    String maxFree = vm.getVMOption("MaxHeapFreeRatio").getValue();

    TrainerdApplication.collectShrinkingTheHeap();

    assertThat(vm.getVMOption("MinHeapFreeRatio").getValue()).isEqualTo(minFree);
    assertThat(vm.getVMOption("MaxHeapFreeRatio").getValue()).isEqualTo(maxFree);
  }
}
