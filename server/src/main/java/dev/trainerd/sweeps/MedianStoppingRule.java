package dev.trainerd.sweeps;

import dev.trainerd.errors.FieldViolation;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The median stopping rule: after its warm-up, a trial whose objective metric at an epoch is
 * strictly worse than the median of the other trials' values at that same epoch (and fold) is
 * stopped, provided at least {@code minTrials} others have reported that epoch.
 *
 * @param warmupEpochs epochs per fold every trial runs before the rule applies, {@code >= 0}
 * @param minTrials other trials the median needs, {@code >= 1}
 */
public record MedianStoppingRule(int warmupEpochs, int minTrials) {
  /** Warm-up when the request leaves it at 0. */
  public static final int DEFAULT_WARMUP_EPOCHS = 2;
  /** Minimum number of other trials when the request leaves it at 0. */
  public static final int DEFAULT_MIN_TRIALS = 2;

  /** Violations with paths under {@code early_stopping}. */
  public List<FieldViolation> validate() {
    List<FieldViolation> out = new ArrayList<>();
    if (warmupEpochs < 0 || warmupEpochs > dev.trainerd.ml.TrainingSpec.MAX_EPOCHS) {
      out.add(new FieldViolation("early_stopping.warmup_epochs", "must be in [0, 100000], was " + warmupEpochs));
    }
    if (minTrials < 1 || minTrials > ParameterSpace.MAX_TRIALS) {
      out.add(new FieldViolation("early_stopping.min_trials", "must be in [1, 1000], was " + minTrials));
    }
    return out;
  }

  /**
   * Whether a trial reporting {@code value} at {@code epoch} (within its fold) should stop, given
   * the other trials' values at that epoch and fold.
   */
  public boolean shouldStop(int epoch, double value, Collection<Double> others, Objective objective) {
    if (epoch <= warmupEpochs || others.size() < minTrials) {
      return false;
    }
    if (Double.isNaN(value)) {
      // A diverged trial (loss NaN) is worse than any trial that still has a value.
      return others.stream().anyMatch(v -> !Double.isNaN(v));
    }
    double median = median(others);
    return !Double.isNaN(median) && objective.isWorse(value, median);
  }

  /** The median of the values that are numbers (mean of the middle two for an even count); NaN if none. */
  public static double median(Collection<Double> values) {
    double[] sorted = values.stream().filter(v -> !Double.isNaN(v)).mapToDouble(Double::doubleValue).sorted().toArray();
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }
}
