package dev.trainerd.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.trainerd.v1.CreateSyntheticDatasetRequest;
import dev.trainerd.v1.CreateTrainingJobRequest;
import dev.trainerd.v1.Dataset;
import dev.trainerd.v1.DatasetServiceGrpc;
import dev.trainerd.v1.LinearRegression;
import dev.trainerd.v1.LinearSyntheticSpec;
import dev.trainerd.v1.ModelSpec;
import dev.trainerd.v1.SyntheticSpec;
import dev.trainerd.v1.TrainingJob;
import dev.trainerd.v1.TrainingJobSpec;
import dev.trainerd.v1.TrainingServiceGrpc;
import dev.trainerd.v1.WatchTrainingJobRequest;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (Debian's package, started as a plain process) scrapes the server every second
 * while a job trains; the assertions go through Prometheus's HTTP API, as a dashboard would.
 */
class PrometheusScrapeIT {
  private static final int EPOCHS = 12;
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void prometheusSeesJobsEpochsAndGrpcCalls(@TempDir Path dir) throws Exception {
    boolean installed = onPath("prometheus") && onPath("promtool");
    if (!installed && "true".equals(System.getenv("CI"))) {
      throw new IllegalStateException("prometheus/promtool are not installed; .ci/run installs them");
    }
    assumeTrue(installed, "prometheus is not installed (apt-get install prometheus)");
    try (ServerProcess server = new ServerProcess(dir.resolve("data"))) {
      int promPort = freePort();
      Path config = dir.resolve("prometheus.yml");
      Files.writeString(
          config,
          """
          global:
            scrape_interval: 1s
            evaluation_interval: 1s
          scrape_configs:
            - job_name: trainerd
              metrics_path: /metrics
              static_configs:
                - targets: ['127.0.0.1:%d']
          """
              .formatted(server.metricsPort()));
      Process prometheus =
          new ProcessBuilder(
                  "prometheus",
                  "--config.file=" + config,
                  "--storage.tsdb.path=" + dir.resolve("tsdb"),
                  "--web.listen-address=127.0.0.1:" + promPort,
                  "--log.level=warn")
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("prometheus.log").toFile())
              .start();
      try {
        waitUntil(() -> query(promPort, "up{job=\"trainerd\"}").size() == 1 && value(query(promPort, "up{job=\"trainerd\"}")) == 1, 30);

        Dataset data =
            DatasetServiceGrpc.newBlockingStub(server.channel())
                .createSyntheticDataset(
                    CreateSyntheticDatasetRequest.newBuilder()
                        .setSeed(5)
                        .setSpec(SyntheticSpec.newBuilder().setLinear(LinearSyntheticSpec.getDefaultInstance()))
                        .build())
                .getTrainDataset();
        TrainingServiceGrpc.TrainingServiceBlockingStub training = TrainingServiceGrpc.newBlockingStub(server.channel());
        TrainingJob job =
            training.createTrainingJob(
                CreateTrainingJobRequest.newBuilder()
                    .setSpec(
                        TrainingJobSpec.newBuilder()
                            .setDataset(data.getName())
                            .setModel(ModelSpec.newBuilder().setLinear(LinearRegression.getDefaultInstance()))
                            .setBatchSize(5)
                            .setLearningRate(0.01)
                            .setEpochs(EPOCHS))
                    .build());
        training.watchTrainingJob(WatchTrainingJobRequest.newBuilder().setName(job.getName()).build())
            .forEachRemaining(e -> {});

        waitUntil(() -> sum(query(promPort, "trainerd_jobs_finished_jobs_total")) >= 1, 30);
        assertThat(sum(query(promPort, "trainerd_jobs_finished_jobs_total{outcome=\"succeeded\",model_kind=\"linear_regression\"}")))
            .isEqualTo(1);
        assertThat(sum(query(promPort, "trainerd_training_epoch_duration_seconds_count"))).isEqualTo(EPOCHS);
        assertThat(query(promPort, "trainerd_training_epoch_duration_seconds_bucket").size()).isGreaterThan(1);
        JsonArray grpc = query(promPort, "grpc_server_requests_received_messages_total");
        assertThat(grpc.asList())
            .extracting(r -> r.getAsJsonObject().getAsJsonObject("metric").get("method").getAsString())
            .contains("CreateSyntheticDataset", "CreateTrainingJob", "WatchTrainingJob");
        assertThat(sum(query(promPort, "trainerd_jobs_created_jobs_total"))).isEqualTo(1);
        assertThat(sum(query(promPort, "process_memory_resident_bytes"))).isGreaterThan(100e6);
        // The backend's devices, once its warm-up has probed them (NaN before): one series, tagged
        // by the installed build, 1 where a GPU build found its GPU, else 0.
        waitUntil(() -> query(promPort, "trainerd_backend_gpus").size() == 1 && !Double.isNaN(value(query(promPort, "trainerd_backend_gpus"))), 30);
        JsonArray gpus = query(promPort, "trainerd_backend_gpus");
        assertThat(gpus.get(0).getAsJsonObject().getAsJsonObject("metric").get("build").getAsString()).isIn("cpu", "gpu");
        assertThat(value(gpus)).isIn(0.0, 1.0);

        // The exposition itself passes promtool's linter without a single warning.
        String exposition =
            http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.metricsPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString())
                .body();
        Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        promtool.getOutputStream().write(exposition.getBytes(StandardCharsets.UTF_8));
        promtool.getOutputStream().close();
        String lint = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(promtool.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(lint).isEmpty();
        assertThat(promtool.exitValue()).isZero();
      } finally {
        prometheus.destroy();
        prometheus.waitFor(20, TimeUnit.SECONDS);
      }
    }
  }

  private JsonArray query(int port, String promql) {
    try {
      String url = "http://127.0.0.1:" + port + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8);
      HttpResponse<String> response =
          http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      JsonObject body = JsonParser.parseString(response.body()).getAsJsonObject();
      return body.getAsJsonObject("data").getAsJsonArray("result");
    } catch (IOException e) {
      return new JsonArray();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static double value(JsonArray result) {
    return result.get(0).getAsJsonObject().getAsJsonArray("value").get(1).getAsDouble();
  }

  private static double sum(JsonArray result) {
    double total = 0;
    for (var r : result) {
      total += r.getAsJsonObject().getAsJsonArray("value").get(1).getAsDouble();
    }
    return total;
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException notYet) {
        // Prometheus is still starting.
      }
      Thread.sleep(250);
    }
    throw new AssertionError("condition not met within " + seconds + " s");
  }

  private static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
