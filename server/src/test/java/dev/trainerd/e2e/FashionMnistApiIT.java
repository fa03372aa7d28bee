package dev.trainerd.e2e;

import dev.trainerd.bench.StreamingUpload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.trainerd.data.SharedData;
import dev.trainerd.v1.CancelTrainingJobRequest;
import dev.trainerd.v1.CreateTrainingJobRequest;
import dev.trainerd.v1.Dataset;
import dev.trainerd.v1.DatasetFormat;
import dev.trainerd.v1.FeatureVector;
import dev.trainerd.v1.GetTrainingJobRequest;
import dev.trainerd.v1.HiddenLayer;
import dev.trainerd.v1.ListModelsRequest;
import dev.trainerd.v1.Mlp;
import dev.trainerd.v1.ModelServiceGrpc;
import dev.trainerd.v1.ModelSpec;
import dev.trainerd.v1.PredictRequest;
import dev.trainerd.v1.PredictResponse;
import dev.trainerd.v1.Prediction;
import dev.trainerd.v1.PredictionInput;
import dev.trainerd.v1.SoftmaxRegression;
import dev.trainerd.v1.Split;
import dev.trainerd.v1.TaskType;
import dev.trainerd.v1.TrainingJob;
import dev.trainerd.v1.TrainingJobEvent;
import dev.trainerd.v1.TrainingJobSpec;
import dev.trainerd.v1.TrainingServiceGrpc;
import dev.trainerd.v1.UploadDatasetMetadata;
import dev.trainerd.v1.WatchTrainingJobRequest;
import java.io.DataInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Issue 4's end-to-end path on the real data: upload, train, watch, predict, cancel. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FashionMnistApiIT {
  private ServerProcess server;
  private Dataset train;
  private Dataset test;

  @BeforeAll
  void startAndUpload(@TempDir Path dataDir) throws Exception {
    server = new ServerProcess(dataDir);
    UploadDatasetMetadata idx = UploadDatasetMetadata.newBuilder().setFormat(DatasetFormat.IDX).build();
    train =
        StreamingUpload.upload(
            server.channel(),
            idx.toBuilder().setDisplayName("fashion-mnist train").build(),
            List.of(SharedData.fashionMnist("train-images-idx3-ubyte.gz"), SharedData.fashionMnist("train-labels-idx1-ubyte.gz")));
    test =
        StreamingUpload.upload(
            server.channel(),
            idx.toBuilder().setDisplayName("fashion-mnist test").build(),
            List.of(SharedData.fashionMnist("t10k-images-idx3-ubyte.gz"), SharedData.fashionMnist("t10k-labels-idx1-ubyte.gz")));
  }

  @AfterAll
  void stop() throws Exception {
    server.close();
  }

  @Test
  void uploadsParseAsTheBookDescribesThem() {
    assertThat(train.getExampleCount()).isEqualTo(60_000);
    assertThat(train.getFeatureCount()).isEqualTo(784);
    assertThat(train.getTask()).isEqualTo(TaskType.CLASSIFICATION);
    assertThat(train.getClassNamesCount()).isEqualTo(10);
    assertThat(test.getExampleCount()).isEqualTo(10_000);
    assertThat(train.getFilesCount()).isEqualTo(2);
  }

  @Test
  void softmaxRegressionTrainsToTheBooksAccuracyAndPredictsProbabilities() throws Exception {
    TrainingServiceGrpc.TrainingServiceBlockingStub training = TrainingServiceGrpc.newBlockingStub(server.channel());
    TrainingJob job =
        training.createTrainingJob(
            CreateTrainingJobRequest.newBuilder()
                .setDisplayName("softmax")
                .setSpec(
                    TrainingJobSpec.newBuilder()
                        .setDataset(train.getName())
                        .setSplit(Split.newBuilder().setTestDataset(test.getName()))
                        .setModel(ModelSpec.newBuilder().setSoftmax(SoftmaxRegression.getDefaultInstance()))
                        .setLearningRate(0.1)
                        .setBatchSize(256)
                        .setEpochs(10)
                        .setSeed(1))
                .build());
    List<TrainingJobEvent> events = new ArrayList<>();
    training.watchTrainingJob(WatchTrainingJobRequest.newBuilder().setName(job.getName()).build())
        .forEachRemaining(events::add);

    List<Integer> epochs = events.stream().filter(TrainingJobEvent::hasEpoch).map(e -> e.getEpoch().getEpoch()).toList();
    assertThat(epochs).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    TrainingJobEvent last = events.get(events.size() - 1);
    assertThat(last.getStateChange().getState()).isEqualTo(TrainingJob.State.SUCCEEDED);
    double accuracy = last.getStateChange().getJob().getLatestEpoch().getEvaluation().getAccuracy();
    assertThat(accuracy).isGreaterThanOrEqualTo(0.82);

    float[][] images = firstTestImages(5);
    PredictRequest.Builder request = PredictRequest.newBuilder().setName(last.getStateChange().getJob().getModel());
    for (float[] image : images) {
      FeatureVector.Builder v = FeatureVector.newBuilder();
      for (float p : image) {
        v.addValues(p);
      }
      request.addInputs(PredictionInput.newBuilder().setFeatures(v));
    }
    PredictResponse response = ModelServiceGrpc.newBlockingStub(server.channel()).predict(request.build());
    assertThat(response.getPredictionsCount()).isEqualTo(5);
    for (Prediction p : response.getPredictionsList()) {
      assertThat(p.getOutputsCount()).isEqualTo(10);
      double sum = p.getOutputsList().stream().mapToDouble(Float::doubleValue).sum();
      assertThat(sum).isCloseTo(1.0, within(1e-4));
      assertThat(p.getPredictedLabel()).isEqualTo(Integer.toString(p.getPredictedClass()));
    }
  }

  @Test
  void cancellingARunningMlpStopsItWithinTwoSecondsAndSavesNoModel() throws Exception {
    TrainingServiceGrpc.TrainingServiceBlockingStub training = TrainingServiceGrpc.newBlockingStub(server.channel());
    int modelsBefore =
        ModelServiceGrpc.newBlockingStub(server.channel()).listModels(ListModelsRequest.getDefaultInstance()).getModelsCount();
    TrainingJob job =
        training.createTrainingJob(
            CreateTrainingJobRequest.newBuilder()
                .setSpec(
                    TrainingJobSpec.newBuilder()
                        .setDataset(train.getName())
                        .setModel(
                            ModelSpec.newBuilder()
                                .setMlp(Mlp.newBuilder().addHiddenLayers(HiddenLayer.newBuilder().setUnits(256))))
                        .setEpochs(100))
                .build());
    var watch = training.watchTrainingJob(WatchTrainingJobRequest.newBuilder().setName(job.getName()).build());
    while (watch.hasNext()) {
      TrainingJobEvent e = watch.next();
      if (e.hasEpoch()) {
        break;
      }
    }
    long asked = System.nanoTime();
    TrainingJob cancelling = training.cancelTrainingJob(CancelTrainingJobRequest.newBuilder().setName(job.getName()).build());
    assertThat(cancelling.getState()).isIn(TrainingJob.State.CANCELLING, TrainingJob.State.CANCELLED);
    TrainingJob finalState = null;
    while (watch.hasNext()) {
      TrainingJobEvent e = watch.next();
      if (e.hasStateChange() && e.getStateChange().getState() == TrainingJob.State.CANCELLED) {
        finalState = e.getStateChange().getJob();
      }
    }
    double seconds = (System.nanoTime() - asked) / 1e9;
    assertThat(finalState).isNotNull();
    assertThat(seconds).as("seconds from cancel to CANCELLED").isLessThan(2.0);
    assertThat(finalState.getModel()).isEmpty();
    assertThat(training.getTrainingJob(GetTrainingJobRequest.newBuilder().setName(job.getName()).build()).getState())
        .isEqualTo(TrainingJob.State.CANCELLED);
    assertThat(
            ModelServiceGrpc.newBlockingStub(server.channel()).listModels(ListModelsRequest.getDefaultInstance()).getModelsCount())
        .isEqualTo(modelsBefore);
  }

  private static float[][] firstTestImages(int n) throws Exception {
    Path file = SharedData.fashionMnist("t10k-images-idx3-ubyte.gz");
    try (InputStream raw = Files.newInputStream(file);
        DataInputStream in = new DataInputStream(new GZIPInputStream(raw))) {
      in.readInt();
      in.readInt();
      int rows = in.readInt();
      int cols = in.readInt();
      float[][] out = new float[n][rows * cols];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < rows * cols; j++) {
          out[i][j] = in.readUnsignedByte() / 255f;
        }
      }
      return out;
    }
  }
}
