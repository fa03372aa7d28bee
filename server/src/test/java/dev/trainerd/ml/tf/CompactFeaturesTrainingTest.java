package dev.trainerd.ml.tf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainerd.ml.CancellationSignal;
import dev.trainerd.ml.CrossValidationResult;
import dev.trainerd.ml.Device;
import dev.trainerd.ml.EpochMetrics;
import dev.trainerd.ml.EvaluationMetrics;
import dev.trainerd.ml.Examples;
import dev.trainerd.ml.Folds;
import dev.trainerd.ml.Initializer;
import dev.trainerd.ml.Loss;
import dev.trainerd.ml.ModelSpec;
import dev.trainerd.ml.Optimizer;
import dev.trainerd.ml.Predictor;
import dev.trainerd.ml.TrainedModel;
import dev.trainerd.ml.TrainingListener;
import dev.trainerd.ml.TrainingSpec;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Byte-valued features (IDX pixels) are fed to the graph as bytes and divided there: training on
 * them, and evaluating a trained model on them, must match the floats Java's own division gives,
 * bit for bit.
 */
class CompactFeaturesTrainingTest {

  private static final int FEATURES = 64;

  private final TfTrainer trainer = new TfTrainer();

  /** Pixels with a pattern per class, so the model learns something; 0 and 255 included. */
  private static Examples[] sameDataBothWays(int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    byte[] pixels = new byte[count * FEATURES];
    int[] classes = new int[count];
    for (int i = 0; i < count; i++) {
      classes[i] = random.nextInt(4);
      for (int j = 0; j < FEATURES; j++) {
        int value = j % 4 == classes[i] ? 200 + random.nextInt(56) : random.nextInt(120);
        pixels[i * FEATURES + j] = (byte) (j == 0 ? 0 : j == 1 ? 255 : value);
      }
    }
    float[] floats = new float[pixels.length];
    for (int i = 0; i < floats.length; i++) {
      floats[i] = (pixels[i] & 0xff) / 255f;
    }
    Examples.Labels labels = new Examples.Labels.Classes(classes, 4);
    return new Examples[] {
      new Examples(count, FEATURES, new Examples.Values.UnsignedBytes(pixels, 255f), labels),
      new Examples(count, FEATURES, floats, labels)
    };
  }

  /** On the CPU: bytes and floats give the same bits there; a GPU's runs agree only to rounding. */
  private static TrainingSpec spec(ModelSpec model) {
    return TrainingSpec.builder()
        .device(Device.CPU)
        .model(model)
        .loss(new Loss.SoftmaxCrossEntropy(true))
        .initializer(new Initializer.Normal(0.01))
        .optimizer(new Optimizer.Sgd())
        .learningRate(0.5)
        .batchSize(32)
        .epochs(3)
        .seed(7)
        .build();
  }

  @Test
  void trainingAndEvaluationOnBytesMatchTheFloats() {
    Examples[] train = sameDataBothWays(600, 1);
    Examples[] test = sameDataBothWays(200, 2);
    for (ModelSpec model : List.of(new ModelSpec.SoftmaxRegression(), new ModelSpec.Mlp(List.of(ModelSpec.HiddenLayer.relu(256))))) {
      TrainedModel fromBytes =
          trainer.train(spec(model), train[0], Optional.of(test[0]), TrainingListener.none(), CancellationSignal.never());
      TrainedModel fromFloats =
          trainer.train(spec(model), train[1], Optional.of(test[1]), TrainingListener.none(), CancellationSignal.never());
      assertThat(withoutTimes(fromBytes.history())).isEqualTo(withoutTimes(fromFloats.history()));
      assertThat(fromBytes.finalEvaluation()).isEqualTo(fromFloats.finalEvaluation());
      for (int p = 0; p < fromBytes.parameters().size(); p++) {
        assertThat(fromBytes.parameters().get(p).values()).containsExactly(fromFloats.parameters().get(p).values());
      }
      assertThat(fromBytes.finalEvaluation().orElseThrow().accuracy()).isGreaterThan(0.9);
    }
  }

  @Test
  void aTrainedModelEvaluatesBytesAsItEvaluatesTheFloats() {
    Examples[] train = sameDataBothWays(600, 1);
    Examples[] test = sameDataBothWays(200, 2);
    for (ModelSpec model : List.of(new ModelSpec.SoftmaxRegression(), new ModelSpec.Mlp(List.of(ModelSpec.HiddenLayer.relu(32))))) {
      TrainedModel trained = trainer.train(spec(model), train[1], Optional.empty(), TrainingListener.none(), CancellationSignal.never());
      try (Predictor p = trainer.predictor(trained)) {
        // Floats first, then bytes through the graph's own division, then both again: each input
        // kind keeps its graph, and the bytes give the floats' metrics bit for bit.
        EvaluationMetrics fromFloats = p.evaluate(test[1]);
        EvaluationMetrics fromBytes = p.evaluate(test[0]);
        assertThat(fromBytes).isEqualTo(fromFloats);
        assertThat(p.evaluate(test[1])).isEqualTo(fromFloats);
        assertThat(p.evaluate(test[0])).isEqualTo(fromBytes);
        assertThat(fromBytes.accuracy()).isGreaterThan(0.9);
        assertThat(p.evaluate(sameDataBothWays(37, 4)[0]).count()).as("another row count, same graph").isEqualTo(37);
      }
    }
  }

  @Test
  void evaluatingBytesMakesNoFloatCopyInTheHeap() {
    Examples large = sameDataBothWays(20_000, 5)[0];
    TrainedModel trained =
        trainer.train(spec(new ModelSpec.SoftmaxRegression()).toBuilder().epochs(1).build(), sameDataBothWays(200, 1)[0],
            Optional.empty(), TrainingListener.none(), CancellationSignal.never());
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    try (Predictor p = trainer.predictor(trained)) {
      p.evaluate(large);
      long before = threads.getCurrentThreadAllocatedBytes();
      p.evaluate(large);
      long allocated = threads.getCurrentThreadAllocatedBytes() - before;
      // The floats would be 20,000 x 64 x 4 = 5.1 MB; the bytes go to the native tensor directly.
      assertThat(allocated).isLessThan(1_000_000);
    }
  }

  @Test
  void foldsSideBySideOnBytesMatchTheFloats() {
    Examples[] data = sameDataBothWays(400, 3);
    TrainingSpec spec = spec(new ModelSpec.SoftmaxRegression());
    CrossValidationResult fromBytes =
        trainer.crossValidate(spec, data[0], Optional.empty(), new Folds(4, true, 5), TrainingListener.none(), CancellationSignal.never());
    CrossValidationResult fromFloats =
        trainer.crossValidate(spec, data[1], Optional.empty(), new Folds(4, true, 5), TrainingListener.none(), CancellationSignal.never());
    assertThat(fromBytes.meanValidation()).isEqualTo(fromFloats.meanValidation());
    for (int k = 0; k < 4; k++) {
      assertThat(withoutTimes(fromBytes.folds().get(k).history())).isEqualTo(withoutTimes(fromFloats.folds().get(k).history()));
    }
  }

  private static List<EpochMetrics> withoutTimes(List<EpochMetrics> history) {
    return history.stream()
        .map(m -> new EpochMetrics(m.epoch(), m.fold(), m.trainLoss(), m.trainAccuracy(), m.trainRmse(), m.trainLogRmse(),
            m.evaluation(), m.weightL2Norm(), 0, 0))
        .toList();
  }
}
