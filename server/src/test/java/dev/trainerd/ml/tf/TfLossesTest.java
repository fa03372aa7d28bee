package dev.trainerd.ml.tf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.trainerd.ml.Loss;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Every loss on tiny tensors against hand-computed values (see the comments for the arithmetic). */
class TfLossesTest {

  private Graph graph;
  private Session session;
  private Ops tf;

  @BeforeEach
  void open() {
    graph = new Graph();
    session = new Session(graph);
    tf = Ops.create(graph);
  }

  @AfterEach
  void close() {
    session.close();
    graph.close();
  }

  private float[] loss(Loss loss, float[][] outputs, float[][] target) {
    return eval(TfLosses.perExample(tf, loss, tf.constant(outputs), tf.constant(target)));
  }

  private float[] eval(Operand<TFloat32> op) {
    try (Result r = session.runner().fetch(op).run()) {
      TFloat32 t = (TFloat32) r.get(0);
      float[] out = new float[(int) t.shape().size()];
      t.copyTo(DataBuffers.of(out, false, false));
      return out;
    }
  }

  // Regression fixtures: outputs [1, 3], targets [2, 0.5], so d = [-1, 2.5].
  private static final float[][] REG_OUT = {{1f}, {3f}};
  private static final float[][] REG_TARGET = {{2f}, {0.5f}};

  @Test
  void squaredIsHalfTheSquaredError() {
    // 0.5 * 1 = 0.5; 0.5 * 6.25 = 3.125
    assertThat(loss(new Loss.Squared(), REG_OUT, REG_TARGET)).containsExactly(new float[] {0.5f, 3.125f}, within(1e-6f));
  }

  @Test
  void absoluteIsTheAbsoluteError() {
    assertThat(loss(new Loss.Absolute(), REG_OUT, REG_TARGET)).containsExactly(new float[] {1f, 2.5f}, within(1e-6f));
  }

  @Test
  void huberIsQuadraticInsideRhoAndLinearOutside() {
    // |d| = 1 <= rho: 1^2 / (2 * 1) = 0.5; |d| = 2.5 > rho: 2.5 - 0.5 = 2.0
    assertThat(loss(new Loss.Huber(1), REG_OUT, REG_TARGET)).containsExactly(new float[] {0.5f, 2f}, within(1e-6f));
    // rho = 2: 1^2 / 4 = 0.25; 2.5 - 1 = 1.5
    assertThat(loss(new Loss.Huber(2), REG_OUT, REG_TARGET)).containsExactly(new float[] {0.25f, 1.5f}, within(1e-6f));
  }

  @Test
  void poissonNegativeLogLikelihood() {
    // from logits: e^1 - 2*1 = 0.7182818; e^3 - 0.5*3 = 18.5855369
    assertThat(loss(new Loss.PoissonNll(true, false), REG_OUT, REG_TARGET))
        .containsExactly(new float[] {0.7182818f, 18.585537f}, within(1e-5f));
    // rates: 1 - 2 ln 1 = 1; 3 - 0.5 ln 3 = 2.4506939
    assertThat(loss(new Loss.PoissonNll(false, false), REG_OUT, REG_TARGET))
        .containsExactly(new float[] {1f, 2.4506939f}, within(1e-5f));
    // Stirling for y = 2 > 1: 2 ln 2 - 2 + 0.5 ln(4 pi) = 0.6518060; y = 0.5 gets none
    assertThat(loss(new Loss.PoissonNll(true, true), REG_OUT, REG_TARGET))
        .containsExactly(new float[] {0.7182818f + 0.6518060f, 18.585537f}, within(1e-5f));
  }

  @Test
  void sigmoidBinaryCrossEntropyFromLogits() {
    // x=2, z=1: log(1 + e^-2) = 0.1269280; x=-1, z=0: log(1 + e^-1) = 0.3132617
    assertThat(loss(new Loss.SigmoidBinaryCrossEntropy(), new float[][] {{2f}, {-1f}}, new float[][] {{1f}, {0f}}))
        .containsExactly(new float[] {0.1269280f, 0.3132617f}, within(1e-6f));
  }

  @Test
  void sigmoidBinaryCrossEntropyStaysFiniteForHugeLogits() {
    // x=100, z=0: 100 + log(1 + e^-100) = 100; x=-100, z=1: 0 + 100 + log1p(e^-100) = 100
    assertThat(loss(new Loss.SigmoidBinaryCrossEntropy(), new float[][] {{100f}, {-100f}}, new float[][] {{0f}, {1f}}))
        .containsExactly(new float[] {100f, 100f}, within(1e-4f));
  }

