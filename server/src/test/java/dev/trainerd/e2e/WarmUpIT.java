package dev.trainerd.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainerd.v1.DatasetServiceGrpc;
import dev.trainerd.v1.ListDatasetsRequest;
import dev.trainerd.v1.ListModelsRequest;
import dev.trainerd.v1.ListTrainingJobsRequest;
import dev.trainerd.v1.ModelServiceGrpc;
import dev.trainerd.v1.TrainingServiceGrpc;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged server's start-up warm-up rehearses a whole job; nothing of it may show: no data
 * set, job or model listed, no job counted in the metrics, no scratch folder left.
 */
class WarmUpIT {
  /** A job or epoch counted: a series of these meters with a value other than 0. */
  private static final Pattern JOB_COUNTED =
      Pattern.compile(
          "(?m)^trainerd_(jobs_created_jobs_total|jobs_finished_jobs_total|training_epoch_duration_seconds_count)"
              + "\\S*\\s+(?!0(\\.0)?\\s*$)\\S+");

  @Test
  void theRehearsedJobLeavesNoTrace(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("data");
    try (ServerProcess server = new ServerProcess(data)) {
      long deadline = System.nanoTime() + 180_000_000_000L;
      while (!server.log().contains("job path warmed up") && System.nanoTime() < deadline) {
        assertThat(server.log()).doesNotContain("could not rehearse");
        Thread.sleep(100);
      }
      assertThat(server.log()).contains("job path warmed up");

      assertThat(DatasetServiceGrpc.newBlockingStub(server.channel())
              .listDatasets(ListDatasetsRequest.getDefaultInstance()).getDatasetsList())
          .isEmpty();
      assertThat(TrainingServiceGrpc.newBlockingStub(server.channel())
              .listTrainingJobs(ListTrainingJobsRequest.getDefaultInstance()).getTrainingJobsList())
          .isEmpty();
      assertThat(ModelServiceGrpc.newBlockingStub(server.channel()).listModels(ListModelsRequest.getDefaultInstance())
              .getModelsList())
          .isEmpty();
      String exposition =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.metricsPort() + "/metrics")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(exposition).contains("trainerd_backend_gpus");
      assertThat(JOB_COUNTED.matcher(exposition).find()).as(exposition).isFalse();
      assertThat(data.resolve("rehearsal")).doesNotExist();
    }
  }
}
