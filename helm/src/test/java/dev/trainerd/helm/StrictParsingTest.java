package dev.trainerd.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

/** The checker the render tests rely on: it must fail on what a lenient parse would keep. */
class StrictParsingTest {
  private static final String DEPLOYMENT = """
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: x
      spec:
        selector:
          matchLabels: {app: x}
        template:
          metadata:
            labels: {app: x}
          spec:
            containers:
              - name: x
                image: x:1
                %s
      """;

  @Test
  void aValidManifestParses() {
    assertThat(RenderedChart.parseStrictly(DEPLOYMENT.formatted("")))
        .isInstanceOf(Deployment.class);
  }

  @Test
  void anUnknownFieldDeepInsideIsNamedWithItsPath() {
    String misspelled = DEPLOYMENT.formatted("readinesProbe: {grpc: {port: 50051}}");

    assertThatThrownBy(() -> RenderedChart.parseStrictly(misspelled))
        .hasMessageContaining("apps/v1/Deployment x.spec.template.spec.containers[0].readinesProbe");
  }

  @Test
  void anUnexpectedKindIsRefused() {
    assertThatThrownBy(() -> RenderedChart.parseStrictly("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"))
        .hasMessageContaining("unexpected manifest kind v1/Secret");
  }
}
