package dev.trainerd.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.rpc.BadRequest;
import dev.trainerd.v1.CreateTrainingJobRequest;
import dev.trainerd.v1.Dataset;
import dev.trainerd.v1.FeatureVector;
import dev.trainerd.v1.GetModelRequest;
import dev.trainerd.v1.GetTrainingJobRequest;
import dev.trainerd.v1.KFold;
import dev.trainerd.v1.LinearRegression;
import dev.trainerd.v1.ListDatasetsRequest;
import dev.trainerd.v1.ListModelsRequest;
import dev.trainerd.v1.ListTrainingJobsRequest;
import dev.trainerd.v1.Model;
import dev.trainerd.v1.ModelSpec;
import dev.trainerd.v1.ModelView;
import dev.trainerd.v1.Parameter;
import dev.trainerd.v1.PredictRequest;
import dev.trainerd.v1.PredictResponse;
import dev.trainerd.v1.PredictionInput;
import dev.trainerd.v1.Split;
import dev.trainerd.v1.TrainingJob;
import dev.trainerd.v1.TrainingJobEvent;
import dev.trainerd.v1.TrainingJobSpec;
import dev.trainerd.v1.WatchTrainingJobRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingApiTest {
  @TempDir Path dataDir;

  private static TrainingJobSpec.Builder linearSpec(Dataset data) {
    return TrainingJobSpec.newBuilder()
        .setDataset(data.getName())
        .setModel(ModelSpec.newBuilder().setLinear(LinearRegression.getDefaultInstance()))
        .setBatchSize(10)
        .setLearningRate(0.03)
        .setEpochs(3)
        .setSeed(7);
  }

  @Test
  void trainsLinearRegressionThroughTheApiAndRecoversTheTrueParameters() throws Exception {
    try (InProcessTrainerd server = new InProcessTrainerd(dataDir)) {
      Dataset data = server.linearData();
      assertThat(data.getExampleCount()).isEqualTo(1000);
      assertThat(data.getFeatureCount()).isEqualTo(2);

      TrainingJob job =
          server.training.createTrainingJob(
              CreateTrainingJobRequest.newBuilder().setDisplayName("lr").setSpec(linearSpec(data)).build());
      assertThat(job.getState()).isEqualTo(TrainingJob.State.QUEUED);
      assertThat(job.getSpec().getSeed()).isEqualTo(7);

      List<TrainingJobEvent> events = new ArrayList<>();
      Iterator<TrainingJobEvent> stream =
          server.training.watchTrainingJob(WatchTrainingJobRequest.newBuilder().setName(job.getName()).build());
      stream.forEachRemaining(events::add);

      assertThat(events).extracting(TrainingJobEvent::getSequence).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
      assertThat(events.get(0).getStateChange().getState()).isEqualTo(TrainingJob.State.QUEUED);
      assertThat(events.get(1).getStateChange().getState()).isEqualTo(TrainingJob.State.RUNNING);
      assertThat(events.subList(2, 5)).extracting(e -> e.getEpoch().getEpoch()).containsExactly(1, 2, 3);
      TrainingJob done = events.get(5).getStateChange().getJob();
      assertThat(done.getState()).isEqualTo(TrainingJob.State.SUCCEEDED);
      assertThat(done.getEpochsCompleted()).isEqualTo(3);

      Model model =
          server.models.getModel(GetModelRequest.newBuilder().setName(done.getModel()).setView(ModelView.FULL).build());
      assertThat(model.getProvenance().getDatasetSha256()).isEqualTo(data.getSha256());
      assertThat(model.getProvenance().getSeed()).isEqualTo(7);
      assertThat(model.getProvenance().getTensorflowVersion()).startsWith("TensorFlow ");
      Parameter w = model.getParametersList().stream().filter(p -> p.getName().equals("dense0/weight")).findFirst().orElseThrow();
      Parameter b = model.getParametersList().stream().filter(p -> p.getName().equals("dense0/bias")).findFirst().orElseThrow();
      assertThat(w.getValues(0)).isCloseTo(2f, org.assertj.core.data.Offset.offset(0.01f));
      assertThat(w.getValues(1)).isCloseTo(-3.4f, org.assertj.core.data.Offset.offset(0.01f));
      assertThat(b.getValues(0)).isCloseTo(4.2f, org.assertj.core.data.Offset.offset(0.01f));

      PredictResponse predicted =
          server.models.predict(
              PredictRequest.newBuilder()
                  .setName(model.getName())
                  .addInputs(PredictionInput.newBuilder().setFeatures(FeatureVector.newBuilder().addValues(1).addValues(1)))
                  .build());
      assertThat(predicted.getPredictions(0).getValue()).isCloseTo(2 - 3.4 + 4.2, org.assertj.core.data.Offset.offset(0.05));
    }
  }

  @Test
  void everythingSurvivesARestartOnTheSameDataDirectory() throws Exception {
    String modelName;
    String jobName;
    try (InProcessTrainerd server = new InProcessTrainerd(dataDir)) {
      Dataset data = server.linearData();
      TrainingJob job =
          server.training.createTrainingJob(CreateTrainingJobRequest.newBuilder().setSpec(linearSpec(data)).build());
      server.training.watchTrainingJob(WatchTrainingJobRequest.newBuilder().setName(job.getName()).build())
          .forEachRemaining(e -> {});
      jobName = job.getName();
      modelName = server.training.getTrainingJob(GetTrainingJobRequest.newBuilder().setName(jobName).build()).getModel();
    }
    try (InProcessTrainerd server = new InProcessTrainerd(dataDir)) {
      assertThat(server.datasets.listDatasets(ListDatasetsRequest.getDefaultInstance()).getDatasetsCount()).isEqualTo(1);
      assertThat(server.training.listTrainingJobs(ListTrainingJobsRequest.getDefaultInstance()).getTrainingJobsList())
          .extracting(TrainingJob::getName, TrainingJob::getState)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(jobName, TrainingJob.State.SUCCEEDED));
      assertThat(server.models.listModels(ListModelsRequest.getDefaultInstance()).getModelsList())
          .extracting(Model::getName)
          .containsExactly(modelName);
      List<TrainingJobEvent> replay = new ArrayList<>();
      server.training.watchTrainingJob(WatchTrainingJobRequest.newBuilder().setName(jobName).build())
          .forEachRemaining(replay::add);
      assertThat(replay).hasSize(6);
      assertThat(replay.get(5).getStateChange().getState()).isEqualTo(TrainingJob.State.SUCCEEDED);
    }
  }

  @Test
  void badHyperparametersAreRejectedWithFieldViolations() throws Exception {
    try (InProcessTrainerd server = new InProcessTrainerd(dataDir)) {
      Dataset data = server.linearData();
      TrainingJobSpec spec = linearSpec(data).setLearningRate(-1).setBatchSize(-5).build();
      assertThatThrownBy(
              () -> server.training.createTrainingJob(CreateTrainingJobRequest.newBuilder().setSpec(spec).build()))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                assertThat(violations(e)).contains("spec.learning_rate", "spec.batch_size");
              });
    }
  }

  static List<String> violations(StatusRuntimeException e) {
    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    List<String> fields = new ArrayList<>();
    for (com.google.protobuf.Any detail : status.getDetailsList()) {
      if (detail.is(BadRequest.class)) {
        try {
          detail.unpack(BadRequest.class).getFieldViolationsList().forEach(v -> fields.add(v.getField()));
        } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
          throw new AssertionError(ex);
        }
      }
    }
    return fields;
  }

  @Test
  void aCrossValidationsEpochsAreRecordedFoldByFoldInOrderAndReplayedTheSameAfterARestart() throws Exception {
    List<TrainingJobEvent> live = new ArrayList<>();
    String name;
    try (InProcessTrainerd server = new InProcessTrainerd(dataDir)) {
      Dataset data = server.linearData();
      TrainingJob job =
          server.training.createTrainingJob(
              CreateTrainingJobRequest.newBuilder()
                  .setSpec(linearSpec(data).setEpochs(2).setSplit(Split.newBuilder().setKFold(KFold.newBuilder().setFolds(3))))
                  .build());
      name = job.getName();
      server.training.watchTrainingJob(WatchTrainingJobRequest.newBuilder().setName(name).build()).forEachRemaining(live::add);
    }
    // QUEUED, RUNNING; each epoch's three folds (written as one append), the three fold results;
    // the final model's two epochs; SUCCEEDED.
    assertThat(live).extracting(TrainingJobEvent::getSequence).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L);
    assertThat(live.subList(2, 8))
        .extracting(e -> e.getEpoch().getEpoch() + "/" + e.getEpoch().getFold())
        .containsExactly("1/1", "1/2", "1/3", "2/1", "2/2", "2/3");
    assertThat(live.subList(8, 11)).extracting(e -> e.getFold().getFold()).containsExactly(1, 2, 3);
    assertThat(live.subList(11, 13)).extracting(e -> e.getEpoch().getEpoch() + "/" + e.getEpoch().getFold()).containsExactly("1/0", "2/0");
    assertThat(live.get(13).getStateChange().getState()).isEqualTo(TrainingJob.State.SUCCEEDED);

    try (InProcessTrainerd restarted = new InProcessTrainerd(dataDir)) {
      List<TrainingJobEvent> replayed = new ArrayList<>();
      restarted.training.watchTrainingJob(WatchTrainingJobRequest.newBuilder().setName(name).build()).forEachRemaining(replayed::add);
      assertThat(replayed).isEqualTo(live);
    }
  }
}
