package dev.trainerd.ml.tf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.trainerd.data.synthetic.SplitExamples;
import dev.trainerd.data.synthetic.SyntheticData;
import dev.trainerd.data.synthetic.SyntheticSpec;
import dev.trainerd.ml.CancellationSignal;
import dev.trainerd.ml.EpochMetrics;
import dev.trainerd.ml.Examples;
import dev.trainerd.ml.Initializer;
import dev.trainerd.ml.Loss;
import dev.trainerd.ml.ModelSpec;
import dev.trainerd.ml.Parameter;
import dev.trainerd.ml.TrainedModel;
import dev.trainerd.ml.TrainingListener;
import dev.trainerd.ml.TrainingSpec;
import dev.trainerd.ml.WeightDecay;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The chapter's synthetic experiments, trained for real with known answers. */
class SyntheticTrainingTest {

  private final TfTrainer trainer = new TfTrainer();

  private static TrainingSpec.Builder regression() {
    return TrainingSpec.builder()
        .model(new ModelSpec.LinearRegression())
        .loss(new Loss.Squared())
        .initializer(new Initializer.Normal(0.01));
  }

  @Test
  void linearRegressionRecoversTheTrueWeightsAndBias() {
    Examples data = SyntheticData.linear(SyntheticSpec.Linear.book(7));
    TrainingSpec spec = regression().learningRate(0.03).batchSize(10).epochs(3).seed(1).build();

    TrainedModel model = trainer.train(spec, data, Optional.empty(), TrainingListener.none(), CancellationSignal.never());

    Parameter w = model.parameter("dense0/weight");
    assertThat(w.shape()).containsExactly(2, 1);
    assertThat((double) w.values()[0]).isCloseTo(2.0, within(2e-3));
    assertThat((double) w.values()[1]).isCloseTo(-3.4, within(2e-3));
    assertThat((double) model.parameter("dense0/bias").values()[0]).isCloseTo(4.2, within(2e-3));
    assertThat(model.history()).hasSize(3);
    assertThat(model.history().get(2).trainLoss()).isLessThan(1e-4);
  }
}
