package dev.trainerd.sweeps;

import dev.trainerd.ml.EvaluationMetrics;
import java.util.Objects;

/**
 * What trials are compared by: a metric on the evaluation data (the validation folds' mean for
 * K-fold specs) and whether smaller or larger is better.
 */
public record Objective(Metric metric, Direction direction) {
  public Objective {
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(direction, "direction");
  }

  /** The objective with the metric's natural direction: maximise accuracy, minimise the rest. */
  public static Objective of(Metric metric) {
    return new Objective(metric, metric == Metric.ACCURACY ? Direction.MAXIMIZE : Direction.MINIMIZE);
  }

  /** The metrics a sweep can optimise. */
  public enum Metric {
    LOSS,
    ACCURACY,
    RMSE,
    LOG_RMSE
  }

  /** Which way is better. */
  public enum Direction {
    MINIMIZE,
    MAXIMIZE
  }

  /** The metric's value in {@code metrics}; NaN when it does not apply (accuracy of regression). */
  public double valueOf(EvaluationMetrics metrics) {
    return switch (metric) {
      case LOSS -> metrics.loss();
      case ACCURACY -> metrics.accuracy();
      case RMSE -> metrics.rmse();
      case LOG_RMSE -> metrics.logRmse();
    };
  }

  /** Whether {@code a} is strictly worse than {@code b} in this direction. */
  public boolean isWorse(double a, double b) {
    return direction == Direction.MINIMIZE ? a > b : a < b;
  }

  /** Orders values best first; NaN (no value) last. */
  public int compare(double a, double b) {
    boolean aMissing = Double.isNaN(a);
    boolean bMissing = Double.isNaN(b);
    if (aMissing || bMissing) {
      return Boolean.compare(aMissing, bMissing);
    }
    return direction == Direction.MINIMIZE ? Double.compare(a, b) : Double.compare(b, a);
  }
}
