package dev.trainerd.data.synthetic;

import dev.trainerd.errors.TrainerdException;
import dev.trainerd.ml.Examples;
import java.util.List;
import java.util.Random;

/**
 * Generates the chapter's synthetic data sets. Deterministic: the same spec (seed included) gives
 * the same values on every machine ({@link Random}'s Gaussian sequence is specified).
 */
public final class SyntheticData {

  private SyntheticData() {}

  /**
   * The examples a linear spec describes.
   *
   * @throws TrainerdException.InvalidArgument when the spec is invalid
   */
  public static Examples linear(SyntheticSpec.Linear spec) {
    requireValid(spec);
    Random random = new Random(spec.seed());
    double[] w = spec.weights();
    return linearExamples(random, spec.count(), w, spec.bias(), spec.noise());
  }

  /** Training and test sets of the polynomial spec, features as {@code expandFeatures} says. */
  public static SplitExamples polynomial(SyntheticSpec.Polynomial spec) {
    requireValid(spec);
    Random random = new Random(spec.seed());
    double[] w = spec.trueWeights();
    int n = spec.trainCount() + spec.testCount();
    int degree = spec.maxDegree();
    int f = spec.expandFeatures() ? degree : 1;
    float[] features = new float[n * f];
    float[] labels = new float[n];
    double[] factorial = new double[degree];
    factorial[0] = 1;
    for (int i = 1; i < degree; i++) {
      factorial[i] = factorial[i - 1] * i;
    }
    for (int r = 0; r < n; r++) {
      double x = random.nextGaussian();
      double y = 0;
      double power = 1;
      for (int i = 0; i < degree; i++) {
        double term = power / factorial[i];
        if (i < w.length) {
          y += w[i] * term;
        }
        if (spec.expandFeatures()) {
          features[r * f + i] = (float) term;
        }
        power *= x;
      }
      if (!spec.expandFeatures()) {
        features[r] = (float) x;
      }
      labels[r] = (float) (y + random.nextGaussian() * spec.noise());
    }
    return split(new Examples(n, f, features, new Examples.Labels.Regression(labels)), spec.trainCount());
  }

  /** Training and test sets of the weight-decay spec. */
  public static SplitExamples highDimensionalLinear(SyntheticSpec.HighDimensionalLinear spec) {
    requireValid(spec);
    Random random = new Random(spec.seed());
    double[] w = new double[spec.numInputs()];
    java.util.Arrays.fill(w, spec.weight());
    Examples all =
        linearExamples(random, spec.trainCount() + spec.testCount(), w, spec.bias(), spec.noise());
    return split(all, spec.trainCount());
  }

  private static Examples linearExamples(Random random, int n, double[] w, double b, double noise) {
    int f = w.length;
    float[] features = new float[n * f];
    float[] labels = new float[n];
    for (int r = 0; r < n; r++) {
      double y = b;
      for (int i = 0; i < f; i++) {
        double x = random.nextGaussian();
        features[r * f + i] = (float) x;
        y += w[i] * x;
      }
      labels[r] = (float) (y + random.nextGaussian() * noise);
    }
    return new Examples(n, f, features, new Examples.Labels.Regression(labels));
  }

  private static SplitExamples split(Examples all, int trainCount) {
    int[] train = new int[trainCount];
    int[] test = new int[all.count() - trainCount];
    for (int i = 0; i < train.length; i++) {
      train[i] = i;
    }
    for (int i = 0; i < test.length; i++) {
      test[i] = trainCount + i;
    }
    return new SplitExamples(all.subset(train), all.subset(test));
  }

  private static void requireValid(SyntheticSpec spec) {
    List<dev.trainerd.errors.FieldViolation> violations = spec.validate();
    if (!violations.isEmpty()) {
      throw TrainerdException.InvalidArgument.of(violations);
    }
  }
}
