package dev.trainerd.ml.tf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.trainerd.data.synthetic.SplitExamples;
import dev.trainerd.data.synthetic.SyntheticData;
import dev.trainerd.data.synthetic.SyntheticSpec;
import dev.trainerd.ml.CancellationSignal;
import dev.trainerd.ml.Device;
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
import dev.trainerd.ml.CrossValidationResult;
import dev.trainerd.ml.Folds;
import dev.trainerd.ml.Predictor;
import dev.trainerd.ml.Splits;
import dev.trainerd.ml.TrainingCancelledException;
import dev.trainerd.errors.TrainerdException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import java.util.stream.Stream;
import dev.trainerd.ml.Activation;
import dev.trainerd.ml.Optimizer;

/** The chapter's synthetic experiments, trained for real with known answers. */
class SyntheticTrainingTest {

  private final TfTrainer trainer = new TfTrainer();

  /**
   * For the tests that compare two runs or two graph shapes bit for bit or to 1e-5: that holds
   * for TensorFlow's CPU kernels. On a GPU the same graphs agree only to rounding (cuBLAS picks
   * its algorithm by shape and multiplies float32 in TF32; reductions add in any order): on an
   * H200, a seed's second run differed in the tenth digit of the loss and row groups in the sixth
   * of a weight (BENCHMARKS.md, GPU).
   */
  private static TrainingSpec.Builder onTheCpu() {
    return TrainingSpec.builder().device(Device.CPU);
  }

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

  @Test
  void adamAndNesterovMomentumAlsoFitTheLine() {
    Examples data = SyntheticData.linear(SyntheticSpec.Linear.book(7));
    for (dev.trainerd.ml.Optimizer optimizer :
        List.of(dev.trainerd.ml.Optimizer.Adam.defaults(), new dev.trainerd.ml.Optimizer.Momentum(0.9, true))) {
      TrainingSpec spec = regression().optimizer(optimizer).learningRate(0.05).batchSize(32).epochs(20).seed(1).build();
      TrainedModel model = trainer.train(spec, data, Optional.empty(), TrainingListener.none(), CancellationSignal.never());
      assertThat((double) model.parameter("dense0/weight").values()[0]).as(optimizer.kind()).isCloseTo(2.0, within(0.05));
      assertThat((double) model.parameter("dense0/weight").values()[1]).as(optimizer.kind()).isCloseTo(-3.4, within(0.05));
      assertThat((double) model.parameter("dense0/bias").values()[0]).as(optimizer.kind()).isCloseTo(4.2, within(0.05));
    }
  }

  private static double l2(float[] v) {
    double s = 0;
    for (float x : v) {
      s += (double) x * x;
    }
    return Math.sqrt(s);
  }

  @Test
  void weightDecayShrinksTheWeightsAndCutsTheTestLoss() {
    SplitExamples data = SyntheticData.highDimensionalLinear(SyntheticSpec.HighDimensionalLinear.book(3));
    TrainingSpec.Builder book =
        regression().initializer(new Initializer.Normal(1)).learningRate(0.003).batchSize(5).epochs(100).seed(11);

    TrainedModel plain =
        trainer.train(book.weightDecay(WeightDecay.none()).build(), data.train(), Optional.of(data.test()),
            TrainingListener.none(), CancellationSignal.never());
    TrainedModel decayed =
        trainer.train(book.weightDecay(WeightDecay.ofWeights(3)).build(), data.train(), Optional.of(data.test()),
            TrainingListener.none(), CancellationSignal.never());

    double plainNorm = l2(plain.parameter("dense0/weight").values());
    double decayedNorm = l2(decayed.parameter("dense0/weight").values());
    assertThat(decayedNorm).isLessThan(1.0);
    assertThat(plainNorm).isGreaterThan(5.0);
    assertThat(decayed.history().get(99).weightL2Norm()).isCloseTo(decayedNorm, within(1e-3));
    double plainTest = plain.finalEvaluation().orElseThrow().loss();
    double decayedTest = decayed.finalEvaluation().orElseThrow().loss();
    assertThat(decayedTest * 10).isLessThan(plainTest);
  }

