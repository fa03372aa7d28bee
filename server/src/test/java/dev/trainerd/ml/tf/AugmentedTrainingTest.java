package dev.trainerd.ml.tf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.trainerd.ml.CancellationSignal;
import dev.trainerd.ml.CrossValidationResult;
import dev.trainerd.ml.EpochAugmentation;
import dev.trainerd.ml.EpochMetrics;
import dev.trainerd.ml.Examples;
import dev.trainerd.ml.Folds;
import dev.trainerd.ml.Initializer;
import dev.trainerd.ml.Loss;
import dev.trainerd.ml.ModelSpec;
import dev.trainerd.ml.TrainedModel;
import dev.trainerd.ml.TrainingListener;
import dev.trainerd.ml.TrainingSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Per-epoch augmentation in the TensorFlow trainer, with a known answer: the data are y = 2x + 1
 * and the augmentation shows the trainer 2x instead of x (optionally shifted by the epoch), so a
 * model that really trained on the augmented features learns w = 1 rather than 2.
 */
class AugmentedTrainingTest {

  private final TfTrainer trainer = new TfTrainer();

  /** x = -1 + 2i / (n - 1), y = 2x + 1. */
  private static Examples line(int n) {
    float[] x = new float[n];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = -1f + 2f * i / (n - 1);
      y[i] = 2 * x[i] + 1;
    }
    return new Examples(n, 1, x, new Examples.Labels.Regression(y));
  }

  /** Features times 2; records which (seed, epoch) draws were asked for and which subsets were taken. */
  private static final class Doubled implements EpochAugmentation {
    final Examples base;
    final int[] rows;
    final List<String> draws;
    final List<int[]> subsets;

    Doubled(Examples base, int[] rows, List<String> draws, List<int[]> subsets) {
      this.base = base;
      this.rows = rows;
      this.draws = draws;
      this.subsets = subsets;
    }

    static Doubled of(Examples base) {
      int[] all = new int[base.count()];
      for (int i = 0; i < all.length; i++) {
        all[i] = i;
      }
      return new Doubled(base, all, Collections.synchronizedList(new ArrayList<>()), new ArrayList<>());
    }

    @Override
    public int count() {
      return rows.length;
    }

    @Override
    public int featureCount() {
      return 1;
    }

    @Override
    public void fill(long seed, int epoch, float[] out) {
      draws.add(seed + "/" + epoch);
      for (int i = 0; i < rows.length; i++) {
        out[i] = 2 * base.features()[rows[i]];
      }
    }

    @Override
    public EpochAugmentation subset(int[] picked) {
      int[] mapped = new int[picked.length];
      for (int i = 0; i < picked.length; i++) {
        mapped[i] = rows[picked[i]];
      }
      subsets.add(mapped);
      return new Doubled(base, mapped, draws, subsets);
    }

    @Override
    public long heapBytes() {
      return 4L * rows.length;
    }
  }

  private static TrainingSpec spec(int epochs) {
    return TrainingSpec.builder()
        .model(new ModelSpec.LinearRegression())
        .loss(new Loss.Squared())
        .initializer(new Initializer.Normal(0.01))
        .learningRate(0.1)
        .batchSize(10)
        .epochs(epochs)
        .seed(4)
        .build();
  }

  @Test
  void everyEpochTrainsOnItsOwnDrawAndTheFinalMetricsUseTheDeterministicFeatures() {
    Examples data = line(200);
    Doubled doubled = Doubled.of(data);
    List<EpochMetrics> epochs = new ArrayList<>();
    TrainedModel model =
        trainer.train(spec(12), data, Optional.of(doubled), Optional.of(data), epochs::add, CancellationSignal.never());

    assertThat(doubled.draws).containsExactly("4/1", "4/2", "4/3", "4/4", "4/5", "4/6", "4/7", "4/8", "4/9", "4/10", "4/11", "4/12");
    // Trained on 2x: y = 2x + 1 = 1 * (2x) + 1.
    assertThat((double) model.parameter("dense0/weight").values()[0]).isCloseTo(1.0, within(0.01));
    assertThat((double) model.parameter("dense0/bias").values()[0]).isCloseTo(1.0, within(0.01));
    // The steps trained on the draws (the epoch's minibatch loss is near 0) ...
    assertThat(epochs.get(11).trainLoss()).isLessThan(1e-4);
    // ... while the metrics measured after an epoch, the final ones and the evaluation see x
    // itself: the error is x, RMSE sqrt(mean x^2) = sqrt((n + 1) / (3 (n - 1))) = 0.5803.
    assertThat(epochs.get(11).trainRmse()).isCloseTo(0.5803, within(0.01));
    assertThat(model.finalTrain().rmse()).isCloseTo(0.5803, within(0.01));
    assertThat(model.finalEvaluation().orElseThrow().rmse()).isCloseTo(0.5803, within(0.01));
    assertThat(epochs.get(11).evaluation().orElseThrow().rmse()).isCloseTo(0.5803, within(0.01));

    // Without augmentation the same spec learns w = 2.
    TrainedModel plain = trainer.train(spec(12), data, Optional.empty(), TrainingListener.none(), CancellationSignal.never());
    assertThat((double) plain.parameter("dense0/weight").values()[0]).isCloseTo(2.0, within(0.01));
  }

  @Test
  void theSameSeedAndDrawsGiveTheSameModel() {
    Examples data = line(64);
    TrainedModel a = trainer.train(spec(3), data, Optional.of(Doubled.of(data)), Optional.empty(), TrainingListener.none(), CancellationSignal.never());
    TrainedModel b = trainer.train(spec(3), data, Optional.of(Doubled.of(data)), Optional.empty(), TrainingListener.none(), CancellationSignal.never());
    assertThat(a.parameter("dense0/weight").values()).containsExactly(b.parameter("dense0/weight").values());
    assertThat(a.history()).extracting(EpochMetrics::trainLoss).containsExactlyElementsOf(b.history().stream().map(EpochMetrics::trainLoss).toList());
  }

  @Test
  void crossValidationAugmentsOnlyTheTrainingFolds() {
    Examples data = line(120);
    Doubled doubled = Doubled.of(data);
    Folds folds = new Folds(3, true, 9);
    CrossValidationResult cv =
        trainer.crossValidate(spec(10), data, Optional.of(doubled), folds, TrainingListener.none(), CancellationSignal.never());
    // The folds train side by side on one resident copy of the rows: one draw of every row per
    // epoch, of which each fold's steps gather only its own training rows.
    assertThat(doubled.subsets).isEmpty();
    for (int i = 0; i < 3; i++) {
      // Each fold learned w = 1 on its doubled training rows and is validated on plain x.
      assertThat((double) cv.folds().get(i).parameter("dense0/weight").values()[0]).isCloseTo(1.0, within(0.02));
      assertThat(cv.folds().get(i).finalEvaluation().orElseThrow().rmse()).isGreaterThan(0.4);
    }
    assertThat(doubled.draws).hasSize(10);
  }
}
