package dev.trainerd.ml;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainerd.errors.FieldViolation;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingSpecTest {

  @Test
  void defaultsAreTheBooksSoftmaxRegressionAndValid() {
    TrainingSpec d = TrainingSpec.defaults();
    assertThat(d.model()).isEqualTo(new ModelSpec.SoftmaxRegression());
    assertThat(d.loss()).isEqualTo(new Loss.SoftmaxCrossEntropy(true));
    assertThat(d.initializer()).isEqualTo(new Initializer.Normal(0.01));
    assertThat(d.optimizer()).isEqualTo(new Optimizer.Sgd());
    assertThat(d.learningRate()).isEqualTo(0.1);
    assertThat(d.batchSize()).isEqualTo(256);
    assertThat(d.epochs()).isEqualTo(10);
    assertThat(d.weightDecay()).isEqualTo(WeightDecay.none());
    assertThat(d.device()).isEqualTo(Device.AUTO);
    assertThat(d.precision()).isEqualTo(Precision.FLOAT32);
    assertThat(d.validate()).isEmpty();
    assertThat(d.toBuilder().build()).isEqualTo(d);
  }

  @Test
  void precisionIsKeptByTheBuilderAndValidForEveryModel() {
    TrainingSpec mixed = TrainingSpec.builder().precision(Precision.MIXED_BFLOAT16).build();
    assertThat(mixed.precision()).isEqualTo(Precision.MIXED_BFLOAT16);
    assertThat(mixed.toBuilder().seed(5).build().precision()).isEqualTo(Precision.MIXED_BFLOAT16);
    assertThat(mixed.validate()).isEmpty();
    // Allowed for regression too: a speed/precision trade the client chose, documented not refused.
    TrainingSpec regression =
        mixed.toBuilder().model(new ModelSpec.LinearRegression()).loss(new Loss.Squared()).build();
    assertThat(regression.validate()).isEmpty();
  }

  @Test
  void everyInvalidFieldIsReportedWithItsSnakeCasePath() {
    TrainingSpec spec =
        TrainingSpec.builder()
            .model(new ModelSpec.Mlp(List.of(
                ModelSpec.HiddenLayer.relu(256),
                new ModelSpec.HiddenLayer(0, Activation.TANH, 1.0))))
            .loss(new Loss.Huber(0))
            .initializer(new Initializer.Normal(-1))
            .optimizer(new Optimizer.Adam(1.0, 0.999, 0))
            .learningRate(0)
            .batchSize(0)
            .epochs(0)
            .weightDecay(new WeightDecay(-1, false))
            .threads(new Threads(-1, -2))
            .build();
    assertThat(spec.validate())
        .extracting(FieldViolation::field)
        .containsExactly(
            "spec.model.mlp.hidden_layers[1].units",
            "spec.model.mlp.hidden_layers[1].dropout",
            "spec.loss.huber.rho",
            "spec.initializer.normal.sigma",
            "spec.optimizer.adam.beta1",
            "spec.optimizer.adam.epsilon",
            "spec.learning_rate",
            "spec.batch_size",
            "spec.epochs",
            "spec.weight_decay",
            "spec.intra_op_threads",
            "spec.inter_op_threads");
  }

  @Test
  void nestedInitialiserViolationsKeepTheirRuleIndex() {
    TrainingSpec spec =
        TrainingSpec.builder()
            .initializer(new Initializer.Mixed(List.of(
                new Initializer.Rule(".*bias", new Initializer.Zero()),
                new Initializer.Rule("[", new Initializer.Uniform(0)))))
            .build();
    assertThat(spec.validate())
        .extracting(FieldViolation::field)
        .containsExactly("spec.initializer.mixed.rules[1].pattern", "spec.initializer.mixed.rules[1].initializer.uniform.scale");
  }

  @Test
  void modelsAndLossesMustFit() {
    assertThat(TrainingSpec.builder().loss(new Loss.Squared()).build().validate())
        .extracting(FieldViolation::field).containsExactly("spec.loss");
    assertThat(TrainingSpec.builder().model(new ModelSpec.LinearRegression()).build().validate())
        .extracting(FieldViolation::field).containsExactly("spec.loss");
    assertThat(TrainingSpec.builder().model(new ModelSpec.Polynomial(31, true)).loss(new Loss.Squared()).build().validate())
        .extracting(FieldViolation::field).containsExactly("spec.model.polynomial.degree");
    assertThat(TrainingSpec.builder().model(new ModelSpec.LinearRegression()).loss(new Loss.Logistic(Loss.LabelFormat.SIGNED)).build().validate())
        .isEmpty();
  }

  @Test
  void lossesMustFitTheLabels() {
    Examples.Labels regression = new Examples.Labels.Regression(new float[] {1f});
    Examples.Labels tenClasses = new Examples.Labels.Classes(new int[] {3}, 10);
    Examples.Labels twoClasses = new Examples.Labels.Classes(new int[] {1}, 2);
    TrainingSpec softmax = TrainingSpec.defaults();
    assertThat(softmax.validateFor(784, tenClasses)).isEmpty();
    assertThat(softmax.validateFor(784, regression))
        .containsExactly(new FieldViolation("spec.loss", "softmax_cross_entropy needs class labels; the data set has real-valued targets"));
    TrainingSpec squared = TrainingSpec.builder().model(new ModelSpec.LinearRegression()).loss(new Loss.Squared()).build();
    assertThat(squared.validateFor(2, tenClasses)).extracting(FieldViolation::field).containsExactly("spec.loss");
    TrainingSpec hinge = TrainingSpec.builder().model(new ModelSpec.LinearRegression()).loss(new Loss.Hinge(1)).build();
    assertThat(hinge.validateFor(2, twoClasses)).isEmpty();
    assertThat(hinge.validateFor(2, tenClasses)).extracting(FieldViolation::description)
        .containsExactly("hinge needs two classes; the data set has 10");
    assertThat(squared.validateFor(2, new Examples.Labels.None())).extracting(FieldViolation::field).containsExactly("dataset");
    TrainingSpec poly = TrainingSpec.builder().model(new ModelSpec.Polynomial(3, true)).loss(new Loss.Squared()).build();
    assertThat(poly.validateFor(4, regression)).extracting(FieldViolation::field).containsExactly("spec.model.polynomial");
  }

  @Test
  void outputCountFollowsTheLossAndLabels() {
    Examples.Labels tenClasses = new Examples.Labels.Classes(new int[] {3}, 10);
    assertThat(TrainingSpec.defaults().outputCount(tenClasses)).isEqualTo(10);
    assertThat(TrainingSpec.builder().loss(new Loss.SigmoidBinaryCrossEntropy()).build()
        .outputCount(new Examples.Labels.Classes(new int[] {1}, 2))).isEqualTo(1);
    assertThat(TrainingSpec.builder().loss(new Loss.Squared()).build()
        .outputCount(new Examples.Labels.Regression(new float[] {1}))).isEqualTo(1);
  }
}
