package dev.trainerd.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class BackendMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @Test
  void aGpuBuildReportsWhetherItFoundItsGpu() {
    BackendMetrics metrics = new BackendMetrics(true);
    metrics.bindTo(registry);
    assertThat(registry.get("trainerd.backend.gpus").tag("build", "gpu").gauge().value()).as("not probed yet").isNaN();
    metrics.probed(false);
    assertThat(registry.get("trainerd.backend.gpus").tag("build", "gpu").gauge().value()).isZero();
    metrics.probed(true);
    assertThat(registry.get("trainerd.backend.gpus").tag("build", "gpu").gauge().value()).isEqualTo(1);
  }

  @Test
  void theCpuBuildIsTaggedAsSuch() {
    BackendMetrics metrics = new BackendMetrics(false);
    metrics.bindTo(registry);
    metrics.probed(false);
    assertThat(registry.get("trainerd.backend.gpus").tag("build", "cpu").gauge().value()).isZero();
    assertThat(registry.find("trainerd.backend.gpus").tag("build", "gpu").gauge()).isNull();
  }
}
