package dev.trainerd.ml.tf;

import dev.trainerd.ml.Examples;
import dev.trainerd.ml.Loss;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TUint8;

/**
 * Graph builders shared by training, evaluation, prediction and export: the forward pass, the
 * target tensors each loss reads and the metric sums. Ops are limited to ones whose native
 * gradients exist and do not crash (see {@code GradientSafetyTest}).
 */
final class Forward {

  private Forward() {}

  /**
   * Byte features as the floats they stand for, {@code raw / divisor} (see {@link
   * dev.trainerd.ml.Examples.Values.UnsignedBytes}), so that only the bytes cross from Java. The
   * divisor is an operand fed at run time, not a constant, so that Grappler cannot turn the
   * division into a product with its reciprocal, which rounds differently: the floats are
   * exactly Java's.
   */
  static Operand<TFloat32> bytesAsFloats(Ops tf, Operand<TUint8> raw, Operand<TFloat32> divisor) {
    return tf.math.div(tf.dtypes.cast(raw, TFloat32.class), divisor);
  }

  /**
   * The model's raw outputs {@code [batch, outputs]}.
   *
   * @param params parameter values in {@link LayerPlan#parameterNames()} order
   * @param dropoutSeed a {@code [2]} int64 seed for this step's dropout masks, or null for
   *     inference (no dropout)
   */
  static Operand<TFloat32> outputs(
      Ops tf, LayerPlan plan, Operand<TFloat32> x, List<Operand<TFloat32>> params, Operand<TInt64> dropoutSeed) {
    return outputs(tf, plan, x, params.stream().map(List::of).toList(), dropoutSeed, 1);
  }

