package dev.trainerd.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GpuTest {
  private static final String GPU = "nvidia.com/gpu";

  @Test
  void gpusAppearOnlyUnderLimitsWhenEnabled() {
    RenderedChart chart = RenderedChart.render(List.of(ChartRenderTest.fullValues()), Map.of());
    Deployment deployment = chart.one(Deployment.class);
    Container container = ChartRenderTest.container(deployment);

    assertThat(container.getResources().getLimits()).containsEntry(GPU, new Quantity("2"));
    assertThat(container.getResources().getRequests()).doesNotContainKey(GPU);
    String json = chart.asJson();
    int asResourceKey = json.split(java.util.regex.Pattern.quote("\"" + GPU + "\":"), -1).length - 1;
    assertThat(asResourceKey).as("nvidia.com/gpu as a resource key anywhere in the chart").isEqualTo(1);
    // The CPU and memory settings survive next to the GPU.
    assertThat(container.getResources().getLimits()).containsKeys("cpu", "memory");
  }

  @Test
  void gpuPodsRunTheGpuImageOnGpuNodes() {
    Deployment deployment =
        RenderedChart.render(List.of(ChartRenderTest.fullValues()), Map.of()).one(Deployment.class);
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();

    assertThat(ChartRenderTest.container(deployment).getImage())
        .isEqualTo("registry.example.test/trainerd-gpu:0.1.0-cuda12.6");
    assertThat(pod.getRuntimeClassName()).isEqualTo("nvidia");
    assertThat(pod.getNodeSelector())
        .containsEntry("nvidia.com/gpu.present", "true")
        .as("the user's own selector is kept")
        .containsEntry("topology.kubernetes.io/zone", "zone-a");
    assertThat(pod.getTolerations()).extracting(Toleration::getKey).containsExactly("dedicated", GPU);
  }

  @Test
  void withoutGpuNothingMentionsGpus() {
    RenderedChart chart = RenderedChart.render(Map.of());
    Deployment deployment = chart.one(Deployment.class);
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();

    assertThat(chart.asJson()).doesNotContain("nvidia.com");
    assertThat(pod.getNodeSelector()).isNullOrEmpty();
    assertThat(pod.getTolerations()).isNullOrEmpty();
    assertThat(pod.getRuntimeClassName()).isNull();
    assertThat(ChartRenderTest.container(deployment).getImage()).startsWith("trainerd:");
  }

  @Test
  void gpuCountFollowsTheValue() {
    Container container = ChartRenderTest.container(RenderedChart
        .render(Map.of("gpu.enabled", true, "gpu.count", 4)).one(Deployment.class));

    assertThat(container.getResources().getLimits()).containsEntry(GPU, new Quantity("4"));
    assertThat(container.getResources().getRequests()).doesNotContainKey(GPU);
  }
}
