package dev.trainerd.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ChartRenderTest {
  static Path fullValues() {
    try {
      return Path.of(ChartRenderTest.class.getResource("/values-gpu-monitoring-tls.yaml").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static Container container(Deployment deployment) {
    List<Container> containers = deployment.getSpec().getTemplate().getSpec().getContainers();
    assertThat(containers).hasSize(1);
    return containers.get(0);
  }

  static Map<String, String> env(Container container) {
    return container.getEnv().stream()
        .collect(Collectors.toMap(EnvVar::getName, e -> String.valueOf(e.getValue())));
  }

  @Test
  void defaultValuesRenderTheCoreResourcesOnly() {
    RenderedChart chart = RenderedChart.render(Map.of());

    assertThat(chart.kinds())
        .containsExactly("ConfigMap", "Deployment", "PersistentVolumeClaim", "Service", "ServiceAccount");
    Deployment deployment = chart.one(Deployment.class);
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
    assertThat(deployment.getSpec().getStrategy().getType())
        .as("one writer on the data volume").isEqualTo("Recreate");
    assertThat(container(deployment).getImage()).isEqualTo("trainerd:0.1.0");
    assertThat(env(container(deployment)))
        .containsEntry("TRAINERD_GRPC_PORT", "50051")
        .containsEntry("TRAINERD_METRICS_PORT", "9464")
        .containsEntry("TRAINERD_DATA_DIR", "/data")
        .containsEntry("TRAINERD_LOG_FORMAT", "json")
        .containsEntry("TRAINERD_MAX_UPLOAD_BYTES", "2147483648")
        .containsEntry("TRAINERD_SHUTDOWN_GRACE", "30")
        .doesNotContainKeys("TRAINERD_TLS_CERT_FILE", "TRAINERD_TLS_KEY_FILE", "TRAINERD_AUTH_TOKENS_FILE");
  }

  @Test
  void dataDirectoryIsAPersistentVolumeClaimKeptOnUninstall() {
    RenderedChart chart = RenderedChart.render(Map.of());
    PersistentVolumeClaim claim = chart.one(PersistentVolumeClaim.class);
    PodSpec pod = chart.one(Deployment.class).getSpec().getTemplate().getSpec();

    Volume data = volume(pod, "data");
    assertThat(data.getPersistentVolumeClaim().getClaimName()).isEqualTo(claim.getMetadata().getName());
    assertThat(mount(pod.getContainers().get(0), "data").getMountPath()).isEqualTo("/data");
    assertThat(claim.getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("20Gi");
    assertThat(claim.getMetadata().getAnnotations()).containsEntry("helm.sh/resource-policy", "keep");
  }

  @Test
  void anExistingClaimReplacesTheChartsOwn() {
    RenderedChart chart = RenderedChart.render(Map.of("persistence.existingClaim", "models-pvc"));

    assertThat(chart.find(PersistentVolumeClaim.class)).isEmpty();
    PodSpec pod = chart.one(Deployment.class).getSpec().getTemplate().getSpec();
    assertThat(volume(pod, "data").getPersistentVolumeClaim().getClaimName()).isEqualTo("models-pvc");
  }

  @Test
  void serviceNamesItsPortsAndMarksGrpc() {
    RenderedChart chart = RenderedChart.render(Map.of());
    Service service = chart.one(Service.class);
    Container container = container(chart.one(Deployment.class));

    Map<String, ServicePort> ports = service.getSpec().getPorts().stream()
        .collect(Collectors.toMap(ServicePort::getName, p -> p));
    assertThat(ports).containsOnlyKeys("grpc", "metrics");
    assertThat(ports.get("grpc").getAppProtocol()).isEqualTo("grpc");
    assertThat(ports.get("grpc").getPort()).isEqualTo(50051);
    assertThat(ports.get("metrics").getPort()).isEqualTo(9464);
    List<String> containerPortNames = container.getPorts().stream().map(p -> p.getName()).toList();
    for (ServicePort port : ports.values()) {
      assertThat(containerPortNames).contains(port.getTargetPort().getStrVal());
    }
    assertThat(service.getSpec().getSelector())
        .isEqualTo(chart.one(Deployment.class).getSpec().getSelector().getMatchLabels());
  }

  @Test
  void fullValuesRenderEveryOptionalResource() {
    RenderedChart chart = RenderedChart.render(List.of(fullValues()), Map.of());

    assertThat(chart.kinds()).containsExactly(
        "ConfigMap", "Deployment", "NetworkPolicy", "PersistentVolumeClaim", "PodDisruptionBudget",
        "Service", "ServiceAccount", "ServiceMonitor");

    ServiceMonitor monitor = chart.one(ServiceMonitor.class);
    assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "prometheus");
    assertThat(monitor.getSpec().getEndpoints()).singleElement().satisfies(endpoint -> {
      assertThat(endpoint.getPort()).isEqualTo("metrics");
      assertThat(endpoint.getPath()).isEqualTo("/metrics");
      assertThat(endpoint.getInterval()).isEqualTo("15s");
    });
    assertThat(chart.one(Service.class).getMetadata().getLabels())
        .as("the ServiceMonitor selects the Service")
        .containsAllEntriesOf(monitor.getSpec().getSelector().getMatchLabels());
    assertThat(monitor.getSpec().getNamespaceSelector().getMatchNames())
        .containsExactly(RenderedChart.NAMESPACE);

    NetworkPolicy policy = chart.one(NetworkPolicy.class);
    assertThat(policy.getSpec().getIngress()).hasSize(2);
    assertThat(policy.getSpec().getIngress().get(0).getPorts().get(0).getPort().getStrVal()).isEqualTo("grpc");
    assertThat(policy.getSpec().getIngress().get(1).getPorts().get(0).getPort().getStrVal()).isEqualTo("metrics");

    PodDisruptionBudget pdb = chart.one(PodDisruptionBudget.class);
    assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isZero();

    assertThat(chart.one(ConfigMap.class).getMetadata().getNamespace()).isEqualTo("monitoring");
    assertThat(chart.one(PersistentVolumeClaim.class).getSpec().getStorageClassName()).isEqualTo("fast-ssd");
  }

  @Test
  void tlsAndAuthSecretsAreMountedReadOnlyAndNamedInTheEnvironment() {
    Deployment deployment = RenderedChart.render(List.of(fullValues()), Map.of()).one(Deployment.class);
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    Container container = container(deployment);

    assertThat(volume(pod, "tls").getSecret().getSecretName()).isEqualTo("trainerd-tls");
    assertThat(volume(pod, "auth").getSecret().getSecretName()).isEqualTo("trainerd-tokens");
    assertThat(mount(container, "tls").getMountPath()).isEqualTo("/etc/trainerd/tls");
    assertThat(mount(container, "tls").getReadOnly()).isTrue();
    assertThat(mount(container, "auth").getReadOnly()).isTrue();
    assertThat(env(container))
        .containsEntry("TRAINERD_TLS_CERT_FILE", "/etc/trainerd/tls/tls.crt")
        .containsEntry("TRAINERD_TLS_KEY_FILE", "/etc/trainerd/tls/tls.key")
        .containsEntry("TRAINERD_AUTH_TOKENS_FILE", "/etc/trainerd/auth/tokens");
  }

  @Test
  void tensorFlowsNativeLogLevelFollowsTheServersUnlessSet() {
    assertThat(env(container(RenderedChart.render(Map.of()).one(Deployment.class))))
        .containsEntry("TRAINERD_LOG_LEVEL", "INFO")
        .containsEntry("TF_CPP_MIN_LOG_LEVEL", "1");
    assertThat(env(container(RenderedChart.render(Map.of("server.logLevel", "ERROR")).one(Deployment.class))))
        .containsEntry("TF_CPP_MIN_LOG_LEVEL", "3");
    assertThat(env(container(RenderedChart.render(Map.of("server.logLevel", "DEBUG")).one(Deployment.class))))
        .containsEntry("TF_CPP_MIN_LOG_LEVEL", "0");
    assertThat(env(container(RenderedChart.render(Map.of("server.tfCppMinLogLevel", 2)).one(Deployment.class))))
        .containsEntry("TF_CPP_MIN_LOG_LEVEL", "2");
  }

  @Test
  void tlsWithoutASecretNameIsRefused() {
    assertThatThrownBy(() -> RenderedChart.render(Map.of("tls.enabled", true)))
        .hasMessageContaining("tls.enabled needs tls.secretName");
  }

  static Volume volume(PodSpec pod, String name) {
    return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no volume " + name));
  }

  static VolumeMount mount(Container container, String name) {
    return container.getVolumeMounts().stream().filter(m -> m.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no volume mount " + name));
  }
}