  @Test
  void hingeAndSquaredHinge() {
    // y=+1: 1 - 0.5 = 0.5; 1 - (-1) = 2 -> squared 0.25, 4; a confident right answer costs 0
    float[][] out = {{0.5f}, {-1f}, {3f}};
    float[][] target = {{1f}, {1f}, {1f}};
    assertThat(loss(new Loss.Hinge(1), out, target)).containsExactly(new float[] {0.5f, 2f, 0f}, within(1e-6f));
    assertThat(loss(new Loss.SquaredHinge(1), out, target)).containsExactly(new float[] {0.25f, 4f, 0f}, within(1e-6f));
    // margin 2: 2 - 0.5 = 1.5
    assertThat(loss(new Loss.Hinge(2), new float[][] {{0.5f}}, new float[][] {{1f}})).containsExactly(new float[] {1.5f}, within(1e-6f));
  }

  @Test
  void logistic() {
    // log(1 + e^-0.5) = 0.4740770; log(1 + e^1) = 1.3132617; -1000 * -1 stays finite: log(1+e^-1000) = 0
    assertThat(loss(new Loss.Logistic(Loss.LabelFormat.SIGNED), new float[][] {{0.5f}, {-1f}, {-1000f}}, new float[][] {{1f}, {1f}, {-1f}}))
        .containsExactly(new float[] {0.4740770f, 1.3132617f, 0f}, within(1e-6f));
  }

  @Test
  void softmaxCrossEntropyWithHardAndSoftTargets() {
    // logsumexp(1,2,3) = 3.4076059; -log softmax_3 = 0.4076059
    float[][] out = {{1f, 2f, 3f}};
    assertThat(loss(new Loss.SoftmaxCrossEntropy(true), out, new float[][] {{0f, 0f, 1f}}))
        .containsExactly(new float[] {0.4076059f}, within(1e-6f));
    // 0.5 * (3.4076059 - 1) + 0.5 * 0.4076059 = 1.4076059
    assertThat(loss(new Loss.SoftmaxCrossEntropy(false), out, new float[][] {{0.5f, 0f, 0.5f}}))
        .containsExactly(new float[] {1.4076059f}, within(1e-6f));
    // log-sum-exp keeps huge logits finite: logits (1000, 0), class 1 -> 1000
    assertThat(loss(new Loss.SoftmaxCrossEntropy(true), new float[][] {{1000f, 0f}}, new float[][] {{0f, 1f}}))
        .containsExactly(new float[] {1000f}, within(1e-3f));
  }

  @Test
  void klDivergence() {
    // from raw outputs: cross-entropy 1.4076059 minus the target's entropy ln 2 = 0.7144587
    assertThat(loss(new Loss.KlDivergence(false), new float[][] {{1f, 2f, 3f}}, new float[][] {{0.5f, 0f, 0.5f}}))
        .containsExactly(new float[] {0.7144587f}, within(1e-5f));
    // outputs already log-probabilities (ln .25, ln .25, ln .5): 0.5 * (ln .5 - ln .25) = 0.3465736
    float[][] logP = {{(float) Math.log(0.25), (float) Math.log(0.25), (float) Math.log(0.5)}};
    assertThat(loss(new Loss.KlDivergence(true), logP, new float[][] {{0.5f, 0f, 0.5f}}))
        .containsExactly(new float[] {0.3465736f}, within(1e-5f));
    // identical distributions: 0
    assertThat(loss(new Loss.KlDivergence(true), logP, new float[][] {{0.25f, 0.25f, 0.5f}}))
        .containsExactly(new float[] {0f}, within(1e-5f));
  }

  @Test
  void cosineEmbedding() {
    // a = (1,1,0), b = (1,0,0): cos = 1/sqrt 2 = 0.7071068 -> similar pair 1 - cos = 0.2928932
    float[][] a = {{1f, 1f, 0f}, {1f, 1f, 0f}, {1f, 1f, 0f}};
    float[][] b = {{1f, 0f, 0f}, {1f, 0f, 0f}, {1f, 0f, 0f}};
    assertThat(loss(new Loss.CosineEmbedding(0), new float[][] {a[0]}, new float[][] {b[0]}))
        .containsExactly(new float[] {0.2928932f}, within(1e-6f));
    // dissimilar pairs: max(0, cos - margin): margin 0 -> 0.7071068, margin 0.8 -> 0
    BiFunction<Double, float[], float[]> withLabels =
        (margin, labels) ->
            eval(TfLosses.cosineEmbedding(tf, tf.constant(a), tf.constant(b), tf.constant(labels), margin));
    assertThat(withLabels.apply(0.0, new float[] {1f, -1f, -1f}))
        .containsExactly(new float[] {0.2928932f, 0.7071068f, 0.7071068f}, within(1e-6f));
    assertThat(withLabels.apply(0.8, new float[] {-1f, -1f, 1f}))
        .containsExactly(new float[] {0f, 0f, 0.2928932f}, within(1e-6f));
  }
}
