package dev.trainerd.helm;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** values.schema.json is enforced by Helm itself on every render. */
class ValuesSchemaTest {
  @Test
  void negativeGpuCountIsRejected() {
    assertThatThrownBy(() -> RenderedChart.render(Map.of("gpu.count", -1)))
        .hasMessageContaining("values don't meet the specifications of the schema")
        .hasMessageContaining("gpu")
        .hasMessageContaining("count");
  }

  @Test
  void moreThanOneReplicaIsRejected() {
    assertThatThrownBy(() -> RenderedChart.render(Map.of("replicaCount", 2)))
        .hasMessageContaining("replicaCount");
  }

  @Test
  void misspelledKeysAreRejected() {
    assertThatThrownBy(() -> RenderedChart.render(Map.of("gpu.cuont", 2)))
        .hasMessageContaining("cuont");
  }

  @Test
  void unknownLogFormatIsRejected() {
    assertThatThrownBy(() -> RenderedChart.render(Map.of("server.logFormat", "xml")))
        .hasMessageContaining("logFormat");
  }

  @Test
  void portOutOfRangeIsRejected() {
    assertThatThrownBy(() -> RenderedChart.render(Map.of("server.grpcPort", 70000)))
        .hasMessageContaining("grpcPort");
  }
}
