package dev.trainerd.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import dev.trainerd.v1.CreateSyntheticDatasetRequest;
import dev.trainerd.v1.CreateTrainingJobRequest;
import dev.trainerd.v1.Dataset;
import dev.trainerd.v1.DatasetServiceGrpc;
import dev.trainerd.v1.FileChunk;
import dev.trainerd.v1.GetModelRequest;
import dev.trainerd.v1.GetTrainingJobRequest;
import dev.trainerd.v1.HiddenLayer;
import dev.trainerd.v1.LinearRegression;
import dev.trainerd.v1.LinearSyntheticSpec;
import dev.trainerd.v1.ListDatasetsRequest;
import dev.trainerd.v1.Mlp;
import dev.trainerd.v1.ModelServiceGrpc;
import dev.trainerd.v1.ModelSpec;
import dev.trainerd.v1.SyntheticSpec;
import dev.trainerd.v1.TrainingJob;
import dev.trainerd.v1.TrainingJobEvent;
import dev.trainerd.v1.TrainingJobSpec;
import dev.trainerd.v1.TrainingServiceGrpc;
import dev.trainerd.v1.UploadDatasetMetadata;
import dev.trainerd.v1.UploadDatasetRequest;
import dev.trainerd.v1.WatchTrainingJobRequest;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 of the real server process during an upload and during training, then a restart. */
class DurabilityIT {

  @Test
  void aKilledUploadLeavesNoPartialDataSet(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("data");
    Dataset kept;
    try (ServerProcess server = new ServerProcess(data)) {
      kept = synthetic(server, 1);
      StreamObserver<UploadDatasetRequest> upload =
          DatasetServiceGrpc.newStub(server.channel())
              .uploadDataset(
                  new StreamObserver<>() {
                    @Override
                    public void onNext(Dataset value) {}

                    @Override
                    public void onError(Throwable t) {}

                    @Override
                    public void onCompleted() {}
                  });
      upload.onNext(UploadDatasetRequest.newBuilder().setMetadata(UploadDatasetMetadata.newBuilder().setLabelColumn("y")).build());
      StringBuilder rows = new StringBuilder("x,y\n");
      for (int i = 0; i < 50_000; i++) {
        rows.append(i).append(',').append(2 * i).append('\n');
      }
      upload.onNext(
          UploadDatasetRequest.newBuilder()
              .setChunk(FileChunk.newBuilder().setFileName("half.csv").setData(ByteString.copyFromUtf8(rows.toString())))
              .build());
      waitForStagedBytes(data.resolve("datasets").resolve("staging"));
      server.kill();
    }
    try (ServerProcess restarted = new ServerProcess(data)) {
      assertThat(DatasetServiceGrpc.newBlockingStub(restarted.channel()).listDatasets(ListDatasetsRequest.getDefaultInstance()).getDatasetsList())
          .extracting(Dataset::getName)
          .containsExactly(kept.getName());
      assertThat(filesUnder(data.resolve("datasets").resolve("staging"))).isZero();
    }
  }

  @Test
  void aKilledTrainingJobEndsFailedAndNothingElseIsLost(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("data");
    Dataset dataset;
    TrainingJob finished;
    TrainingJob interrupted;
    try (ServerProcess server = new ServerProcess(data)) {
      dataset = synthetic(server, 2);
      TrainingServiceGrpc.TrainingServiceBlockingStub training = TrainingServiceGrpc.newBlockingStub(server.channel());
      finished =
          runToEnd(training, training.createTrainingJob(
              CreateTrainingJobRequest.newBuilder()
                  .setSpec(TrainingJobSpec.newBuilder()
                      .setDataset(dataset.getName())
                      .setModel(ModelSpec.newBuilder().setLinear(LinearRegression.getDefaultInstance()))
                      .setBatchSize(10).setLearningRate(0.03).setEpochs(2))
                  .build()));
      interrupted =
          training.createTrainingJob(
              CreateTrainingJobRequest.newBuilder()
                  .setSpec(TrainingJobSpec.newBuilder()
                      .setDataset(dataset.getName())
                      .setModel(ModelSpec.newBuilder().setMlp(Mlp.newBuilder().addHiddenLayers(HiddenLayer.newBuilder().setUnits(64))))
                      .setBatchSize(1).setLearningRate(0.001).setEpochs(10_000))
                  .build());
      Iterator<TrainingJobEvent> watch =
          training.watchTrainingJob(WatchTrainingJobRequest.newBuilder().setName(interrupted.getName()).build());
      while (watch.hasNext() && !watch.next().hasEpoch()) {
        // wait for the first epoch: the job is really training
      }
      server.kill();
    }
    try (ServerProcess restarted = new ServerProcess(data)) {
      TrainingServiceGrpc.TrainingServiceBlockingStub training = TrainingServiceGrpc.newBlockingStub(restarted.channel());
      TrainingJob after = training.getTrainingJob(GetTrainingJobRequest.newBuilder().setName(interrupted.getName()).build());
      assertThat(after.getState()).isEqualTo(TrainingJob.State.FAILED);
      assertThat(after.getError().getMessage()).contains("server restarted");
      assertThat(reason(after.getError())).isEqualTo("SERVER_RESTARTED");
      assertThat(after.getEpochsCompleted()).isGreaterThanOrEqualTo(0);

      TrainingJob before = training.getTrainingJob(GetTrainingJobRequest.newBuilder().setName(finished.getName()).build());
      assertThat(before.getState()).isEqualTo(TrainingJob.State.SUCCEEDED);
      assertThat(ModelServiceGrpc.newBlockingStub(restarted.channel())
              .getModel(GetModelRequest.newBuilder().setName(before.getModel()).build()).getName())
          .isEqualTo(before.getModel());
      assertThat(DatasetServiceGrpc.newBlockingStub(restarted.channel()).listDatasets(ListDatasetsRequest.getDefaultInstance()).getDatasetsCount())
          .isEqualTo(1);
    }
  }

  private static TrainingJob runToEnd(TrainingServiceGrpc.TrainingServiceBlockingStub training, TrainingJob job) {
    TrainingJob last = job;
    Iterator<TrainingJobEvent> events = training.watchTrainingJob(WatchTrainingJobRequest.newBuilder().setName(job.getName()).build());
    while (events.hasNext()) {
      TrainingJobEvent e = events.next();
      if (e.hasStateChange()) {
        last = e.getStateChange().getJob();
      }
    }
    return last;
  }

  private static Dataset synthetic(ServerProcess server, long seed) {
    return DatasetServiceGrpc.newBlockingStub(server.channel())
        .createSyntheticDataset(
            CreateSyntheticDatasetRequest.newBuilder()
                .setSeed(seed)
                .setSpec(SyntheticSpec.newBuilder().setLinear(LinearSyntheticSpec.getDefaultInstance()))
                .build())
        .getTrainDataset();
  }

  private static String reason(com.google.rpc.Status status) throws Exception {
    for (Any detail : status.getDetailsList()) {
      if (detail.is(ErrorInfo.class)) {
        return detail.unpack(ErrorInfo.class).getReason();
      }
    }
    return "";
  }

  private static void waitForStagedBytes(Path staging) throws Exception {
    for (int i = 0; i < 200; i++) {
      if (filesUnder(staging) > 0) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the upload never reached the staging directory");
  }

  private static long filesUnder(Path dir) throws Exception {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).count();
    }
  }
}
