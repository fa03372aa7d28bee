package dev.trainerd.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainerClientTest {
  @Test
  void theShippedServiceConfigRetriesIdempotentCallsOnUnavailable() {
    Map<String, ?> config = TrainerClient.serviceConfig();
    List<?> methodConfigs = (List<?>) config.get("methodConfig");
    assertThat(methodConfigs).hasSize(1);
    Map<?, ?> methodConfig = (Map<?, ?>) methodConfigs.get(0);
    Map<?, ?> retry = (Map<?, ?>) methodConfig.get("retryPolicy");
    assertThat(retry.get("retryableStatusCodes")).isEqualTo(List.of("UNAVAILABLE"));
    assertThat(retry.get("maxAttempts")).isEqualTo(5.0);
    assertThat(methodConfig.get("name").toString())
        .contains("GetDataset", "WatchTrainingJob", "Predict")
        .doesNotContain("UploadDataset", "CreateTrainingJob", "DeleteDataset");
    // gRPC accepts it (it parses the config when the channel is built).
    ManagedChannel channel =
        ManagedChannelBuilder.forTarget("127.0.0.1:1").usePlaintext().defaultServiceConfig(config).enableRetry().build();
    channel.shutdownNow();
  }

  @Test
  void anUnreachableServerIsAnUnavailableTrainerException() {
    try (TrainerClient client =
        TrainerClient.newBuilder("127.0.0.1:1").defaultDeadline(Duration.ofSeconds(5)).retries(false).build()) {
      assertThatThrownBy(() -> client.datasets().get("abc"))
          .isInstanceOfSatisfying(TrainerException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE));
    }
  }

  @Test
  void aMissingCaFileIsRejectedWhenBuilding() {
    assertThatThrownBy(() -> TrainerClient.newBuilder("localhost:1").tlsCaFile(Path.of("no-such-ca.pem")).build())
        .isInstanceOfSatisfying(TrainerException.class, e -> assertThat(e.reason()).isEqualTo("INVALID_TLS_CA"));
  }

  @Test
  void bareIdsBecomeResourceNames() {
    assertThat(ResourceNames.dataset("abc")).isEqualTo("datasets/abc");
    assertThat(ResourceNames.dataset("datasets/abc")).isEqualTo("datasets/abc");
    assertThat(ResourceNames.trainingJob("j1")).isEqualTo("trainingJobs/j1");
    assertThat(ResourceNames.model("models/m")).isEqualTo("models/m");
    assertThat(ResourceNames.model("")).isEmpty();
  }

  @Test
  void csvCellsAreQuotedOnlyWhenNeeded() {
    assertThat(Models.csvCell("1461")).isEqualTo("1461");
    assertThat(Models.csvCell("a,b")).isEqualTo("\"a,b\"");
    assertThat(Models.csvCell("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
  }

  @Test
  void pagedIterableFetchesPagesOnlyAsIterationReachesThem() {
    List<String> tokens = new java.util.ArrayList<>();
    PagedIterable<Integer> items =
        new PagedIterable<>(
            token -> {
              tokens.add(token);
              return switch (token) {
                case "" -> new PagedIterable.Page<>(List.of(1, 2), "p2");
                case "p2" -> new PagedIterable.Page<>(List.of(), "p3");
                default -> new PagedIterable.Page<>(List.of(3), "");
              };
            });
    assertThat(items.stream().findFirst()).contains(1);
    assertThat(tokens).containsExactly("");
    tokens.clear();
    assertThat(items.toList()).containsExactly(1, 2, 3);
    assertThat(tokens).containsExactly("", "p2", "p3");
  }
}
