package dev.trainerd.ml.tf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.trainerd.ml.Activation;
import dev.trainerd.ml.CancellationSignal;
import dev.trainerd.ml.Device;
import dev.trainerd.ml.EpochMetrics;
import dev.trainerd.ml.EvaluationMetrics;
import dev.trainerd.ml.Examples;
import dev.trainerd.ml.Initializer;
import dev.trainerd.ml.Loss;
import dev.trainerd.ml.ModelSpec;
import dev.trainerd.ml.Precision;
import dev.trainerd.ml.Predictor;
import dev.trainerd.ml.TrainedModel;
import dev.trainerd.ml.TrainingSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Mixed bfloat16 training against float32 on a small synthetic classification problem, on the
 * CPU: the bfloat16 rewrite is oneDNN's, for CPU products (a GPU's products are unaffected, and
 * its runs repeat only to rounding). On a CPU without bfloat16 support TensorFlow skips the
 * rewrite and both runs are float32; every assertion holds either way.
 */
class MixedPrecisionTrainingTest {

  private static final int FEATURES = 16;
  private static final int CLASSES = 3;

  private final TfTrainer trainer = new TfTrainer();

  /**
   * Gaussian features; the class is the argmax of a fixed linear score plus a bend, so an MLP fits
   * it well but not perfectly.
   */
  private static Examples problem(int count, long seed) {
    SplittableRandom weights = new SplittableRandom(7);
    double[][] a = new double[CLASSES][FEATURES];
    for (double[] row : a) {
      for (int j = 0; j < FEATURES; j++) {
        row[j] = weights.nextDouble(-1, 1);
      }
    }
    SplittableRandom random = new SplittableRandom(seed);
    float[] x = new float[count * FEATURES];
    int[] y = new int[count];
    for (int i = 0; i < count; i++) {
      for (int j = 0; j < FEATURES; j++) {
        x[i * FEATURES + j] = (float) gaussian(random);
      }
      double best = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < CLASSES; c++) {
        double score = 0;
        for (int j = 0; j < FEATURES; j++) {
          score += a[c][j] * x[i * FEATURES + j];
        }
        score += Math.abs(x[i * FEATURES + c]);
        if (score > best) {
          best = score;
          y[i] = c;
        }
      }
    }
    return new Examples(count, FEATURES, x, new Examples.Labels.Classes(y, CLASSES));
  }

  private static double gaussian(SplittableRandom random) {
    double u = 1 - random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
  }

  /** 128 hidden units: stored and multiplied as two column blocks, as the chapter's MLP is. */
  private static TrainingSpec.Builder mlp() {
    return TrainingSpec.builder()
        .device(Device.CPU)
        .model(new ModelSpec.Mlp(List.of(new ModelSpec.HiddenLayer(128, Activation.RELU, 0))))
        .loss(new Loss.SoftmaxCrossEntropy(true))
        .initializer(new Initializer.Xavier(Initializer.Distribution.UNIFORM, Initializer.FactorType.AVG, 3))
        .learningRate(0.1)
        .batchSize(64)
        .epochs(8)
        .seed(21);
  }

  private final Examples train = problem(3000, 1);
  private final Examples test = problem(1000, 2);

  private TrainedModel train(TrainingSpec spec, List<EpochMetrics> history) {
    return trainer.train(spec, train, Optional.of(test), history::add, CancellationSignal.never());
  }

  @Test
  void mixedBfloat16ReachesFloat32sAccuracyAndIsRecordedOnTheModel() {
    TrainedModel exact = train(mlp().build(), new ArrayList<>());
    TrainedModel mixed = train(mlp().precision(Precision.MIXED_BFLOAT16).build(), new ArrayList<>());

    assertThat(exact.spec().precision()).isEqualTo(Precision.FLOAT32);
    assertThat(mixed.spec().precision()).isEqualTo(Precision.MIXED_BFLOAT16);
    double exactAccuracy = exact.finalEvaluation().orElseThrow().accuracy();
    double mixedAccuracy = mixed.finalEvaluation().orElseThrow().accuracy();
    assertThat(exactAccuracy).isGreaterThan(0.85);
    assertThat(mixedAccuracy).isCloseTo(exactAccuracy, within(0.015));
    assertThat(mixed.finalTrain().accuracy()).isCloseTo(exact.finalTrain().accuracy(), within(0.015));
  }

  @Test
  void onACpuWithBfloat16TheProductsReallyChange() throws Exception {
    Path cpuinfo = Path.of("/proc/cpuinfo");
    assumeTrue(
        Files.isReadable(cpuinfo)
            && Files.readString(cpuinfo).matches("(?s).*\\b(amx_bf16|avx512_bf16)\\b.*")
            && !"0".equals(System.getenv("TF_ENABLE_ONEDNN_OPTS")),
        "no bfloat16 support in this CPU (or oneDNN is off), so TensorFlow leaves the graph float32");
    TrainingSpec spec = mlp().epochs(1).build();
    TrainedModel exact = train(spec, new ArrayList<>());
    TrainedModel mixed = train(spec.toBuilder().precision(Precision.MIXED_BFLOAT16).build(), new ArrayList<>());
    assertThat(mixed.finalTrain().loss()).isNotEqualTo(exact.finalTrain().loss());
    assertThat(mixed.finalTrain().loss()).isCloseTo(exact.finalTrain().loss(), within(0.02 * exact.finalTrain().loss()));
  }

  @Test
  void mixedBfloat16IsDeterministicForASeed() {
    TrainingSpec spec = mlp().precision(Precision.MIXED_BFLOAT16).epochs(3).build();
    List<EpochMetrics> first = new ArrayList<>();
    List<EpochMetrics> second = new ArrayList<>();
    TrainedModel a = train(spec, first);
    TrainedModel b = train(spec, second);
    for (int e = 0; e < 3; e++) {
      assertThat(second.get(e).trainLoss()).isEqualTo(first.get(e).trainLoss());
      assertThat(second.get(e).trainAccuracy()).isEqualTo(first.get(e).trainAccuracy());
      assertThat(second.get(e).evaluation()).isEqualTo(first.get(e).evaluation());
      assertThat(second.get(e).weightL2Norm()).isEqualTo(first.get(e).weightL2Norm());
    }
    for (int p = 0; p < a.parameters().size(); p++) {
      assertThat(b.parameters().get(p).values()).as(a.parameters().get(p).name()).containsExactly(a.parameters().get(p).values());
    }
  }

  @Test
  void aMixedBfloat16ModelPredictsInFloat32() {
    TrainedModel mixed = train(mlp().precision(Precision.MIXED_BFLOAT16).epochs(2).build(), new ArrayList<>());
    TrainedModel asIfFloat32 =
        new TrainedModel(
            mixed.spec().toBuilder().precision(Precision.FLOAT32).build(), mixed.featureCount(), mixed.outputCount(),
            mixed.classCount(), mixed.parameters(), mixed.history(), mixed.finalTrain(), mixed.finalEvaluation());
    try (Predictor p = trainer.predictor(mixed);
        Predictor q = trainer.predictor(asIfFloat32)) {
      // The same parameters give bit-identical outputs whatever precision the model trained in.
      assertThat(p.predict(test)).containsExactly(q.predict(test));
      EvaluationMetrics evaluated = p.evaluate(test);
      assertThat(evaluated).isEqualTo(q.evaluate(test));
      assertThat(evaluated.accuracy()).isCloseTo(mixed.finalEvaluation().orElseThrow().accuracy(), within(0.01));
    }
  }
}
