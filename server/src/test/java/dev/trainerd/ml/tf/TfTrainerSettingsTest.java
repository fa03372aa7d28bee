package dev.trainerd.ml.tf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.junit.jupiter.api.Test;

/** What the TensorFlow backend sets up for the process before it first uses TensorFlow. */
class TfTrainerSettingsTest {

  @Test
  void javacppSkipsItsResidentMemoryCheckUnlessTheProcessChoseALimit() {
    new TfTrainer();
    assertThat(System.getProperty(TfTrainer.JAVACPP_MAX_PHYSICAL_BYTES)).isEqualTo("0");
    try {
      System.setProperty(TfTrainer.JAVACPP_MAX_PHYSICAL_BYTES, "8g");
      TfTrainer.skipResidentMemoryChecks();
      assertThat(System.getProperty(TfTrainer.JAVACPP_MAX_PHYSICAL_BYTES)).isEqualTo("8g");
    } finally {
      System.setProperty(TfTrainer.JAVACPP_MAX_PHYSICAL_BYTES, "0");
    }
  }

  @Test
  void freedNativeMemoryGoesBackToTheSystem() throws IOException {
    TfTrainer trainer = new TfTrainer();
    // 160 MB in small blocks, as a graph's nodes and a session's kernels are allocated, then freed:
    // the allocator keeps the pages resident for reuse.
    List<BytePointer> blocks = new ArrayList<>();
    for (int i = 0; i < 160_000; i++) {
      BytePointer block = new BytePointer(1000);
      block.fill(1);
      blocks.add(block);
    }
    blocks.forEach(BytePointer::close);
    long before = residentKilobytes();

    assertThat(trainer.releaseUnusedMemory()).isTrue();

    assertThat(residentKilobytes()).isLessThan(before - 80_000);
  }

  private static long residentKilobytes() throws IOException {
    return Files.readAllLines(Path.of("/proc/self/status")).stream()
        .filter(line -> line.startsWith("VmRSS:"))
        .mapToLong(line -> Long.parseLong(line.replaceAll("[^0-9]", "")))
        .findFirst()
        .orElseThrow();
  }
}
