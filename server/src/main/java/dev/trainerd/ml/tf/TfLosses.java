package dev.trainerd.ml.tf;

import dev.trainerd.ml.Loss;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Per-example losses as graph ops, from raw outputs {@code [batch, k]} and a target tensor of the
 * same shape in the form each loss reads (see {@link #perExample}). Every formula avoids ops whose
 * native gradient is missing or crashes: no {@code Square} (products instead), no
 * {@code SparseSoftmaxCrossEntropyWithLogits}, no custom gradients; softplus is written as
 * {@code relu(z) + log1p(exp(-|z|))} so it never overflows.
 */
final class TfLosses {

  private TfLosses() {}

  /**
   * The per-example loss {@code [batch]}.
   *
   * @param outputs raw model outputs {@code [batch, k]}
   * @param target {@code [batch, k]}: a probability vector (one-hot for class labels) for
   *     multi-class losses; {0,1} for sigmoid BCE; ±1 for hinge, squared hinge and logistic;
   *     real targets for regression losses
   */
  static Operand<TFloat32> perExample(Ops tf, Loss loss, Operand<TFloat32> outputs, Operand<TFloat32> target) {
    if (loss instanceof Loss.Squared) {
      Operand<TFloat32> d = tf.math.sub(outputs, target);
      return meanLast(tf, tf.math.mul(f(tf, 0.5), tf.math.mul(d, d)));
    }
    if (loss instanceof Loss.Absolute) {
      return meanLast(tf, tf.math.abs(tf.math.sub(outputs, target)));
    }
    if (loss instanceof Loss.Huber h) {
      Operand<TFloat32> a = tf.math.abs(tf.math.sub(outputs, target));
      Operand<TFloat32> m = tf.math.minimum(a, f(tf, h.rho()));
      // 0.5 m^2 / rho + (|d| - m): equals the piecewise definition without a Select.
      Operand<TFloat32> quadratic = tf.math.mul(f(tf, 0.5 / h.rho()), tf.math.mul(m, m));
      return meanLast(tf, tf.math.add(quadratic, tf.math.sub(a, m)));
    }
    if (loss instanceof Loss.SoftmaxCrossEntropy) {
      return tf.nn.softmaxCrossEntropyWithLogits(outputs, target).loss();
    }
    if (loss instanceof Loss.SigmoidBinaryCrossEntropy) {
      // max(x,0) - x z + log(1 + exp(-|x|))
      Operand<TFloat32> l =
          tf.math.add(
              tf.math.sub(tf.nn.relu(outputs), tf.math.mul(outputs, target)),
              tf.math.log1p(tf.math.exp(tf.math.neg(tf.math.abs(outputs)))));
      return meanLast(tf, l);
    }
    if (loss instanceof Loss.KlDivergence kl) {
      Operand<TFloat32> logP = kl.fromLogits() ? outputs : tf.nn.logSoftmax(outputs);
      Operand<TFloat32> logT = tf.math.log(tf.math.add(target, f(tf, 1e-12)));
      return sumLast(tf, tf.math.mul(target, tf.math.sub(logT, logP)));
    }
    if (loss instanceof Loss.Hinge h) {
      return meanLast(tf, hingeTerm(tf, outputs, target, h.margin()));
    }
    if (loss instanceof Loss.SquaredHinge h) {
      Operand<TFloat32> r = hingeTerm(tf, outputs, target, h.margin());
      return meanLast(tf, tf.math.mul(r, r));
    }
    if (loss instanceof Loss.Logistic) {
      return meanLast(tf, softplus(tf, tf.math.neg(tf.math.mul(outputs, target))));
    }
    if (loss instanceof Loss.PoissonNll p) {
      Operand<TFloat32> l =
          p.fromLogits()
              ? tf.math.sub(tf.math.exp(outputs), tf.math.mul(target, outputs))
              : tf.math.sub(
                  outputs,
                  tf.math.mul(
                      target, tf.math.log(tf.math.add(tf.math.maximum(outputs, f(tf, 0)), f(tf, 1e-8)))));
      if (p.computeFull()) {
        // Stirling: y log y - y + 0.5 log(2 pi y), only where y > 1 (gluon's compute_full).
        Operand<TFloat32> safe = tf.math.maximum(target, f(tf, 1));
        Operand<TFloat32> stirling =
            tf.math.add(
                tf.math.sub(tf.math.mul(safe, tf.math.log(safe)), safe),
                tf.math.mul(f(tf, 0.5), tf.math.log(tf.math.mul(f(tf, 2 * Math.PI), safe))));
        Operand<TFloat32> above = tf.dtypes.cast(tf.math.greater(target, f(tf, 1)), TFloat32.class);
        l = tf.math.add(l, tf.math.mul(stirling, above));
      }
      return meanLast(tf, l);
    }
    if (loss instanceof Loss.CosineEmbedding c) {
      return cosineEmbedding(tf, outputs, target, null, c.margin());
    }
    throw new IllegalArgumentException("unknown loss " + loss);
  }

  /**
   * gluon's cosine embedding loss between rows of {@code a} and {@code b}; {@code label} holds
   * ±1 per example, null meaning all similar (+1).
   */
  static Operand<TFloat32> cosineEmbedding(
      Ops tf, Operand<TFloat32> a, Operand<TFloat32> b, Operand<TFloat32> label, double margin) {
    Operand<TFloat32> dot = sumLast(tf, tf.math.mul(a, b));
    Operand<TFloat32> norms =
        tf.math.mul(tf.math.sqrt(sumLast(tf, tf.math.mul(a, a))), tf.math.sqrt(sumLast(tf, tf.math.mul(b, b))));
    Operand<TFloat32> cos = tf.math.div(dot, tf.math.maximum(norms, f(tf, 1e-12)));
    Operand<TFloat32> similar = tf.math.sub(f(tf, 1), cos);
    if (label == null) {
      return similar;
    }
    Operand<TFloat32> dissimilar = tf.nn.relu(tf.math.sub(cos, f(tf, margin)));
    Operand<TFloat32> isSimilar = tf.dtypes.cast(tf.math.greater(label, f(tf, 0)), TFloat32.class);
    return tf.math.add(
        tf.math.mul(isSimilar, similar),
        tf.math.mul(tf.math.sub(f(tf, 1), isSimilar), dissimilar));
  }

  private static Operand<TFloat32> hingeTerm(
      Ops tf, Operand<TFloat32> outputs, Operand<TFloat32> target, double margin) {
    return tf.nn.relu(tf.math.sub(f(tf, margin), tf.math.mul(outputs, target)));
  }

  /** log(1 + e^z) without overflow: relu(z) + log1p(exp(-|z|)). */
  static Operand<TFloat32> softplus(Ops tf, Operand<TFloat32> z) {
    return tf.math.add(tf.nn.relu(z), tf.math.log1p(tf.math.exp(tf.math.neg(tf.math.abs(z)))));
  }

  static Operand<TFloat32> meanLast(Ops tf, Operand<TFloat32> x) {
    return tf.math.mean(x, tf.constant(-1));
  }

  static Operand<TFloat32> sumLast(Ops tf, Operand<TFloat32> x) {
    return tf.sum(x, tf.constant(-1));
  }

  static Operand<TFloat32> f(Ops tf, double v) {
    return tf.constant((float) v);
  }
}