  private static TrainingSpec polynomialSpec(int degree, int trainCount) {
    return TrainingSpec.builder()
        .model(new ModelSpec.Polynomial(degree, true))
        .loss(new Loss.Squared())
        .initializer(new Initializer.Normal(0.01))
        .learningRate(0.01)
        .batchSize(Math.min(10, trainCount))
        .epochs(400)
        .seed(2)
        .build();
  }

  /**
   * With the book's 400 epochs at lr 0.01 the x^3/3! weight is still converging; how close it gets
   * depends on the 100 drawn x values (data seeds 1, 2 and 21 leave it 0.2-0.5 short, seed 3
   * within 0.02), as in the book, whose figures come from one draw.
   */
  @Test
  void polynomialOfTheRightDegreeRecoversTheTrueCoefficients() {
    SplitExamples data = SyntheticData.polynomial(SyntheticSpec.Polynomial.book(false, 3));
    TrainedModel model =
        trainer.train(polynomialSpec(3, 100), data.train(), Optional.of(data.test()), TrainingListener.none(),
            CancellationSignal.never());
    Parameter w = model.parameter("dense0/weight");
    assertThat(w.shape()).containsExactly(4, 1);
    double[] expected = {5, 1.2, -3.4, 5.6};
    for (int i = 0; i < 4; i++) {
      assertThat((double) w.values()[i]).as("w[%d]", i).isCloseTo(expected[i], within(0.15));
    }
    assertThat(model.finalEvaluation().orElseThrow().loss()).isLessThan(0.05);
  }

  @Test
  void linearModelUnderfitsThePolynomial() {
    SplitExamples data = SyntheticData.polynomial(SyntheticSpec.Polynomial.book(false, 3));
    TrainedModel model =
        trainer.train(polynomialSpec(1, 100), data.train(), Optional.of(data.test()), TrainingListener.none(),
            CancellationSignal.never());
    assertThat(model.parameter("dense0/weight").shape()).containsExactly(2, 1);
    assertThat(model.finalEvaluation().orElseThrow().loss()).isGreaterThan(1);
  }

  @Test
  void twentyFeaturesOnTwoExamplesOverfit() {
    SplitExamples data = SyntheticData.polynomial(SyntheticSpec.Polynomial.book(false, 3));
    Examples two = data.train().subset(new int[] {0, 1});
    TrainedModel model =
        trainer.train(polynomialSpec(19, 2), two, Optional.of(data.test()), TrainingListener.none(),
            CancellationSignal.never());
    assertThat(model.parameter("dense0/weight").shape()).containsExactly(20, 1);
    double train = model.finalTrain().loss();
    double test = model.finalEvaluation().orElseThrow().loss();
    assertThat(test).isGreaterThan(10 * train).isGreaterThan(1);
  }

  @Test
  void expandedPolynomialFeaturesTrainALinearModelLikeThePolynomialModel() {
    // The book's own route: 20 x^i/i! features, the first 4 used, a linear layer without bias
    // (here with a bias, which stays near zero because x^0 already is one).
    SplitExamples data = SyntheticData.polynomial(SyntheticSpec.Polynomial.book(true, 21));
    assertThat(data.train().featureCount()).isEqualTo(20);
    float[] row = data.train().row(0);
    assertThat(row[0]).isEqualTo(1f);
  }

