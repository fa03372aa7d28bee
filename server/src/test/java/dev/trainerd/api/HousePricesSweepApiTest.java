package dev.trainerd.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainerd.bench.StreamingUpload;
import dev.trainerd.data.SharedData;
import dev.trainerd.v1.AdamOptimizer;
import dev.trainerd.v1.BatchPredictRequest;
import dev.trainerd.v1.BatchPredictResponse;
import dev.trainerd.v1.BatchPrediction;
import dev.trainerd.v1.CreateSweepRequest;
import dev.trainerd.v1.Dataset;
import dev.trainerd.v1.GridValues;
import dev.trainerd.v1.KFold;
import dev.trainerd.v1.LinearRegression;
import dev.trainerd.v1.ModelSpec;
import dev.trainerd.v1.Objective;
import dev.trainerd.v1.Optimizer;
import dev.trainerd.v1.Preprocessing;
import dev.trainerd.v1.Split;
import dev.trainerd.v1.Sweep;
import dev.trainerd.v1.SweepEvent;
import dev.trainerd.v1.SweepParameter;
import dev.trainerd.v1.Trial;
import dev.trainerd.v1.TrainingJobSpec;
import dev.trainerd.v1.UploadDatasetMetadata;
import dev.trainerd.v1.WatchSweepRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The house-price exercise as one sweep: linear vs MLP, weight decay and log targets on a grid
 * focused where earlier sweeps found the good region (Adam, learning rate 0.005, 60 epochs, 64
 * hidden units), each trial 5-fold cross-validated; the best model writes the Kaggle submission.
 * At learning rate 0.01 the MLP's loss still oscillates after 60 epochs, so its final value
 * swings between about 0.128 and 0.140 with float rounding alone; at 0.005 it has settled (the
 * MLP trials end at 0.130-0.136).
 */
class HousePricesSweepApiTest {
  @TempDir Path dir;

  private static SweepParameter grid(String name, String... values) {
    return SweepParameter.newBuilder().setName(name).setValues(GridValues.newBuilder().addAllValues(List.of(values))).build();
  }

  /** The best objective among trials with this model and log_target value. */
  private static double bestOf(Sweep sweep, String model, String logTarget) {
    return sweep.getTrialsList().stream()
        .filter(t -> value(t, "model").equals(model) && value(t, "log_target").equals(logTarget))
        .mapToDouble(Trial::getObjectiveValue)
        .min()
        .orElseThrow();
  }

  private static String value(Trial trial, String parameter) {
    return trial.getParametersList().stream().filter(p -> p.getName().equals(parameter)).findFirst().orElseThrow().getValue();
  }

