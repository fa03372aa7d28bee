package dev.trainerd.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class MetersTest {
  @Test
  void residentMemoryStaysReadableAfterGarbageCollection() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Meters.bindSystemMeters(registry);
    if (!Files.isReadable(Path.of("/proc/self/statm"))) {
      return; // not Linux: the gauge is not registered
    }
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    assertThat(registry.get("process.memory.resident").gauge().value()).isGreaterThan(1e6);
  }

  @Test
  void camelCaseTagsBecomeSnakeCase() {
    assertThat(Meters.snakeCase("statusCode")).isEqualTo("status_code");
    assertThat(Meters.snakeCase("methodType")).isEqualTo("method_type");
    assertThat(Meters.snakeCase("method")).isEqualTo("method");
  }
}
