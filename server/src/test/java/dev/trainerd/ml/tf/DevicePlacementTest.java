package dev.trainerd.ml.tf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainerd.ml.Device;
import dev.trainerd.ml.Examples;
import dev.trainerd.ml.ModelSpec;
import dev.trainerd.ml.TrainingSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** AUTO keeps models too small for a GPU on the CPU; an explicit device is kept. */
class DevicePlacementTest {

  private static Examples fashionShaped(int rows) {
    return new Examples(rows, 784, new float[rows * 784], new Examples.Labels.Classes(new int[rows], 10));
  }

  private static TrainingSpec spec(ModelSpec model, int batch, Device device) {
    return TrainingSpec.builder().model(model).batchSize(batch).device(device).build();
  }

  @Test
  void stepMultiplyAddsCountEveryDenseProductOfAFullBatch() {
    Examples fashion = fashionShaped(1000);
    assertThat(TfTrainer.stepMultiplyAdds(spec(new ModelSpec.SoftmaxRegression(), 256, Device.AUTO), fashion))
        .isEqualTo(256L * 784 * 10);
    ModelSpec mlp = new ModelSpec.Mlp(List.of(ModelSpec.HiddenLayer.relu(256)));
    assertThat(TfTrainer.stepMultiplyAdds(spec(mlp, 256, Device.AUTO), fashion))
        .isEqualTo(256L * (784 * 256 + 256 * 10));
    // A batch larger than the data set is the data set.
    ModelSpec softmax = new ModelSpec.SoftmaxRegression();
    assertThat(TfTrainer.stepMultiplyAdds(spec(softmax, 256, Device.AUTO), fashionShaped(100))).isEqualTo(100L * 784 * 10);
  }

  @Test
  void autoTrainsTheChaptersSmallModelsOnTheCpuAndItsMlpsOnAGpu() {
    Examples fashion = fashionShaped(1000);
    long softmax = TfTrainer.stepMultiplyAdds(spec(new ModelSpec.SoftmaxRegression(), 256, Device.AUTO), fashion);
    long mlp = TfTrainer.stepMultiplyAdds(
        spec(new ModelSpec.Mlp(List.of(ModelSpec.HiddenLayer.relu(256))), 256, Device.AUTO), fashion);
    long housePrices = 64L * 331;
    assertThat(TfTrainer.placed(Device.AUTO, Device.GPU, softmax)).isEqualTo(Device.CPU);
    assertThat(TfTrainer.placed(Device.AUTO, Device.GPU, housePrices)).isEqualTo(Device.CPU);
    assertThat(TfTrainer.placed(Device.AUTO, Device.GPU, mlp)).isEqualTo(Device.GPU);
    assertThat(TfTrainer.placed(Device.AUTO, Device.CPU, mlp)).isEqualTo(Device.CPU);
  }

  @Test
  void anExplicitDeviceIsKeptWhateverTheModelsSize() {
    assertThat(TfTrainer.placed(Device.GPU, Device.GPU, 10)).isEqualTo(Device.GPU);
    assertThat(TfTrainer.placed(Device.CPU, Device.CPU, Long.MAX_VALUE)).isEqualTo(Device.CPU);
  }

  @Test
  void theTrainerPlacesByWhatThisProcessSees() {
    TfTrainer trainer = new TfTrainer();
    ModelSpec mlp = new ModelSpec.Mlp(List.of(ModelSpec.HiddenLayer.relu(256)));
    // The CPU build sees no GPU (a GPU machine runs the engine's tests with the GPU build).
    if (trainer.resolveDevice(Device.AUTO) == Device.CPU) {
      assertThat(trainer.resolveDevice(spec(mlp, 256, Device.AUTO), fashionShaped(1000))).isEqualTo(Device.CPU);
    } else {
      assertThat(trainer.resolveDevice(spec(mlp, 256, Device.AUTO), fashionShaped(1000))).isEqualTo(Device.GPU);
      assertThat(trainer.resolveDevice(spec(new ModelSpec.SoftmaxRegression(), 256, Device.AUTO), fashionShaped(1000)))
          .isEqualTo(Device.CPU);
    }
  }
}
