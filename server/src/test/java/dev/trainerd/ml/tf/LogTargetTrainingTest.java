package dev.trainerd.ml.tf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.trainerd.errors.TrainerdException;
import dev.trainerd.ml.CancellationSignal;
import dev.trainerd.ml.EvaluationMetrics;
import dev.trainerd.ml.Examples;
import dev.trainerd.ml.Loss;
import dev.trainerd.ml.Metrics;
import dev.trainerd.ml.ModelSpec;
import dev.trainerd.ml.Optimizer;
import dev.trainerd.ml.Predictor;
import dev.trainerd.ml.TrainedModel;
import dev.trainerd.ml.TrainingListener;
import dev.trainerd.ml.TrainingSpec;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Training on log targets: the fit is linear in log space, predictions come back as exp. */
class LogTargetTrainingTest {
  private final TfTrainer trainer = new TfTrainer();

  /** y = exp(0.5 x1 - 0.3 x2 + 2), exactly: a log-linear model fits it perfectly. */
  private static Examples logLinear(int count, long seed) {
    Random random = new Random(seed);
    float[] x = new float[count * 2];
    float[] y = new float[count];
    for (int i = 0; i < count; i++) {
      x[2 * i] = (float) random.nextGaussian();
      x[2 * i + 1] = (float) random.nextGaussian();
      y[i] = (float) Math.exp(0.5 * x[2 * i] - 0.3 * x[2 * i + 1] + 2);
    }
    return new Examples(count, 2, x, new Examples.Labels.Regression(y));
  }

  private static TrainingSpec spec() {
    return TrainingSpec.builder()
        .model(new ModelSpec.LinearRegression())
        .loss(new Loss.Squared())
        .optimizer(Optimizer.Adam.defaults())
        .learningRate(0.05)
        .batchSize(32)
        .epochs(40)
        .seed(3)
        .logTarget(true)
        .build();
  }

  @Test
  void learnsTheLogLinearWeightsAndPredictsInTheOriginalScale() {
    Examples train = logLinear(512, 1);
    Examples test = logLinear(128, 2);
    TrainedModel model =
        trainer.train(spec(), train, Optional.of(test), TrainingListener.none(), CancellationSignal.never());

    assertThat((double) model.parameter("dense0/weight").values()[0]).isCloseTo(0.5, within(0.02));
    assertThat((double) model.parameter("dense0/weight").values()[1]).isCloseTo(-0.3, within(0.02));
    assertThat((double) model.parameter("dense0/bias").values()[0]).isCloseTo(2.0, within(0.02));
    try (Predictor predictor = trainer.predictor(model)) {
      float[] predictions = predictor.predict(test.features(), test.count());
      float[] targets = ((Examples.Labels.Regression) test.labels()).values();
      for (int i = 0; i < 5; i++) {
        assertThat((double) predictions[i]).isCloseTo(targets[i], within(0.05 * targets[i]));
      }
      EvaluationMetrics evaluated = predictor.evaluate(test);
      assertThat(evaluated.rmse()).isCloseTo(Metrics.rmse(predictions, targets), within(1e-3));
      assertThat(evaluated.logRmse()).isCloseTo(Metrics.logRmse(predictions, targets), within(1e-4));
      assertThat(evaluated.logRmse()).isLessThan(0.02);
      // The metrics the trainer reported after the last epoch are the same original-scale ones.
      assertThat(model.finalEvaluation().orElseThrow().logRmse()).isCloseTo(evaluated.logRmse(), within(1e-4));
    }
  }

  @Test
  void refusesTargetsThatAreNotPositive() {
    Examples data = logLinear(16, 1);
    ((Examples.Labels.Regression) data.labels()).values()[7] = 0;
    assertThatThrownBy(
            () -> trainer.train(spec(), data, Optional.empty(), TrainingListener.none(), CancellationSignal.never()))
        .isInstanceOf(TrainerdException.InvalidArgument.class)
        .satisfies(
            e ->
                assertThat(((TrainerdException.InvalidArgument) e).violations())
                    .anySatisfy(
                        v -> {
                          assertThat(v.field()).isEqualTo("spec.log_target");
                          assertThat(v.description()).contains("example 7");
                        }));
  }

  @Test
  void isOnlyForRegressionLosses() {
    TrainingSpec classifier =
        spec().toBuilder().model(new ModelSpec.SoftmaxRegression()).loss(new Loss.SoftmaxCrossEntropy(true)).build();
    assertThat(classifier.validate()).anySatisfy(v -> assertThat(v.field()).isEqualTo("spec.log_target"));
  }
}