  @Test
  void sameSeedGivesIdenticalEpochMetricsAndParameters() {
    Examples data = SyntheticData.linear(SyntheticSpec.Linear.book(8));
    TrainingSpec spec =
        onTheCpu()
            .model(new ModelSpec.Mlp(List.of(new ModelSpec.HiddenLayer(8, dev.trainerd.ml.Activation.RELU, 0.5))))
            .loss(new Loss.Huber(1))
            .initializer(new Initializer.Xavier(Initializer.Distribution.GAUSSIAN, Initializer.FactorType.IN, 2))
            .learningRate(0.05)
            .batchSize(32)
            .epochs(4)
            .seed(99)
            .build();
    List<EpochMetrics> first = new ArrayList<>();
    List<EpochMetrics> second = new ArrayList<>();
    TrainedModel a = trainer.train(spec, data, Optional.of(data), first::add, CancellationSignal.never());
    TrainedModel b = new TfTrainer(1).train(spec, data, Optional.of(data), second::add, CancellationSignal.never());
    for (int i = 0; i < 4; i++) {
      assertThat(second.get(i).trainLoss()).isEqualTo(first.get(i).trainLoss());
      assertThat(second.get(i).trainRmse()).isEqualTo(first.get(i).trainRmse());
      assertThat(second.get(i).evaluation()).isEqualTo(first.get(i).evaluation());
      assertThat(second.get(i).weightL2Norm()).isEqualTo(first.get(i).weightL2Norm());
    }
    assertThat(b.parameter("dense0/weight").values()).containsExactly(a.parameter("dense0/weight").values());
    TrainedModel other =
        trainer.train(spec.toBuilder().seed(100).build(), data, Optional.empty(), TrainingListener.none(), CancellationSignal.never());
    assertThat(other.history().get(0).trainLoss()).isNotEqualTo(first.get(0).trainLoss());
  }

  @Test
  void wideWeightsStoredAsColumnBlocksTrainAsOneMatrix() {
    // 128-unit layers are stored as two 64-column variables with two splits: the same products,
    // the same updates (momentum slots, weight decay, dropout), read back as one matrix.
    Examples data = SyntheticData.linear(SyntheticSpec.Linear.book(13));
    TrainingSpec spec =
        onTheCpu()
            .model(new ModelSpec.Mlp(List.of(
                new ModelSpec.HiddenLayer(128, Activation.TANH, 0.2), new ModelSpec.HiddenLayer(128, Activation.RELU, 0))))
            .loss(new Loss.Squared())
            .initializer(new Initializer.Normal(0.05))
            .optimizer(new Optimizer.Momentum(0.9, true))
            .weightDecay(new WeightDecay(0.01, true))
            .learningRate(0.01)
            .batchSize(64)
            .epochs(3)
            .seed(5)
            .build();
    List<EpochMetrics> whole = new ArrayList<>();
    List<EpochMetrics> blocks = new ArrayList<>();
    TrainedModel a = new TfTrainer(4, 1).train(spec, data, Optional.of(data), whole::add, CancellationSignal.never());
    TrainedModel b = new TfTrainer(4, 2).train(spec, data, Optional.of(data), blocks::add, CancellationSignal.never());
    for (int e = 0; e < 3; e++) {
      assertThat(blocks.get(e).trainLoss()).isCloseTo(whole.get(e).trainLoss(), within(1e-5 * whole.get(e).trainLoss()));
      assertThat(blocks.get(e).weightL2Norm()).isCloseTo(whole.get(e).weightL2Norm(), within(1e-4));
    }
    assertThat(b.parameters()).extracting(Parameter::name).isEqualTo(a.parameters().stream().map(Parameter::name).toList());
    for (int p = 0; p < a.parameters().size(); p++) {
      assertThat(b.parameters().get(p).shape()).isEqualTo(a.parameters().get(p).shape());
      assertThat(b.parameters().get(p).values())
          .as(a.parameters().get(p).name())
          .containsExactly(a.parameters().get(p).values(), within(1e-5f));
    }
    assertThat(b.parameter("dense1/weight").shape()).containsExactly(128, 128);
  }

