package dev.trainerd.sweeps;

import dev.trainerd.errors.FieldViolation;
import dev.trainerd.jobs.JobSpec;
import dev.trainerd.jobs.SplitSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a sweep runs, as requested with defaults resolved.
 *
 * @param baseSpec the spec every trial starts from
 * @param space the parameters and their values or ranges
 * @param trialCount trials to run, 1 to {@link ParameterSpace#MAX_TRIALS}
 * @param parallelism trials in flight at once, 1 to {@link #MAX_PARALLELISM}
 * @param objective what trials are ranked by
 * @param earlyStopping the median rule, if trials may be stopped early
 * @param seed seeds the random draws
 */
public record SweepDefinition(
    JobSpec baseSpec,
    ParameterSpace space,
    int trialCount,
    int parallelism,
    Objective objective,
    Optional<MedianStoppingRule> earlyStopping,
    long seed) {
  /** Most trials in flight for one sweep. */
  public static final int MAX_PARALLELISM = 64;

  public SweepDefinition {
    Objects.requireNonNull(baseSpec, "baseSpec");
    Objects.requireNonNull(space, "space");
    Objects.requireNonNull(objective, "objective");
    Objects.requireNonNull(earlyStopping, "earlyStopping");
  }

  /** Violations of the definition on its own, with the request's field paths. */
  public List<FieldViolation> validate() {
    List<FieldViolation> out = new ArrayList<>(space.validate());
    if (trialCount < 1 || trialCount > ParameterSpace.MAX_TRIALS) {
      out.add(
          new FieldViolation(
              "trial_count", "must be in [1, " + ParameterSpace.MAX_TRIALS + "] (0: the grid's size), was " + trialCount));
    }
    if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
      out.add(new FieldViolation("parallelism", "must be in [1, " + MAX_PARALLELISM + "], was " + parallelism));
    }
    if (baseSpec.split() instanceof SplitSpec.None) {
      out.add(
          new FieldViolation(
              "base_spec.split",
              "is required: the objective is measured on evaluation data (holdout, test data set or K-fold)"));
    }
    earlyStopping.ifPresent(rule -> out.addAll(rule.validate()));
    return out;
  }
}