  /**
   * The raw outputs of {@code replicas} models of the same plan at once: {@code x} holds
   * {@code replicas} equal row groups one after the other ({@code [replicas * b, in]}), every
   * parameter has a leading {@code [replicas]} dimension, and group {@code r} goes through
   * replica {@code r}'s parameters. Each layer is one batched product instead of one product per
   * replica, so K-fold cross-validation runs its folds as one model of K times the ops' width
   * rather than K times as many ops.
   *
   * @param params per parameter in {@link LayerPlan#parameterNames()} order, its column blocks
   *     (one for most; a wide weight of a single replica may be stored as several, see {@link
   *     #matMul})
   */
  static Operand<TFloat32> outputs(
      Ops tf, LayerPlan plan, Operand<TFloat32> x, List<List<Operand<TFloat32>>> params, Operand<TInt64> dropoutSeed,
      int replicas) {
    Operand<TFloat32> h = x;
    if (plan.polynomial() != null) {
      h = polynomialFeatures(tf, x, plan.polynomial().degree(), plan.polynomial().factorialScaling());
    }
    // The batch size from the input, not from activations: dropout masks then depend only on the
    // step's seed and can be drawn while the layer's product runs on the other core.
    Operand<TInt32> rows = tf.slice(tf.shape(x), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
    int p = 0;
    for (LayerPlan.Dense d : plan.layers()) {
      if (replicas == 1) {
        h = matMul(tf, h, params.get(p++));
        if (d.bias()) {
          h = tf.nn.biasAdd(h, params.get(p++).get(0));
        }
      } else {
        Operand<TFloat32> grouped = tf.reshape(h, tf.constant(new int[] {replicas, -1, d.inputs()}));
        Operand<TFloat32> y = tf.train.batchMatMul(grouped, params.get(p++).get(0), TFloat32.class);
        if (d.bias()) {
          y = tf.math.add(y, tf.reshape(params.get(p++).get(0), tf.constant(new int[] {replicas, 1, d.outputs()})));
        }
        h = tf.reshape(y, tf.constant(new int[] {-1, d.outputs()}));
      }
      h =
          switch (d.activation()) {
            case RELU -> tf.nn.relu(h);
            case SIGMOID -> tf.math.sigmoid(h);
            case TANH -> tf.math.tanh(h);
            case IDENTITY -> h;
          };
      if (dropoutSeed != null && d.dropout() > 0) {
        Operand<TInt32> shape = tf.concat(List.of(rows, tf.constant(new int[] {d.outputs()})), tf.constant(0));
        Operand<TFloat32> keep = keepMask(tf, shape, d.dropout(), tf.math.add(dropoutSeed, tf.constant(new long[] {0, d.index()})));
        h = tf.math.mul(h, keep);
      }
    }
    return h;
  }

  /**
   * {@code h W}, where {@code W} is given as column blocks: one product per block, concatenated.
   * oneDNN runs batch-sized products single-threaded (they fit in L2), and independent blocks let
   * the inter-op pool put one on each core, in the forward pass and in the gradient. Every output
   * column is the same dot product either way. The blocks are separate variables rather than
   * slices of one, so no step copies the weight matrix apart or its gradient back together.
   */
  private static Operand<TFloat32> matMul(Ops tf, Operand<TFloat32> h, List<Operand<TFloat32>> wBlocks) {
    if (wBlocks.size() == 1) {
      return tf.linalg.matMul(h, wBlocks.get(0));
    }
    List<Operand<TFloat32>> parts = new ArrayList<>();
    for (Operand<TFloat32> w : wBlocks) {
      parts.add(tf.linalg.matMul(h, w));
    }
    return tf.concat(parts, tf.constant(1));
  }

  /** Inverted dropout: zero each unit with probability {@code p}, scale survivors by 1/(1-p). */
  static Operand<TFloat32> dropout(Ops tf, Operand<TFloat32> h, double p, Operand<TInt64> seed) {
    return tf.math.mul(h, keepMask(tf, tf.shape(h), p, seed));
  }

  /**
   * A mask of {@code 1/(1-p')} (kept) and 0 (dropped) from a stateless seed, where {@code p'} is
   * {@code p} rounded to a multiple of 2^-16: each 32-bit random word yields two 16-bit uniforms,
   * halving the Philox work (measured 0.62 -> 0.33 ms for a 256 x 512 mask), and the scale uses the
   * rounded probability so the mask's mean stays exactly 1.
   */
  static Operand<TFloat32> keepMask(Ops tf, Operand<TInt32> shape, double p, Operand<TInt64> seed) {
    int threshold = (int) Math.min(65535, Math.round(p * 65536));
    double rounded = threshold / 65536.0;
    // Draw ceil(units / 2) words per row, split each into its low and high halves.
    Operand<TInt32> rows = tf.slice(shape, tf.constant(new int[] {0}), tf.constant(new int[] {1}));
    Operand<TInt32> units = tf.slice(shape, tf.constant(new int[] {1}), tf.constant(new int[] {1}));
    Operand<TInt32> words = tf.math.div(tf.math.add(units, tf.constant(1)), tf.constant(2));
    Operand<TInt32> bits =
        tf.random.statelessRandomUniformFullInt(
            tf.concat(List.of(rows, words), tf.constant(0)), seed, TInt32.class);
    Operand<TInt32> low = tf.bitwise.bitwiseAnd(bits, tf.constant(0xFFFF));
    Operand<TInt32> high = tf.bitwise.bitwiseAnd(tf.bitwise.rightShift(bits, tf.constant(16)), tf.constant(0xFFFF));
    Operand<TInt32> both = tf.concat(List.of(low, high), tf.constant(1));
    Operand<TInt32> uniform = tf.slice(both, tf.constant(new int[] {0, 0}), shape);
    Operand<TFloat32> keep = tf.dtypes.cast(tf.math.greaterEqual(uniform, tf.constant(threshold)), TFloat32.class);
    return tf.math.mul(keep, tf.constant((float) (1 / (1 - rounded))));
  }

  /** {@code [x^0, x^1, ..., x^degree]} (each divided by i! when scaled) from {@code x [batch, 1]}. */
  static Operand<TFloat32> polynomialFeatures(Ops tf, Operand<TFloat32> x, int degree, boolean factorial) {
    List<Operand<TFloat32>> powers = new ArrayList<>();
    // x * 0 + 1 rather than OnesLike, which has no native gradient.
    Operand<TFloat32> term = tf.math.add(tf.math.mul(x, tf.constant(0f)), tf.constant(1f));
    powers.add(term);
    for (int i = 1; i <= degree; i++) {
      term = tf.math.mul(term, factorial ? tf.math.div(x, tf.constant((float) i)) : x);
      powers.add(term);
    }
    return tf.concat(powers, tf.constant(1));
  }

  /** How the labels of a data set are stored in the graph. */
  enum LabelStorage {
    /** int32 {@code [n]} class indices. */
    CLASSES,
    /** float32 {@code [n, 1]} real targets. */
    REGRESSION;

    static LabelStorage of(Examples.Labels labels) {
      return labels instanceof Examples.Labels.Classes ? CLASSES : REGRESSION;
    }
  }

  /**
   * The target tensor {@link TfLosses#perExample} reads, from gathered labels ({@code int32 [b]}
   * or {@code float32 [b, 1]}).
   */
  static Operand<TFloat32> target(Ops tf, Loss loss, LabelStorage storage, Operand<?> labels, int outputCount) {
    if (storage == LabelStorage.CLASSES) {
      @SuppressWarnings("unchecked")
      Operand<TInt32> classes = (Operand<TInt32>) labels;
      if (loss.labelKind() == Loss.LabelKind.MULTI_CLASS) {
        return tf.oneHot(classes, tf.constant(outputCount), tf.constant(1f), tf.constant(0f));
      }
      Operand<TFloat32> zeroOne = tf.reshape(tf.dtypes.cast(classes, TFloat32.class), tf.constant(new int[] {-1, 1}));
      return loss instanceof Loss.SigmoidBinaryCrossEntropy ? zeroOne : toSigned(tf, zeroOne);
    }
    @SuppressWarnings("unchecked")
    Operand<TFloat32> values = (Operand<TFloat32>) labels;
    if (loss instanceof Loss.Logistic l && l.labelFormat() == Loss.LabelFormat.BINARY) {
      return toSigned(tf, values);
    }
    return values;
  }

  /**
   * The target in the space of the model's outputs: {@code log(y)} for a log-target model (its
   * outputs are log-predictions), else {@link #target} unchanged.
   */
  static Operand<TFloat32> outputSpaceTarget(
      Ops tf, Loss loss, boolean logTarget, LabelStorage storage, Operand<?> labels, int outputCount) {
    Operand<TFloat32> target = target(tf, loss, storage, labels, outputCount);
    return logTarget && storage == LabelStorage.REGRESSION ? tf.math.log(target) : target;
  }

  /**
   * Regression outputs in the targets' original scale: {@code exp(o)} for a log-target model, with
   * {@code o} capped at 80 so an untrained model's predictions stay finite in float32.
   */
  static Operand<TFloat32> originalScale(Ops tf, boolean logTarget, Operand<TFloat32> outputs) {
    return logTarget ? tf.math.exp(tf.math.minimum(outputs, tf.constant(80f))) : outputs;
  }

  private static Operand<TFloat32> toSigned(Ops tf, Operand<TFloat32> zeroOne) {
    return tf.math.sub(tf.math.mul(zeroOne, tf.constant(2f)), tf.constant(1f));
  }

  /** Number of correct predictions in the batch (float scalar); only for class labels. */
  static Operand<TFloat32> correctCount(Ops tf, Operand<TFloat32> outputs, Operand<TInt32> classes, int outputCount) {
    return tf.sum(correct(tf, outputs, classes, outputCount), tf.constant(0));
  }

  /** 1 where the prediction is the class label, else 0 ({@code [rows]}); only for class labels. */
  static Operand<TFloat32> correct(Ops tf, Operand<TFloat32> outputs, Operand<TInt32> classes, int outputCount) {
    Operand<TInt32> predicted;
    if (outputCount > 1) {
      predicted = tf.math.argMax(outputs, tf.constant(1), TInt32.class);
    } else {
      predicted =
          tf.dtypes.cast(
              tf.math.greater(tf.reshape(outputs, tf.constant(new int[] {-1})), tf.constant(0f)), TInt32.class);
    }
    return tf.dtypes.cast(tf.math.equal(predicted, classes), TFloat32.class);
  }

  /** Sum of squared errors and of squared log errors (predictions clipped at 1), regression only. */
  static List<Operand<TFloat32>> regressionSums(Ops tf, Operand<TFloat32> outputs, Operand<TFloat32> values) {
    List<Operand<TFloat32>> sums = new ArrayList<>();
    for (Operand<TFloat32> perExample : regressionErrors(tf, outputs, values)) {
      sums.add(tf.sum(perExample, tf.constant(new int[] {0, 1})));
    }
    return sums;
  }

  /**
   * Per example ({@code [rows, 1]}): the squared error, and the squared log error with the
   * prediction clipped at 1; regression only.
   */
  static List<Operand<TFloat32>> regressionErrors(Ops tf, Operand<TFloat32> outputs, Operand<TFloat32> values) {
    Operand<TFloat32> d = tf.math.sub(outputs, values);
    Operand<TFloat32> logD =
        tf.math.sub(tf.math.log(tf.math.maximum(outputs, tf.constant(1f))), tf.math.log(values));
    return List.of(tf.math.mul(d, d), tf.math.mul(logD, logD));
  }

  /** What {@link dev.trainerd.ml.Predictor#predict} returns, from raw outputs. */
  static Operand<TFloat32> predictions(Ops tf, Loss loss, boolean classLabels, Operand<TFloat32> outputs) {
    if (loss.labelKind() == Loss.LabelKind.MULTI_CLASS) {
      return tf.nn.softmax(outputs);
    }
    if (loss.labelKind() == Loss.LabelKind.BINARY && classLabels) {
      return tf.math.sigmoid(outputs);
    }
    return outputs;
  }
}
