package dev.trainerd.sweeps;

import dev.trainerd.jobs.JobSpec;

/**
 * Checks a trial's job spec against what is stored (data sets, models, limits) before the sweep
 * is accepted, throwing the same errors job creation would.
 */
@FunctionalInterface
public interface TrialAdmission {
  /** Throws NOT_FOUND, INVALID_ARGUMENT, RESOURCE_EXHAUSTED... when the job could not run. */
  void check(JobSpec spec);
}
