package dev.trainerd.data.synthetic;

import dev.trainerd.errors.FieldViolation;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What synthetic data to generate. {@link #validate()} returns violations with field paths
 * relative to the spec (e.g. {@code linear.noise}); the caller prefixes its own path.
 */
public sealed interface SyntheticSpec {

  /** Most examples one spec may generate, to bound memory. */
  int MAX_EXAMPLES = 10_000_000;

  /** Violations of the spec, empty when valid. */
  List<FieldViolation> validate();

  /**
   * The book's linear regression data (section 3.2): {@code y = X w + b + noise}, X standard
   * normal.
   *
   * @param weights true weights (the book: [2, -3.4]); their count is the feature count
   * @param bias true bias (the book: 4.2)
   * @param noise standard deviation of the Gaussian noise on y (the book: 0.01)
   * @param count examples (the book: 1000)
   * @param seed seeds the draws
   */
  record Linear(double[] weights, double bias, double noise, int count, long seed) implements SyntheticSpec {
    public Linear {
      weights = Objects.requireNonNull(weights, "weights").clone();
    }

    /** The book's setup: w = [2, -3.4], b = 4.2, noise 0.01, 1000 examples. */
    public static Linear book(long seed) {
      return new Linear(new double[] {2, -3.4}, 4.2, 0.01, 1000, seed);
    }

    @Override
    public double[] weights() {
      return weights.clone();
    }

    @Override
    public List<FieldViolation> validate() {
      List<FieldViolation> out = new ArrayList<>();
      if (weights.length == 0 || weights.length > 100_000) {
        out.add(new FieldViolation("linear.weights", "must have 1 to 100000 entries, had " + weights.length));
      }
      for (int i = 0; i < weights.length; i++) {
        if (!Double.isFinite(weights[i])) {
          out.add(new FieldViolation("linear.weights[" + i + "]", "must be finite"));
        }
      }
      if (!Double.isFinite(bias)) {
        out.add(new FieldViolation("linear.bias", "must be finite"));
      }
      checkNoise(out, "linear.noise", noise);
      checkCount(out, "linear.count", count, 1);
      if (weights.length > 0 && (long) count * weights.length > MAX_EXAMPLES * 10L) {
        out.add(new FieldViolation("linear.count", "count x features must be <= " + MAX_EXAMPLES * 10L));
      }
      return out;
    }
  }

  /**
   * The book's polynomial-fitting data (section 4.4): x ~ N(0, 1),
   * {@code y = sum_i w_i x^i / i! + noise}, with {@code w = [5, 1.2, -3.4, 5.6]} and zeros beyond.
   *
   * @param maxDegree number of polynomial features (the book's {@code max_degree}, 20): powers
   *     {@code 0 .. maxDegree-1}
   * @param trueWeights the leading weights (the book: [5, 1.2, -3.4, 5.6]); the rest are zero
   * @param trainCount training examples (the book: 100)
   * @param testCount test examples (the book: 100)
   * @param noise standard deviation of the Gaussian noise (the book: 0.1)
   * @param expandFeatures true: features are {@code x^i / i!} for i below {@code maxDegree} (the
   *     book's {@code poly_features}); false: the single raw feature x, for the polynomial model
   *     that expands it itself
   * @param seed seeds the draws
   */
  record Polynomial(
      int maxDegree, double[] trueWeights, int trainCount, int testCount, double noise, boolean expandFeatures, long seed)
      implements SyntheticSpec {
    public Polynomial {
      trueWeights = Objects.requireNonNull(trueWeights, "trueWeights").clone();
    }

    /** The book's setup with raw x features or the expanded ones. */
    public static Polynomial book(boolean expandFeatures, long seed) {
      return new Polynomial(20, new double[] {5, 1.2, -3.4, 5.6}, 100, 100, 0.1, expandFeatures, seed);
    }

    @Override
    public double[] trueWeights() {
      return trueWeights.clone();
    }

    @Override
    public List<FieldViolation> validate() {
      List<FieldViolation> out = new ArrayList<>();
      if (maxDegree < 1 || maxDegree > 31) {
        out.add(new FieldViolation("polynomial.max_degree", "must be in [1, 31], was " + maxDegree));
      }
      if (trueWeights.length == 0 || trueWeights.length > Math.max(1, maxDegree)) {
        out.add(new FieldViolation("polynomial.true_weights", "must have 1 to max_degree entries, had " + trueWeights.length));
      }
      for (int i = 0; i < trueWeights.length; i++) {
        if (!Double.isFinite(trueWeights[i])) {
          out.add(new FieldViolation("polynomial.true_weights[" + i + "]", "must be finite"));
        }
      }
      checkCount(out, "polynomial.train_count", trainCount, 1);
      checkCount(out, "polynomial.test_count", testCount, 1);
      checkNoise(out, "polynomial.noise", noise);
      return out;
    }
  }

  /**
   * The book's weight-decay data (section 4.5): {@code y = 0.01 * sum x + 0.05 + noise} with
   * {@code numInputs} standard normal features, few training examples.
   *
   * @param trainCount the book: 20
   * @param testCount the book: 100
   * @param numInputs the book: 200
   * @param weight every true weight (the book: 0.01)
   * @param bias true bias (the book: 0.05)
   * @param noise the book: 0.01
   * @param seed seeds the draws
   */
  record HighDimensionalLinear(
      int trainCount, int testCount, int numInputs, double weight, double bias, double noise, long seed)
      implements SyntheticSpec {

    /** The book's setup. */
    public static HighDimensionalLinear book(long seed) {
      return new HighDimensionalLinear(20, 100, 200, 0.01, 0.05, 0.01, seed);
    }

    @Override
    public List<FieldViolation> validate() {
      List<FieldViolation> out = new ArrayList<>();
      checkCount(out, "high_dimensional_linear.train_count", trainCount, 1);
      checkCount(out, "high_dimensional_linear.test_count", testCount, 1);
      if (numInputs < 1 || numInputs > 100_000) {
        out.add(new FieldViolation("high_dimensional_linear.num_inputs", "must be in [1, 100000], was " + numInputs));
      } else if ((long) (trainCount + (long) testCount) * numInputs > MAX_EXAMPLES * 10L) {
        out.add(new FieldViolation("high_dimensional_linear.num_inputs", "examples x inputs must be <= " + MAX_EXAMPLES * 10L));
      }
      if (!Double.isFinite(weight)) {
        out.add(new FieldViolation("high_dimensional_linear.weight", "must be finite"));
      }
      if (!Double.isFinite(bias)) {
        out.add(new FieldViolation("high_dimensional_linear.bias", "must be finite"));
      }
      checkNoise(out, "high_dimensional_linear.noise", noise);
      return out;
    }
  }

  private static void checkNoise(List<FieldViolation> out, String field, double noise) {
    if (!(noise >= 0 && Double.isFinite(noise))) {
      out.add(new FieldViolation(field, "must be >= 0, was " + noise));
    }
  }

  private static void checkCount(List<FieldViolation> out, String field, int count, int min) {
    if (count < min || count > MAX_EXAMPLES) {
      out.add(new FieldViolation(field, "must be in [" + min + ", " + MAX_EXAMPLES + "], was " + count));
    }
  }
}
