package dev.trainerd.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DashboardTest {
  @Test
  void dashboardConfigMapIsPickedUpByGrafanasSidecar() throws Exception {
    ConfigMap configMap = RenderedChart.render(Map.of()).one(ConfigMap.class);

    assertThat(configMap.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
    assertThat(configMap.getData()).containsOnlyKeys("trainerd.json");
    JsonNode dashboard = new ObjectMapper().readTree(configMap.getData().get("trainerd.json"));
    assertThat(dashboard.path("uid").asText()).isEqualTo("trainerd-overview");
    assertThat(dashboard.path("title").asText()).isEqualTo("trainerd");
  }

  @Test
  void panelsQueryTheMetricsTheServerExposes() throws Exception {
    JsonNode dashboard = new ObjectMapper().readTree(
        RenderedChart.render(Map.of()).one(ConfigMap.class).getData().get("trainerd.json"));
    List<String> expressions = new ArrayList<>();
    Set<Integer> ids = new HashSet<>();
    for (JsonNode panel : dashboard.path("panels")) {
      assertThat(ids.add(panel.path("id").asInt())).as("panel ids are unique").isTrue();
      for (JsonNode target : panel.path("targets")) {
        expressions.add(target.path("expr").asText());
        assertThat(target.path("datasource").path("uid").asText()).isEqualTo("${datasource}");
      }
    }
    String all = String.join("\n", expressions);

    // Names as the Prometheus registry exposes them (checked against a running server's /metrics).
    assertThat(all).contains(
        "trainerd_jobs_created_jobs_total",
        "trainerd_jobs_finished_jobs_total",
        "trainerd_jobs_running_seconds_count",
        "trainerd_jobs_queued_jobs",
        "trainerd_training_epoch_duration_seconds_bucket",
        "trainerd_training_epoch_duration_seconds_count",
        "trainerd_training_epoch_duration_seconds_sum",
        "trainerd_training_examples_total",
        "trainerd_training_loss",
        "trainerd_training_accuracy",
        "grpc_server_requests_received_messages_total",
        "grpc_server_processing_duration_seconds_count",
        "grpc_server_processing_duration_seconds_sum",
        "jvm_memory_used_bytes",
        "process_memory_resident_bytes",
        "trainerd_backend_gpus");
    assertThat(expressions).allSatisfy(expr -> {
      assertThat(expr).isNotBlank();
      assertThat(expr.chars().filter(c -> c == '(').count())
          .as("balanced parentheses in %s", expr)
          .isEqualTo(expr.chars().filter(c -> c == ')').count());
    });
  }
}
