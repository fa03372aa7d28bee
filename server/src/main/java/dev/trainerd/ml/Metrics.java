package dev.trainerd.ml;

/**
 * Metric formulas in plain Java, the same definitions the backend computes in its graphs: for
 * checking predictions outside training and for tests. Arrays are row-major {@code [count, k]}.
 */
public final class Metrics {

  private Metrics() {}

  /** Fraction of rows whose largest output is the label (ties: the first maximum). */
  public static double accuracy(float[] outputs, int outputCount, int[] labels) {
    if (labels.length == 0) {
      return Double.NaN;
    }
    int correct = 0;
    for (int i = 0; i < labels.length; i++) {
      int best = 0;
      if (outputCount == 1) {
        best = outputs[i] > 0 ? 1 : 0;
      } else {
        for (int k = 1; k < outputCount; k++) {
          if (outputs[i * outputCount + k] > outputs[i * outputCount + best]) {
            best = k;
          }
        }
      }
      if (best == labels[i]) {
        correct++;
      }
    }
    return (double) correct / labels.length;
  }

  /** Root mean squared error of single-output predictions. */
  public static double rmse(float[] predictions, float[] targets) {
    double sum = 0;
    for (int i = 0; i < targets.length; i++) {
      double d = predictions[i] - targets[i];
      sum += d * d;
    }
    return Math.sqrt(sum / targets.length);
  }

  /**
   * The book's log-RMSE: {@code sqrt(mean((log(max(pred, 1)) - log(y))^2))}; NaN when a target
   * is not positive.
   */
  public static double logRmse(float[] predictions, float[] targets) {
    double sum = 0;
    for (int i = 0; i < targets.length; i++) {
      double d = Math.log(Math.max(predictions[i], 1.0)) - Math.log(targets[i]);
      sum += d * d;
    }
    return Math.sqrt(sum / targets.length);
  }

  /** Mean of the book's squared loss {@code (pred - y)^2 / 2}. */
  public static double meanSquaredLoss(float[] predictions, float[] targets) {
    double sum = 0;
    for (int i = 0; i < targets.length; i++) {
      double d = predictions[i] - targets[i];
      sum += d * d / 2;
    }
    return sum / targets.length;
  }

  /** Mean softmax cross-entropy of raw outputs against class labels, via log-sum-exp. */
  public static double meanSoftmaxCrossEntropy(float[] outputs, int outputCount, int[] labels) {
    double sum = 0;
    for (int i = 0; i < labels.length; i++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < outputCount; k++) {
        max = Math.max(max, outputs[i * outputCount + k]);
      }
      double exp = 0;
      for (int k = 0; k < outputCount; k++) {
        exp += Math.exp(outputs[i * outputCount + k] - max);
      }
      sum += max + Math.log(exp) - outputs[i * outputCount + labels[i]];
    }
    return sum / labels.length;
  }

  /** {@code sqrt(sum w^2)} over the weights of {@code parameters} (biases excluded). */
  public static double weightL2Norm(Iterable<Parameter> parameters) {
    double sum = 0;
    for (Parameter p : parameters) {
      if (!p.isBias()) {
        for (float v : p.values()) {
          sum += (double) v * v;
        }
      }
    }
    return Math.sqrt(sum);
  }
}
