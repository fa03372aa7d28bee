package dev.trainerd.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SecurityContextTest {
  /** The same guarantees with default values and with everything (GPU included) switched on. */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void nonRootReadOnlyNoCapabilitiesRuntimeDefaultSeccomp(boolean fullValues) {
    Deployment deployment = render(fullValues);
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    PodSecurityContext podContext = pod.getSecurityContext();
    SecurityContext context = ChartRenderTest.container(deployment).getSecurityContext();

    assertThat(podContext.getRunAsNonRoot()).isTrue();
    assertThat(podContext.getRunAsUser()).isEqualTo(10001L);
    assertThat(podContext.getFsGroup()).as("volumes writable by the image's group").isEqualTo(10001L);
    assertThat(podContext.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");

    assertThat(context.getRunAsNonRoot()).isTrue();
    assertThat(context.getReadOnlyRootFilesystem()).isTrue();
    assertThat(context.getAllowPrivilegeEscalation()).isFalse();
    assertThat(context.getPrivileged()).isFalse();
    assertThat(context.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(context.getCapabilities().getAdd()).isNullOrEmpty();
    assertThat(context.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");

    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
  }

  /** With a read-only root the server writes to /data, /tmp and the native cache only. */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void writablePathsAreVolumes(boolean fullValues) {
    Deployment deployment = render(fullValues);
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    Container container = ChartRenderTest.container(deployment);

    assertThat(ChartRenderTest.mount(container, "tmp").getMountPath()).isEqualTo("/tmp");
    assertThat(ChartRenderTest.volume(pod, "tmp").getEmptyDir()).isNotNull();
    assertThat(ChartRenderTest.volume(pod, "native-cache").getEmptyDir()).isNotNull();
    assertThat(ChartRenderTest.volume(pod, "native-cache").getEmptyDir().getSizeLimit().toString())
        .isEqualTo("3Gi");
    String cacheDirectory = ChartRenderTest.mount(container, "native-cache").getMountPath();
    assertThat(ChartRenderTest.env(container))
        .as("the image passes JAVACPP_CACHE_DIR as -Dorg.bytedeco.javacpp.cachedir")
        .containsEntry("JAVACPP_CACHE_DIR", cacheDirectory);
    assertThat(ChartRenderTest.mount(container, "data").getMountPath()).isEqualTo("/data");
  }

  private static Deployment render(boolean fullValues) {
    return (fullValues
        ? RenderedChart.render(List.of(ChartRenderTest.fullValues()), Map.of())
        : RenderedChart.render(Map.of())).one(Deployment.class);
  }
}