  @Test
  void aFiveFoldSweepBeatsTheBooksLinearModelAndWritesASubmission() throws Exception {
    try (InProcessTrainerd server = new InProcessTrainerd(dir, 2)) {
      Dataset train =
          StreamingUpload.upload(
              server.channel,
              UploadDatasetMetadata.newBuilder().setDisplayName("kaggle train").setLabelColumn("SalePrice").setIdColumn("Id").build(),
              List.of(SharedData.housePrices("train.csv")));
      Dataset test =
          StreamingUpload.upload(
              server.channel,
              UploadDatasetMetadata.newBuilder().setDisplayName("kaggle test").setIdColumn("Id").build(),
              List.of(SharedData.housePrices("test.csv")));
      TrainingJobSpec base =
          TrainingJobSpec.newBuilder()
              .setDataset(train.getName())
              .setSplit(Split.newBuilder().setKFold(KFold.newBuilder().setFolds(5)))
              .setPreprocessing(Preprocessing.newBuilder().setFitAlsoOnDataset(test.getName()))
              .setModel(ModelSpec.newBuilder().setLinear(LinearRegression.getDefaultInstance()))
              .setOptimizer(Optimizer.newBuilder().setAdam(AdamOptimizer.getDefaultInstance()))
              .setBatchSize(64)
              .setSeed(0)
              .build();
      Sweep sweep =
          server.sweeps.createSweep(
              CreateSweepRequest.newBuilder()
                  .setSweep(
                      Sweep.newBuilder()
                          .setDisplayName("house prices")
                          .setBaseSpec(base)
                          .addParameters(grid("model", "linear", "mlp"))
                          .addParameters(grid("weight_decay", "0.0003", "0.001"))
                          .addParameters(grid("log_target", "true", "false"))
                          .addParameters(grid("learning_rate", "0.005"))
                          .addParameters(grid("epochs", "60"))
                          .addParameters(grid("hidden_units", "64"))
                          .setParallelism(2)
                          .setObjective(Objective.newBuilder().setMetric(Objective.Metric.LOG_RMSE)))
                  .build());
      assertThat(sweep.getTrialsCount()).isEqualTo(8);
      assertThat(sweep.getState()).isEqualTo(Sweep.State.RUNNING);

      List<SweepEvent> events = new ArrayList<>();
      server.sweeps.watchSweep(WatchSweepRequest.newBuilder().setName(sweep.getName()).build()).forEachRemaining(events::add);
      Sweep done = events.get(events.size() - 1).getSweep();
      for (Trial t : done.getTrialsList()) {
        System.out.printf("house prices trial %d %s: %s %s%n", t.getTrial(), t.getParametersList().stream().map(p -> p.getName() + "=" + p.getValue()).toList(), t.getState(), t.hasObjectiveValue() ? String.format("%.4f", t.getObjectiveValue()) : t.getError().getMessage());
      }
      assertThat(done.getState()).as("%s", done.getError()).isEqualTo(Sweep.State.SUCCEEDED);
      assertThat(done.getTrialsList()).allSatisfy(t -> assertThat(t.getState()).isEqualTo(Trial.State.SUCCEEDED));
      // For either model, log targets beat training on dollars.
      for (String model : List.of("linear", "mlp")) {
        assertThat(bestOf(done, model, "true")).as(model).isLessThan(bestOf(done, model, "false"));
      }
      Trial best = done.getTrials(0);
      assertThat(best.getRank()).isEqualTo(1);
      assertThat(done.getBestTrial()).isEqualTo(best.getTrial());
      assertThat(done.getBestModel()).isEqualTo(best.getModel());
      System.out.printf("house prices sweep: best mean validation log-RMSE %.4f%n", best.getObjectiveValue());
      assertThat(best.getObjectiveValue()).as("mean validation log-RMSE (the book's linear model: 0.171)").isLessThanOrEqualTo(0.14);
      assertThat(best.getMetrics().getLogRmse()).isEqualTo(best.getObjectiveValue());

      Path submission = dir.resolve("submission.csv");
      List<String> lines = new ArrayList<>();
      var stream =
          server.models.batchPredict(BatchPredictRequest.newBuilder().setName(done.getBestModel()).setDataset(test.getName()).build());
      while (stream.hasNext()) {
        BatchPredictResponse page = stream.next();
        if (page.getHeaderCount() > 0) {
          lines.add(String.join(",", page.getHeaderList()));
        }
        for (BatchPrediction row : page.getRowsList()) {
          lines.add(row.getId() + "," + row.getPrediction().getValue());
        }
      }
      Files.write(submission, lines);
      assertThat(lines.get(0)).isEqualTo("Id,SalePrice");
      assertThat(lines).hasSize(1460);
      assertThat(lines.get(1)).startsWith("1461,");
      // Log-target models predict back in dollars.
      double[] prices = lines.stream().skip(1).mapToDouble(l -> Double.parseDouble(l.split(",")[1])).toArray();
      assertThat(java.util.Arrays.stream(prices).min().orElseThrow()).isGreaterThan(10_000);
      assertThat(java.util.Arrays.stream(prices).average().orElseThrow()).isBetween(150_000.0, 210_000.0);
    }
  }
}
