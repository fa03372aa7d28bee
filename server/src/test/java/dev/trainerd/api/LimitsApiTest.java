package dev.trainerd.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainerd.bench.StreamingUpload;
import dev.trainerd.v1.CancelTrainingJobRequest;
import dev.trainerd.v1.CreateSyntheticDatasetRequest;
import dev.trainerd.v1.CreateTrainingJobRequest;
import dev.trainerd.v1.Dataset;
import dev.trainerd.v1.HiddenLayer;
import dev.trainerd.v1.LinearRegression;
import dev.trainerd.v1.LinearSyntheticSpec;
import dev.trainerd.v1.ListDatasetsRequest;
import dev.trainerd.v1.Mlp;
import dev.trainerd.v1.ModelSpec;
import dev.trainerd.v1.SyntheticSpec;
import dev.trainerd.v1.TrainingJob;
import dev.trainerd.v1.TrainingJobSpec;
import dev.trainerd.v1.UploadDatasetMetadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each configured limit gives RESOURCE_EXHAUSTED, stores nothing, and the server stays healthy. */
class LimitsApiTest {
  @TempDir Path dir;

  private static Dataset linear(InProcessTrainerd server, int examples) {
    return server.datasets
        .createSyntheticDataset(
            CreateSyntheticDatasetRequest.newBuilder()
                .setSeed(examples)
                .setSpec(SyntheticSpec.newBuilder().setLinear(LinearSyntheticSpec.newBuilder().setExampleCount(examples)))
                .build())
        .getTrainDataset();
  }

  @Test
  void queuedJobsBeyondTheLimitAreRefused() throws Exception {
    try (InProcessTrainerd server = new InProcessTrainerd(dir, 1, 1 << 20, 1, 1L << 30, Long.MAX_VALUE)) {
      Dataset data = linear(server, 100);
      TrainingJobSpec slow =
          TrainingJobSpec.newBuilder()
              .setDataset(data.getName())
              .setModel(ModelSpec.newBuilder().setMlp(Mlp.newBuilder().addHiddenLayers(HiddenLayer.newBuilder().setUnits(8))))
              .setBatchSize(1)
              .setEpochs(100_000)
              .build();
      TrainingJob running = server.training.createTrainingJob(CreateTrainingJobRequest.newBuilder().setSpec(slow).build());
      while (server.training.getTrainingJob(
                  dev.trainerd.v1.GetTrainingJobRequest.newBuilder().setName(running.getName()).build()).getState()
          == TrainingJob.State.QUEUED) {
        Thread.sleep(20);
      }
      // One job runs, one waits (the limit): a third finds the queue full.
      TrainingJob queued = server.training.createTrainingJob(CreateTrainingJobRequest.newBuilder().setSpec(slow).build());
      assertExhausted(() -> server.training.createTrainingJob(CreateTrainingJobRequest.newBuilder().setSpec(slow).build()));
      server.training.cancelTrainingJob(CancelTrainingJobRequest.newBuilder().setName(queued.getName()).build());
      server.training.cancelTrainingJob(CancelTrainingJobRequest.newBuilder().setName(running.getName()).build());
      assertHealthy(server);
    }
  }

  @Test
  void jobsAskingForTooMuchWorkAreRefused() throws Exception {
    try (InProcessTrainerd server = new InProcessTrainerd(dir, 1, 1 << 20, 10, 1L << 30, 10_000)) {
      Dataset data = linear(server, 1000);
      TrainingJobSpec.Builder spec =
          TrainingJobSpec.newBuilder().setDataset(data.getName()).setModel(ModelSpec.newBuilder().setLinear(LinearRegression.getDefaultInstance()));
      server.training.createTrainingJob(CreateTrainingJobRequest.newBuilder().setSpec(spec.setEpochs(10)).build());
      assertExhausted(() -> server.training.createTrainingJob(CreateTrainingJobRequest.newBuilder().setSpec(spec.setEpochs(11)).build()));
      assertHealthy(server);
    }
  }