  /** {@code count} examples of {@code features} Gaussian features; the class is the argmax of a fixed linear score. */
  private static Examples linearClasses(int count, int features, int classes, long seed) {
    java.util.SplittableRandom weights = new java.util.SplittableRandom(3);
    java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
    double[][] a = new double[classes][features];
    for (double[] row : a) {
      for (int j = 0; j < features; j++) {
        row[j] = weights.nextDouble(-1, 1);
      }
    }
    float[] x = new float[count * features];
    int[] y = new int[count];
    for (int i = 0; i < count; i++) {
      for (int j = 0; j < features; j++) {
        x[i * features + j] = (float) random.nextDouble(-1, 1);
      }
      double best = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < classes; c++) {
        double score = 0;
        for (int j = 0; j < features; j++) {
          score += a[c][j] * x[i * features + j];
        }
        if (score > best) {
          best = score;
          y[i] = c;
        }
      }
    }
    return new Examples(count, features, x, new Examples.Labels.Classes(y, classes));
  }

  @Test
  void narrowModelsSplitEachBatchIntoRowGroupsWithTheSameGradient() {
    // 160 features, batch 256: two row groups of 128 per step (the last, smaller batch of 232
    // rows too), whose gradients add up to the whole batch's.
    Examples data = linearClasses(1000, 160, 4, 1);
    Examples test = linearClasses(300, 160, 4, 2);
    TrainingSpec spec =
        onTheCpu()
            .model(new ModelSpec.SoftmaxRegression())
            .loss(new Loss.SoftmaxCrossEntropy(true))
            .initializer(new Initializer.Normal(0.01))
            .optimizer(new Optimizer.Momentum(0.9, false))
            .weightDecay(new WeightDecay(0.001, false))
            .learningRate(0.1)
            .batchSize(256)
            .epochs(10)
            .seed(8)
            .build();
    int[] rows = java.util.stream.IntStream.range(0, data.count()).toArray();
    try (TrainingGraph grouped = new TrainingGraph(spec, data, null, new int[][] {rows}, false, 4, 2);
        TrainingGraph whole = new TrainingGraph(spec, data, null, new int[][] {rows}, false, 4, 1)) {
      assertThat(grouped.rowGroups(256)).isEqualTo(2);
      assertThat(grouped.rowGroups(232)).isEqualTo(2);
      assertThat(grouped.rowGroups(100)).as("groups of 50 rows are too small to be worth a core").isEqualTo(1);
      assertThat(whole.rowGroups(256)).isEqualTo(1);
    }
    List<EpochMetrics> wholeHistory = new ArrayList<>();
    List<EpochMetrics> groupedHistory = new ArrayList<>();
    TrainedModel a = new TfTrainer(4, 1).train(spec, data, Optional.of(test), wholeHistory::add, CancellationSignal.never());
    TrainedModel b = new TfTrainer(4, 2).train(spec, data, Optional.of(test), groupedHistory::add, CancellationSignal.never());
    for (int e = 0; e < 10; e++) {
      assertThat(groupedHistory.get(e).trainLoss())
          .isCloseTo(wholeHistory.get(e).trainLoss(), within(1e-5 * wholeHistory.get(e).trainLoss()));
      assertThat(groupedHistory.get(e).trainAccuracy()).isCloseTo(wholeHistory.get(e).trainAccuracy(), within(2e-3));
      assertThat(groupedHistory.get(e).evaluation().orElseThrow().loss())
          .isCloseTo(wholeHistory.get(e).evaluation().orElseThrow().loss(), within(1e-4));
    }
    assertThat(b.finalEvaluation().orElseThrow().accuracy()).as("chance is 0.25").isGreaterThan(0.65);
    for (int p = 0; p < a.parameters().size(); p++) {
      assertThat(b.parameters().get(p).values())
          .as(a.parameters().get(p).name())
          .containsExactly(a.parameters().get(p).values(), within(1e-5f));
    }
  }

  @Test
  void rowGroupsDrawTheirOwnDropoutMasksAndStayDeterministic() {
    // A narrow MLP (32 hidden units, stored whole) with dropout: each row group has its own
    // stream of masks, the same for the same seed.
    Examples data = linearClasses(1000, 160, 4, 1);
    TrainingSpec spec =
        onTheCpu()
            .model(new ModelSpec.Mlp(List.of(new ModelSpec.HiddenLayer(32, Activation.RELU, 0.5))))
            .loss(new Loss.SoftmaxCrossEntropy(true))
            .initializer(new Initializer.Normal(0.05))
            .learningRate(0.5)
            .batchSize(256)
            .epochs(10)
            .seed(8)
            .build();
    List<EpochMetrics> first = new ArrayList<>();
    List<EpochMetrics> second = new ArrayList<>();
    TfTrainer grouped = new TfTrainer(4, 2);
    grouped.train(spec, data, Optional.empty(), first::add, CancellationSignal.never());
    grouped.train(spec, data, Optional.empty(), second::add, CancellationSignal.never());
    assertThat(second).extracting(EpochMetrics::trainLoss).isEqualTo(first.stream().map(EpochMetrics::trainLoss).toList());
    assertThat(first.get(9).trainAccuracy()).as("chance is 0.25").isGreaterThan(0.55);
  }

  @Test
  void warmUpTrainsItsThrowawayJobAndLeavesTheTrainerUsable() {
    TfTrainer fresh = new TfTrainer();
    fresh.warmUp();
    fresh.warmUp();
    TrainedModel m =
        fresh.train(regression().learningRate(0.03).batchSize(10).epochs(3).build(), SyntheticData.linear(SyntheticSpec.Linear.book(3)),
            Optional.empty(), TrainingListener.none(), CancellationSignal.never());
    assertThat(m.parameter("dense0/weight").values()[0]).isCloseTo(2f, within(2e-2f));
  }

  @Test
  void listenerSeesEveryEpochWithRegressionMetrics() {
    Examples data = SyntheticData.linear(SyntheticSpec.Linear.book(9));
    List<EpochMetrics> seen = new ArrayList<>();
    trainer.train(regression().learningRate(0.03).batchSize(10).epochs(2).build(), data, Optional.of(data), seen::add,
        CancellationSignal.never());
    assertThat(seen).extracting(EpochMetrics::epoch).containsExactly(1, 2);
    EpochMetrics last = seen.get(1);
    assertThat(last.fold()).isEmpty();
    assertThat(last.trainAccuracy()).isNaN();
    assertThat(last.trainRmse()).isCloseTo(Math.sqrt(2 * last.evaluation().orElseThrow().loss()), within(1e-4));
    assertThat(last.evaluation().orElseThrow().accuracy()).isNaN();
    assertThat(last.examplesPerSecond()).isPositive();
    assertThat(last.durationSeconds()).isPositive();
  }

  @Test
  void cancellationStopsBetweenStepsWithADistinctException() {
    Examples data = SyntheticData.linear(SyntheticSpec.Linear.book(9));
    AtomicInteger epochs = new AtomicInteger();
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> trainer.train(regression().batchSize(10).epochs(50).build(), data, Optional.empty(),
                m -> epochs.incrementAndGet(), () -> epochs.get() >= 2))
        .isInstanceOf(TrainingCancelledException.class)
        .satisfies(e -> assertThat(((TrainingCancelledException) e).completedEpochs()).isEqualTo(2));
  }

  @Test
  void invalidSpecsAreRejectedWithFieldViolations() {
    Examples data = SyntheticData.linear(SyntheticSpec.Linear.book(9));
    TrainingSpec spec = TrainingSpec.builder().learningRate(-1).build();
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> trainer.train(spec, data, Optional.empty(), TrainingListener.none(), CancellationSignal.never()))
        .isInstanceOfSatisfying(TrainerdException.InvalidArgument.class, e ->
            assertThat(e.violations()).extracting(v -> v.field())
                .contains("spec.learning_rate", "spec.loss"));
  }

  @Test
  void theFoldsOfAnEpochReachTheListenerInOneCall() {
    Examples data = SyntheticData.linear(SyntheticSpec.Linear.book(12));
    List<List<EpochMetrics>> batches = new ArrayList<>();
    TrainingListener listener =
        new TrainingListener() {
          @Override
          public void onEpoch(EpochMetrics metrics) {
            batches.add(List.of(metrics));
          }

          @Override
          public void onEpochs(List<EpochMetrics> metrics) {
            batches.add(List.copyOf(metrics));
          }
        };
    trainer.crossValidate(regression().learningRate(0.03).batchSize(10).epochs(2).build(), data,
        Folds.contiguous(3), listener, CancellationSignal.never());
    // One call per epoch with the three folds in order, so the service records an epoch once.
    assertThat(batches).hasSize(2);
    assertThat(batches.get(1)).extracting(m -> m.epoch() + "/" + m.fold().getAsInt()).containsExactly("2/0", "2/1", "2/2");
    trainer.train(regression().epochs(2).build(), data, Optional.empty(), listener, CancellationSignal.never());
    assertThat(batches.subList(2, 4)).allSatisfy(b -> assertThat(b).hasSize(1));
  }

  @Test
  void kFoldCrossValidationReportsEachFoldAndTheMean() {
    Examples data = SyntheticData.linear(SyntheticSpec.Linear.book(12));
    List<EpochMetrics> seen = new ArrayList<>();
    CrossValidationResult cv =
        trainer.crossValidate(regression().learningRate(0.03).batchSize(10).epochs(2).build(), data,
            Folds.contiguous(4), seen::add, CancellationSignal.never());
    assertThat(cv.folds()).hasSize(4);
    assertThat(seen).hasSize(8);
    // The folds train side by side: every fold's epoch 1, then every fold's epoch 2.
    assertThat(seen).extracting(m -> m.fold().getAsInt()).containsExactly(0, 1, 2, 3, 0, 1, 2, 3);
    assertThat(seen).extracting(EpochMetrics::epoch).containsExactly(1, 1, 1, 1, 2, 2, 2, 2);
    double meanValid = cv.folds().stream().mapToDouble(m -> m.finalEvaluation().orElseThrow().loss()).average().orElseThrow();
    assertThat(cv.meanValidation().loss()).isCloseTo(meanValid, within(1e-12));
    assertThat(cv.meanValidation().count()).isEqualTo(250);
    assertThat(cv.meanTrain().rmse()).isLessThan(0.1);
    // Fold 1 validated on rows 250..499, exactly the book's slice.
    Examples fold1Valid = data.subset(Splits.kFold(1000, Folds.contiguous(4)).get(1).validation());
    try (Predictor p = trainer.predictor(cv.folds().get(1))) {
      assertThat(p.evaluate(fold1Valid).loss()).isCloseTo(cv.folds().get(1).finalEvaluation().orElseThrow().loss(), within(1e-6));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("foldModels")
  void eachFoldTrainedSideBySideMatchesThatFoldTrainedAlone(String name, TrainingSpec spec, Examples data) {
    Folds folds = new Folds(3, true, 7);
    TfTrainer trainer = new TfTrainer(4);
    CrossValidationResult cv =
        trainer.crossValidate(spec, data, folds, TrainingListener.none(), CancellationSignal.never());
    List<Splits.Split> splits = Splits.kFold(data.count(), folds);
    for (int i = 0; i < splits.size(); i++) {
      TrainedModel alone =
          trainer.train(spec, data.subset(splits.get(i).train()), Optional.of(data.subset(splits.get(i).validation())),
              TrainingListener.none(), CancellationSignal.never());
      TrainedModel together = cv.folds().get(i);
      assertThat(together.history()).hasSameSizeAs(alone.history());
      for (int e = 0; e < alone.history().size(); e++) {
        assertThat(together.history().get(e).trainLoss())
            .as("fold %d epoch %d train loss", i, e + 1)
            .isCloseTo(alone.history().get(e).trainLoss(), within(1e-4 * Math.max(1, Math.abs(alone.history().get(e).trainLoss()))));
      }
      assertThat(together.finalEvaluation().orElseThrow().loss())
          .isCloseTo(alone.finalEvaluation().orElseThrow().loss(), within(1e-4 * Math.max(1, alone.finalEvaluation().orElseThrow().loss())));
      for (int p = 0; p < alone.parameters().size(); p++) {
        assertThat(together.parameters().get(p).name()).isEqualTo(alone.parameters().get(p).name());
        assertThat(together.parameters().get(p).values())
            .as("fold %d %s", i, alone.parameters().get(p).name())
            .containsExactly(alone.parameters().get(p).values(), within(1e-4f));
      }
    }
  }

  static Stream<Arguments> foldModels() {
    Examples linear = SyntheticData.linear(SyntheticSpec.Linear.book(21));
    // 1000 rows, 3 folds of 333: 666 training rows per fold, batch 50, 4 steps per run -> three
    // blocks of 4 steps, then a tail of one full step and one of 16 rows.
    TrainingSpec adam =
        regression().optimizer(Optimizer.Adam.defaults()).learningRate(0.05).batchSize(50).epochs(3).build();
    TrainingSpec momentumDecay =
        regression().optimizer(new Optimizer.Momentum(0.9, true)).weightDecay(new WeightDecay(0.5, false))
            .learningRate(0.01).batchSize(64).epochs(2).build();
    int n = 240;
    float[] x = new float[n * 4];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < 4; j++) {
        x[i * 4 + j] = (float) Math.sin(0.3 * i + j);
      }
      y[i] = (x[i * 4] + x[i * 4 + 1] > 0 ? 1 : 0) + (x[i * 4 + 2] > 0.5 ? 1 : 0);
    }
    Examples classes = new Examples(n, 4, x, new Examples.Labels.Classes(y, 3));
    TrainingSpec mlp =
        onTheCpu()
            .model(new ModelSpec.Mlp(List.of(ModelSpec.HiddenLayer.relu(8), new ModelSpec.HiddenLayer(6, Activation.TANH, 0))))
            .initializer(new Initializer.Normal(0.3))
            .learningRate(0.2)
            .batchSize(16)
            .epochs(3)
            .seed(3)
            .build();
    return Stream.of(
        Arguments.of("linear, Adam", adam, linear),
        Arguments.of("linear, Nesterov, weight decay", momentumDecay, linear),
        Arguments.of("MLP softmax, SGD", mlp, classes));
  }

  @Test
  void predictorAndSavedModelReproduceTheTrainedModel(@TempDir Path dir) throws Exception {
    Examples data = SyntheticData.linear(SyntheticSpec.Linear.book(13));
    TrainedModel model =
        trainer.train(regression().learningRate(0.03).batchSize(10).epochs(3).build(), data, Optional.empty(),
            TrainingListener.none(), CancellationSignal.never());
    float[] rows = {1f, 1f, 0f, 0f, -2f, 0.5f};
    float[] predicted;
    try (Predictor p = trainer.predictor(model)) {
      predicted = p.predict(rows, 3);
      assertThat(predicted).containsExactly(new float[] {2 - 3.4f + 4.2f, 4.2f, -4 - 1.7f + 4.2f}, within(0.01f));
      assertThat(p.evaluate(data).loss()).isCloseTo(model.finalTrain().loss(), within(1e-6));
    }
    Path export = dir.resolve("model");
    trainer.exportSavedModel(model, export);
    assertThat(export.resolve("saved_model.pb")).exists();
    try (SavedModelBundle bundle = SavedModelBundle.load(export.toString(), "serve");
        TFloat32 x = TFloat32.tensorOf(Shape.of(3, 2), DataBuffers.of(rows, true, false));
        Result r = bundle.function("serving_default").call(Map.of("features", x))) {
      TFloat32 out = (TFloat32) r.get("outputs").orElseThrow();
      float[] values = new float[3];
      out.copyTo(DataBuffers.of(values, false, false));
      assertThat(values).containsExactly(predicted);
      assertThat(bundle.graph().operation("train")).isNull();
    }
  }
}
