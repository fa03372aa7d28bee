package dev.trainerd.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.trainerd.v1.CreateTrainingJobRequest;
import dev.trainerd.v1.Dataset;
import dev.trainerd.v1.FeatureVector;
import dev.trainerd.v1.GetModelRequest;
import dev.trainerd.v1.GetTrainingJobRequest;
import dev.trainerd.v1.LinearRegression;
import dev.trainerd.v1.ListModelsRequest;
import dev.trainerd.v1.ListTrainingJobsRequest;
import dev.trainerd.v1.Model;
import dev.trainerd.v1.ModelSpec;
import dev.trainerd.v1.ModelView;
import dev.trainerd.v1.Parameter;
import dev.trainerd.v1.PredictRequest;
import dev.trainerd.v1.PredictionInput;
import dev.trainerd.v1.Precision;
import dev.trainerd.v1.TrainingJob;
import dev.trainerd.v1.TrainingJobSpec;
import dev.trainerd.v1.WatchTrainingJobRequest;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** spec.precision through the API: jobs, models, a restart, and float32 predictions. */
class PrecisionApiTest {
  @TempDir Path dataDir;

  private static TrainingJob trainToTheEnd(InProcessTrainerd server, TrainingJobSpec spec) {
    TrainingJob job = server.training.createTrainingJob(CreateTrainingJobRequest.newBuilder().setSpec(spec).build());
    server.training.watchTrainingJob(WatchTrainingJobRequest.newBuilder().setName(job.getName()).build())
        .forEachRemaining(e -> {});
    return job;
  }

  private static TrainingJob get(InProcessTrainerd server, TrainingJob job) {
    return server.training.getTrainingJob(GetTrainingJobRequest.newBuilder().setName(job.getName()).build());
  }

  private static Model model(InProcessTrainerd server, String name) {
    return server.models.getModel(GetModelRequest.newBuilder().setName(name).setView(ModelView.FULL).build());
  }

  @Test
  void precisionIsRecordedOnJobsAndModelsAndSurvivesARestart() throws Exception {
    String mixedJob;
    String exactJob;
    String mixedModel;
    try (InProcessTrainerd server = new InProcessTrainerd(dataDir)) {
      Dataset data = server.linearData();
      TrainingJobSpec.Builder spec =
          TrainingJobSpec.newBuilder()
              .setDataset(data.getName())
              .setModel(ModelSpec.newBuilder().setLinear(LinearRegression.getDefaultInstance()))
              .setBatchSize(10)
              .setLearningRate(0.03)
              .setEpochs(2)
              .setSeed(7);

      TrainingJob mixed = trainToTheEnd(server, spec.clone().setPrecision(Precision.PRECISION_MIXED_BFLOAT16).build());
      TrainingJob exact = trainToTheEnd(server, spec.build());
      mixedJob = mixed.getName();
      exactJob = exact.getName();
      assertThat(mixed.getSpec().getPrecision()).isEqualTo(Precision.PRECISION_MIXED_BFLOAT16);
      // The resolved default is written out on the stored job.
      assertThat(exact.getSpec().getPrecision()).isEqualTo(Precision.PRECISION_FLOAT32);

      TrainingJob mixedDone = get(server, mixed);
      assertThat(mixedDone.getState()).isEqualTo(TrainingJob.State.SUCCEEDED);
      assertThat(mixedDone.getSpec().getPrecision()).isEqualTo(Precision.PRECISION_MIXED_BFLOAT16);
      assertThat(server.training.listTrainingJobs(ListTrainingJobsRequest.getDefaultInstance()).getTrainingJobsList())
          .extracting(j -> j.getSpec().getPrecision())
          .containsExactlyInAnyOrder(Precision.PRECISION_MIXED_BFLOAT16, Precision.PRECISION_FLOAT32);

      mixedModel = mixedDone.getModel();
      Model m = model(server, mixedModel);
      assertThat(m.getSpec().getPrecision()).isEqualTo(Precision.PRECISION_MIXED_BFLOAT16);
      assertThat(model(server, get(server, exact).getModel()).getSpec().getPrecision())
          .isEqualTo(Precision.PRECISION_FLOAT32);
      assertThat(server.models.listModels(ListModelsRequest.getDefaultInstance()).getModelsList())
          .extracting(x -> x.getSpec().getPrecision())
          .containsExactlyInAnyOrder(Precision.PRECISION_MIXED_BFLOAT16, Precision.PRECISION_FLOAT32);

      // Predict runs in float32 whatever the model trained with: the output is the float32
      // product of the stored parameters (a bfloat16 product would be off by about 0.01 here).
      var params = m.getParametersList().stream().collect(Collectors.toMap(Parameter::getName, Function.identity()));
      float x0 = 0.37f;
      float x1 = -1.21f;
      float expected =
          x0 * params.get("dense0/weight").getValues(0) + x1 * params.get("dense0/weight").getValues(1)
              + params.get("dense0/bias").getValues(0);
      double predicted =
          server.models
              .predict(
                  PredictRequest.newBuilder()
                      .setName(mixedModel)
                      .addInputs(PredictionInput.newBuilder().setFeatures(FeatureVector.newBuilder().addValues(x0).addValues(x1)))
                      .build())
              .getPredictions(0)
              .getValue();
      assertThat(predicted).isCloseTo(expected, within(1e-5));
    }
    try (InProcessTrainerd server = new InProcessTrainerd(dataDir)) {
      assertThat(server.training.getTrainingJob(GetTrainingJobRequest.newBuilder().setName(mixedJob).build())
              .getSpec().getPrecision())
          .isEqualTo(Precision.PRECISION_MIXED_BFLOAT16);
      assertThat(server.training.getTrainingJob(GetTrainingJobRequest.newBuilder().setName(exactJob).build())
              .getSpec().getPrecision())
          .isEqualTo(Precision.PRECISION_FLOAT32);
      assertThat(model(server, mixedModel).getSpec().getPrecision()).isEqualTo(Precision.PRECISION_MIXED_BFLOAT16);
    }
  }
}