  @Test
  void jobsNeedingMoreMemoryThanTheServerAllowsAreRefusedBeforeTheyStart() throws Exception {
    try (InProcessTrainerd server = new InProcessTrainerd(dir, 1, 1 << 20, 10, 1L << 30, Long.MAX_VALUE, 256L << 20)) {
      Dataset data = linear(server, 1000);
      TrainingJobSpec.Builder spec = TrainingJobSpec.newBuilder().setDataset(data.getName()).setEpochs(1);
      // Two hidden layers of 8192 units: 67 million weights, about a gigabyte with SGD's state.
      Mlp wide =
          Mlp.newBuilder()
              .addHiddenLayers(HiddenLayer.newBuilder().setUnits(8192))
              .addHiddenLayers(HiddenLayer.newBuilder().setUnits(8192))
              .build();
      assertThatThrownBy(
              () -> server.training.createTrainingJob(
                  CreateTrainingJobRequest.newBuilder().setSpec(spec.clone().setModel(ModelSpec.newBuilder().setMlp(wide))).build()))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                assertThat(e.getStatus().getDescription())
                    .contains("outside the Java heap")
                    .contains("this server allows 0.25 GiB per job")
                    .contains("--max-job-memory");
              });
      // The same data with a model of chapter size fits, and nothing was queued for the refused one.
      server.training.createTrainingJob(
          CreateTrainingJobRequest.newBuilder()
              .setSpec(spec.clone().setModel(ModelSpec.newBuilder().setMlp(Mlp.newBuilder().addHiddenLayers(HiddenLayer.newBuilder().setUnits(256)))))
              .build());
      assertThat(server.training.listTrainingJobs(dev.trainerd.v1.ListTrainingJobsRequest.getDefaultInstance()).getTrainingJobsCount())
          .isEqualTo(1);
      assertHealthy(server);
    }
  }

  @Test
  void theDefaultMemoryLimitRefusesAModelNoMachineHereCouldHold() throws Exception {
    try (InProcessTrainerd server = new InProcessTrainerd(dir, 1)) {
      Dataset data = linear(server, 100);
      // Two 65536-unit layers: 4.3 billion weights, 51 GB with Adam's two slots.
      Mlp widest =
          Mlp.newBuilder()
              .addHiddenLayers(HiddenLayer.newBuilder().setUnits(65_536))
              .addHiddenLayers(HiddenLayer.newBuilder().setUnits(65_536))
              .build();
      assertExhausted(
          () -> server.training.createTrainingJob(
              CreateTrainingJobRequest.newBuilder()
                  .setSpec(
                      TrainingJobSpec.newBuilder()
                          .setDataset(data.getName())
                          .setModel(ModelSpec.newBuilder().setMlp(widest))
                          .setOptimizer(dev.trainerd.v1.Optimizer.newBuilder().setAdam(dev.trainerd.v1.AdamOptimizer.getDefaultInstance())))
                  .build()));
      assertHealthy(server);
    }
  }

  @Test
  void uploadsBeyondTheStoredBytesAreRefused() throws Exception {
    try (InProcessTrainerd server = new InProcessTrainerd(dir, 1, 1 << 20, 10, 2_000, Long.MAX_VALUE)) {
      Path csv = dir.resolve("a.csv");
      StringBuilder rows = new StringBuilder("x,y\n");
      for (int i = 0; i < 150; i++) {
        rows.append(i).append(',').append(i * 2).append('\n');
      }
      Files.writeString(csv, rows);
      UploadDatasetMetadata meta = UploadDatasetMetadata.newBuilder().setLabelColumn("y").build();
      StreamingUpload.upload(server.channel, meta, List.of(csv));
      Path other = dir.resolve("b.csv");
      Files.writeString(other, rows.toString().replace("\n1,", "\n7,"));
      assertThatThrownBy(() -> StreamingUpload.upload(server.channel, meta, List.of(other)))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
      assertThat(server.datasets.listDatasets(ListDatasetsRequest.getDefaultInstance()).getDatasetsCount()).isEqualTo(1);
      assertHealthy(server);
    }
  }

  private static void assertExhausted(Runnable call) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
  }

  private static void assertHealthy(InProcessTrainerd server) {
    assertThat(HealthGrpc.newBlockingStub(server.channel).check(HealthCheckRequest.getDefaultInstance()).getStatus())
        .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
  }
}
