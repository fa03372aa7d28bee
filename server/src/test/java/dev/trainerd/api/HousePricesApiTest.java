package dev.trainerd.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainerd.data.SharedData;
import dev.trainerd.bench.StreamingUpload;
import dev.trainerd.v1.AdamOptimizer;
import dev.trainerd.v1.BatchPredictRequest;
import dev.trainerd.v1.BatchPredictResponse;
import dev.trainerd.v1.BatchPrediction;
import dev.trainerd.v1.CreateTrainingJobRequest;
import dev.trainerd.v1.CrossValidationResult;
import dev.trainerd.v1.Dataset;
import dev.trainerd.v1.KFold;
import dev.trainerd.v1.LinearRegression;
import dev.trainerd.v1.ModelSpec;
import dev.trainerd.v1.Optimizer;
import dev.trainerd.v1.Preprocessing;
import dev.trainerd.v1.Split;
import dev.trainerd.v1.TaskType;
import dev.trainerd.v1.TrainingJob;
import dev.trainerd.v1.TrainingJobEvent;
import dev.trainerd.v1.TrainingJobSpec;
import dev.trainerd.v1.UploadDatasetMetadata;
import dev.trainerd.v1.WatchTrainingJobRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The book's Kaggle house-price model through the API: preprocessing fitted on train and test
 * (331 features), 5-fold linear regression with Adam, then a submission for test.csv.
 */
class HousePricesApiTest {
  @TempDir Path dir;

  @Test
  void fiveFoldLinearRegressionMatchesTheBookAndWritesASubmission() throws Exception {
    try (InProcessTrainerd server = new InProcessTrainerd(dir)) {
      Dataset train =
          StreamingUpload.upload(
              server.channel,
              UploadDatasetMetadata.newBuilder()
                  .setDisplayName("kaggle train")
                  .setLabelColumn("SalePrice")
                  .setIdColumn("Id")
                  .build(),
              List.of(SharedData.housePrices("train.csv")));
      Dataset test =
          StreamingUpload.upload(
              server.channel,
              UploadDatasetMetadata.newBuilder().setDisplayName("kaggle test").setIdColumn("Id").build(),
              List.of(SharedData.housePrices("test.csv")));
      assertThat(train.getTask()).isEqualTo(TaskType.REGRESSION);
      assertThat(train.getExampleCount()).isEqualTo(1460);
      assertThat(test.getTask()).isEqualTo(TaskType.UNLABELLED);

      TrainingJob job =
          server.training.createTrainingJob(
              CreateTrainingJobRequest.newBuilder()
                  .setDisplayName("house prices, book setup")
                  .setSpec(
                      TrainingJobSpec.newBuilder()
                          .setDataset(train.getName())
                          .setSplit(Split.newBuilder().setKFold(KFold.newBuilder().setFolds(5)))
                          .setPreprocessing(Preprocessing.newBuilder().setFitAlsoOnDataset(test.getName()))
                          .setModel(ModelSpec.newBuilder().setLinear(LinearRegression.getDefaultInstance()))
                          .setOptimizer(Optimizer.newBuilder().setAdam(AdamOptimizer.getDefaultInstance()))
                          .setLearningRate(5)
                          .setBatchSize(64)
                          .setEpochs(100)
                          .setSeed(0))
                  .build());
      assertThat(job.getEpochsTotal()).isEqualTo(600);
      List<TrainingJobEvent> events = new ArrayList<>();
      server.training.watchTrainingJob(WatchTrainingJobRequest.newBuilder().setName(job.getName()).build())
          .forEachRemaining(events::add);
      TrainingJob done = events.get(events.size() - 1).getStateChange().getJob();
      assertThat(done.getState()).as("%s", done.getError()).isEqualTo(TrainingJob.State.SUCCEEDED);
      assertThat(events.stream().filter(TrainingJobEvent::hasFold)).hasSize(5);

      CrossValidationResult cv = done.getCrossValidation();
      assertThat(cv.getFoldsCount()).isEqualTo(5);
      double validLogRmse = cv.getMeanValidation().getLogRmse();
      System.out.printf("house prices 5-fold: mean train log-RMSE %.4f, mean validation log-RMSE %.4f%n", cv.getMeanTrain().getLogRmse(), validLogRmse);
      assertThat(validLogRmse).as("mean validation log-RMSE (the book: 0.1709)").isLessThanOrEqualTo(0.175);
      assertThat(cv.getMeanTrain().getLogRmse()).isLessThan(validLogRmse + 0.05);

      var model = server.models.getModel(dev.trainerd.v1.GetModelRequest.newBuilder().setName(done.getModel()).build());
      assertThat(model.getFeatureCount()).isEqualTo(331);

      List<String> lines = new ArrayList<>();
      var stream =
          server.models.batchPredict(
              BatchPredictRequest.newBuilder().setName(done.getModel()).setDataset(test.getName()).build());
      while (stream.hasNext()) {
        BatchPredictResponse page = stream.next();
        if (page.getHeaderCount() > 0) {
          lines.add(String.join(",", page.getHeaderList()));
        }
        for (BatchPrediction row : page.getRowsList()) {
          lines.add(row.getId() + "," + row.getPrediction().getValue());
        }
      }
      assertThat(lines.get(0)).isEqualTo("Id,SalePrice");
      assertThat(lines).hasSize(1460);
      assertThat(lines.get(1)).startsWith("1461,");
      assertThat(lines.get(1459)).startsWith("2919,");
      double first = Double.parseDouble(lines.get(1).split(",")[1]);
      assertThat(first).as("a plausible Ames sale price").isBetween(50_000.0, 500_000.0);
    }
  }
}
