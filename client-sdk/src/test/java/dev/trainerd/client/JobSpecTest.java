package dev.trainerd.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainerd.v1.Activation;
import dev.trainerd.v1.ModelSpec;
import dev.trainerd.v1.Optimizer;
import dev.trainerd.v1.Precision;
import dev.trainerd.v1.Split;
import dev.trainerd.v1.TrainingJobSpec;
import io.grpc.Status;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobSpecTest {
  @Test
  void writesTheServersDefaultsOutAndQualifiesBareIds() {
    TrainingJobSpec spec = JobSpec.newBuilder().dataset("abc").softmax().build();
    assertThat(spec.getDataset()).isEqualTo("datasets/abc");
    assertThat(spec.getLearningRate()).isEqualTo(0.1);
    assertThat(spec.getBatchSize()).isEqualTo(256);
    assertThat(spec.getEpochs()).isEqualTo(10);
    assertThat(spec.getWeightDecay()).isZero();
    assertThat(spec.hasSeed()).isFalse();
    assertThat(spec.hasSplit()).isFalse();
    assertThat(spec.getModel().getKindCase()).isEqualTo(ModelSpec.KindCase.SOFTMAX);
    // Left to the server, which resolves it to float32 and writes that on the job.
    assertThat(spec.getPrecision()).isEqualTo(Precision.PRECISION_UNSPECIFIED);
  }

  @Test
  void precisionIsSentAsGiven() {
    TrainingJobSpec spec =
        JobSpec.newBuilder().dataset("abc").mlp(List.of(256)).precision(Precision.PRECISION_MIXED_BFLOAT16).build();
    assertThat(spec.getPrecision()).isEqualTo(Precision.PRECISION_MIXED_BFLOAT16);
  }

  @Test
  void buildsTheBooksHousePriceSpec() {
    TrainingJobSpec spec =
        JobSpec.newBuilder()
            .dataset("datasets/train")
            .linear()
            .adam()
            .learningRate(5)
            .batchSize(64)
            .epochs(100)
            .weightDecay(0)
            .fitAlsoOn("test")
            .kFold(5, false)
            .seed(3)
            .build();
    assertThat(spec.getOptimizer().getKindCase()).isEqualTo(Optimizer.KindCase.ADAM);
    assertThat(spec.getPreprocessing().getFitAlsoOnDataset()).isEqualTo("datasets/test");
    assertThat(spec.getSplit().getKFold().getFolds()).isEqualTo(5);
    assertThat(spec.getSeed()).isEqualTo(3);
  }

  @Test
  void anMlpGetsOneActivationAndADropoutPerLayer() {
    TrainingJobSpec spec =
        JobSpec.newBuilder()
            .dataset("d")
            .mlp(List.of(256, 256))
            .activation(Activation.TANH)
            .dropout(List.of(0.2, 0.5))
            .testDataset("t")
            .build();
    assertThat(spec.getModel().getMlp().getHiddenLayersList())
        .extracting(l -> l.getUnits() + "/" + l.getActivation() + "/" + l.getDropout())
        .containsExactly("256/TANH/0.2", "256/TANH/0.5");
    assertThat(spec.getSplit().getKindCase()).isEqualTo(Split.KindCase.TEST_DATASET);
  }

  @Test
  void reportsEveryInvalidFieldWithTheServersPath() {
    assertThatThrownBy(
            () ->
                JobSpec.newBuilder()
                    .mlp(List.of(0, 10))
                    .dropout(List.of(0.0, 1.0))
                    .learningRate(Double.NaN)
                    .batchSize(0)
                    .epochs(100_001)
                    .weightDecay(-0.1)
                    .holdout(1.5)
                    .build())
        .isInstanceOfSatisfying(
            TrainerException.class,
            e -> {
              assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.fieldViolations())
                  .extracting(FieldViolation::field)
                  .containsExactly(
                      "spec.model.mlp.hidden_layers[0].units",
                      "spec.model.mlp.hidden_layers[1].dropout",
                      "spec.dataset",
                      "spec.learning_rate",
                      "spec.batch_size",
                      "spec.epochs",
                      "spec.weight_decay",
                      "spec.split.holdout_fraction");
            });
  }

  @Test
  void aModelIsRequired() {
    assertThatThrownBy(() -> JobSpec.newBuilder().dataset("d").build())
        .isInstanceOfSatisfying(
            TrainerException.class, e -> assertThat(e.fieldViolations()).extracting(FieldViolation::field).containsExactly("spec.model"));
  }
}
