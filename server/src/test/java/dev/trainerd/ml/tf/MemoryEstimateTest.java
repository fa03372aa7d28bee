package dev.trainerd.ml.tf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainerd.ml.Initializer;
import dev.trainerd.ml.JobShape;
import dev.trainerd.ml.Loss;
import dev.trainerd.ml.ModelSpec;
import dev.trainerd.ml.Optimizer;
import dev.trainerd.ml.TrainingSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The engine's estimate of a job's native memory grows with what the job holds. */
class MemoryEstimateTest {

  private final TfTrainer trainer = new TfTrainer();

  private static TrainingSpec mlp(Optimizer optimizer, int... units) {
    List<ModelSpec.HiddenLayer> layers = new java.util.ArrayList<>();
    for (int u : units) {
      layers.add(ModelSpec.HiddenLayer.relu(u));
    }
    return TrainingSpec.builder()
        .model(units.length == 0 ? new ModelSpec.SoftmaxRegression() : new ModelSpec.Mlp(layers))
        .loss(new Loss.SoftmaxCrossEntropy(true))
        .initializer(new Initializer.Normal(0.01))
        .optimizer(optimizer)
        .batchSize(256)
        .epochs(10)
        .build();
  }

  @Test
  void fashionMnistJobsNeedHundredsOfMegabytesMostlyForTheirData() {
    JobShape fashion = new JobShape(784, 10, 60_000, 10_000, 0);
    long softmax = trainer.memoryEstimate(mlp(new Optimizer.Sgd()), fashion);
    long mlp = trainer.memoryEstimate(mlp(new Optimizer.Sgd(), 256), fashion);
    // The data alone: 70,000 x 784 floats in the variables and the tensors they were fed from.
    long data = 70_000L * 784 * 4 * 2;
    assertThat(softmax).isGreaterThan(data).isLessThan(data + (200L << 20));
    assertThat(mlp).isGreaterThan(softmax).isLessThan(1L << 30);
  }

  @Test
  void optimiserStateFoldsAndWidthAllCount() {
    JobShape shape = new JobShape(331, 1, 1460, 0, 0);
    TrainingSpec sgd = mlp(new Optimizer.Sgd(), 4096);
    assertThat(trainer.memoryEstimate(mlp(Optimizer.Adam.defaults(), 4096), shape)).isGreaterThan(trainer.memoryEstimate(sgd, shape));
    assertThat(trainer.memoryEstimate(sgd, new JobShape(331, 1, 1460, 0, 5))).isGreaterThan(trainer.memoryEstimate(sgd, shape));
    assertThat(trainer.memoryEstimate(mlp(new Optimizer.Sgd(), 8192), shape)).isGreaterThan(trainer.memoryEstimate(sgd, shape));
  }

  @Test
  void theWidestModelsComeOutHugeWithoutWrappingAround() {
    JobShape shape = new JobShape(784, 10, 60_000, 0, 10);
    long twoWide = trainer.memoryEstimate(mlp(Optimizer.Adam.defaults(), 65_536, 65_536), shape);
    assertThat(twoWide).isGreaterThan(40L * (1L << 30) * 10);
    int[] many = new int[100_000];
    java.util.Arrays.fill(many, 65_536);
    // About 8.6e16 bytes: past where int arithmetic would have wrapped, still counted exactly.
    assertThat(trainer.memoryEstimate(mlp(Optimizer.Adam.defaults(), many), shape)).isGreaterThan(twoWide * 10_000);
  }
}
