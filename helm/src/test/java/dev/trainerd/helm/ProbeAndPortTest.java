package dev.trainerd.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProbeAndPortTest {
  /** Default ports, and a moved gRPC port: probes, container port and server variable follow it. */
  @ParameterizedTest
  @ValueSource(ints = {50051, 6000})
  void grpcProbesTargetTheContainersGrpcPort(int grpcPort) {
    Container container = ChartRenderTest.container(
        RenderedChart.render(Map.of("server.grpcPort", grpcPort)).one(Deployment.class));

    int containerGrpcPort = port(container, "grpc");
    assertThat(containerGrpcPort).isEqualTo(grpcPort);
    assertThat(ChartRenderTest.env(container)).containsEntry("TRAINERD_GRPC_PORT", String.valueOf(grpcPort));
    for (Probe probe : List.of(
        container.getStartupProbe(), container.getLivenessProbe(), container.getReadinessProbe())) {
      assertThat(probe).isNotNull();
      assertThat(probe.getGrpc()).as("native gRPC probe against grpc.health.v1").isNotNull();
      assertThat(probe.getGrpc().getPort()).isEqualTo(containerGrpcPort);
      assertThat(probe.getHttpGet()).isNull();
      assertThat(probe.getExec()).isNull();
    }
  }

  /** With TLS on the gRPC port, the plaintext probes move to the health-only port. */
  @Test
  void withTlsTheProbesTargetThePlaintextHealthPort() {
    Container container =
        ChartRenderTest.container(
            RenderedChart.render(Map.of("tls.enabled", true, "tls.secretName", "trainerd-tls", "server.healthPort", 50099))
                .one(Deployment.class));
    assertThat(port(container, "health")).isEqualTo(50099);
    assertThat(ChartRenderTest.env(container)).containsEntry("TRAINERD_HEALTH_PORT", "50099");
    for (Probe probe : List.of(
        container.getStartupProbe(), container.getLivenessProbe(), container.getReadinessProbe())) {
      assertThat(probe.getGrpc().getPort()).isEqualTo(50099);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {9464, 19464})
  void metricsPortFollowsTheServerSetting(int metricsPort) {
    Container container = ChartRenderTest.container(
        RenderedChart.render(Map.of("server.metricsPort", metricsPort)).one(Deployment.class));

    assertThat(port(container, "metrics")).isEqualTo(metricsPort);
    assertThat(ChartRenderTest.env(container))
        .containsEntry("TRAINERD_METRICS_PORT", String.valueOf(metricsPort));
  }

  @Test
  void startupProbeOutlastsTheNativeLibraryUnpack() {
    Probe startup = ChartRenderTest.container(RenderedChart.render(Map.of()).one(Deployment.class))
        .getStartupProbe();

    // The first load unpacks ~650 MB (~9 s on a fast disk); allow minutes, not seconds.
    assertThat(startup.getPeriodSeconds() * startup.getFailureThreshold()).isGreaterThanOrEqualTo(120);
  }

  private static int port(Container container, String name) {
    return container.getPorts().stream()
        .filter(p -> name.equals(p.getName()))
        .map(ContainerPort::getContainerPort)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no container port named " + name));
  }
}
