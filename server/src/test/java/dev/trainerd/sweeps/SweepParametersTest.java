package dev.trainerd.sweeps;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainerd.jobs.JobSpec;
import dev.trainerd.jobs.SplitSpec;
import dev.trainerd.ml.Activation;
import dev.trainerd.ml.Loss;
import dev.trainerd.ml.ModelSpec;
import dev.trainerd.ml.Optimizer;
import dev.trainerd.ml.Precision;
import dev.trainerd.ml.TrainingSpec;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Each catalogue parameter lands on its job-spec field. */
class SweepParametersTest {
  private static JobSpec base(ModelSpec model, Loss loss) {
    return new JobSpec(
        "data", new SplitSpec.Holdout(0.2), TrainingSpec.builder().model(model).loss(loss).build(), Optional.empty(),
        Optional.empty());
  }

  private static List<ParameterValue> values(String... pairs) {
    return java.util.Arrays.stream(pairs)
        .map(p -> new ParameterValue(SweepParameters.canonical(p.split("=")[0]).orElseThrow(), p.split("=")[1]))
        .toList();
  }

  @Test
  void scalarsAndLayersMapOntoTheSpec() {
    JobSpec base = base(new ModelSpec.Mlp(List.of(ModelSpec.HiddenLayer.relu(256), ModelSpec.HiddenLayer.relu(256))), new Loss.SoftmaxCrossEntropy(true));
    SweepParameters.Applied applied =
        SweepParameters.apply(
            base,
            values(
                "dropout.2=0.5", "lr=0.3", "batch_size=64", "epochs=7", "wd=0.001", "optimizer=momentum",
                "hidden=128", "hidden_units.1=512", "activation=tanh", "dropout=0.1", "hidden-layers=3"));
    assertThat(applied.violations()).isEmpty();
    TrainingSpec t = applied.spec().training();
    assertThat(t.learningRate()).isEqualTo(0.3);
    assertThat(t.batchSize()).isEqualTo(64);
    assertThat(t.epochs()).isEqualTo(7);
    assertThat(t.weightDecay().lambda()).isEqualTo(0.001);
    assertThat(t.optimizer()).isInstanceOf(Optimizer.Momentum.class);
    assertThat(((ModelSpec.Mlp) t.model()).hiddenLayers())
        .containsExactly(
            new ModelSpec.HiddenLayer(512, Activation.TANH, 0.1),
            new ModelSpec.HiddenLayer(128, Activation.TANH, 0.5),
            new ModelSpec.HiddenLayer(128, Activation.TANH, 0.1));
    assertThat(applied.spec().split()).isEqualTo(base.split());
  }

  @Test
  void linearMeansSoftmaxForClassesAndIgnoresLayerParameters() {
    JobSpec classes = base(new ModelSpec.Mlp(List.of(ModelSpec.HiddenLayer.relu(64))), new Loss.SoftmaxCrossEntropy(true));
    assertThat(SweepParameters.apply(classes, values("model=linear", "hidden=32")).spec().training().model())
        .isEqualTo(new ModelSpec.SoftmaxRegression());
    JobSpec regression = base(new ModelSpec.LinearRegression(), new Loss.Squared());
    assertThat(SweepParameters.apply(regression, values("model=linear", "log_target=true")).spec().training())
        .satisfies(t -> {
          assertThat(t.model()).isEqualTo(new ModelSpec.LinearRegression());
          assertThat(t.logTarget()).isTrue();
        });
    assertThat(SweepParameters.apply(regression, values("model=mlp")).spec().training().model())
        .isEqualTo(new ModelSpec.Mlp(List.of(ModelSpec.HiddenLayer.relu(256))));
  }

  @Test
  void trialsTakeTheBaseSpecsPrecisionWhichIsNotASweepParameter() {
    JobSpec base = base(new ModelSpec.Mlp(List.of(ModelSpec.HiddenLayer.relu(64))), new Loss.SoftmaxCrossEntropy(true));
    JobSpec mixed =
        new JobSpec(
            base.datasetId(), base.split(), base.training().toBuilder().precision(Precision.MIXED_BFLOAT16).build(),
            Optional.empty(), Optional.empty());
    assertThat(SweepParameters.apply(mixed, values("lr=0.3", "hidden=32")).spec().training().precision())
        .isEqualTo(Precision.MIXED_BFLOAT16);
    assertThat(SweepParameters.canonical("precision")).isEmpty();
  }

  @Test
  void trialsKeepTheBaseSpecsReplicaLossPolicy() {
    JobSpec base = base(new ModelSpec.Mlp(List.of(ModelSpec.HiddenLayer.relu(64))), new Loss.SoftmaxCrossEntropy(true));
    JobSpec failing =
        new JobSpec(
            base.datasetId(), base.split(), base.training(), Optional.empty(), Optional.empty(),
            dev.trainerd.jobs.ReplicaLossPolicy.FAIL);
    assertThat(SweepParameters.apply(failing, values("lr=0.3")).spec().onReplicaLoss())
        .isEqualTo(dev.trainerd.jobs.ReplicaLossPolicy.FAIL);
  }

  @Test
  void aLayerBeyondTheModelIsAViolation() {
    JobSpec base = base(new ModelSpec.Mlp(List.of(ModelSpec.HiddenLayer.relu(64))), new Loss.SoftmaxCrossEntropy(true));
    assertThat(SweepParameters.apply(base, values("hidden_units.2=32")).violations())
        .singleElement()
        .satisfies(v -> assertThat(v.description()).contains("hidden layer 2 but the model has 1"));
    assertThat(SweepParameters.canonical("hidden_units.17")).isEmpty();
    assertThat(SweepParameters.canonical("Weight-Decay")).contains("weight_decay");
  }

  @Test
  void formatsDrawsAsWholeNumbersOrSixDigits() {
    assertThat(SweepParameters.format("batch_size", 63.6)).isEqualTo("64");
    assertThat(SweepParameters.format("learning_rate", 0.00123456789)).isEqualTo("0.00123457");
  }
}
