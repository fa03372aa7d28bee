package dev.trainerd.sweeps;

import dev.trainerd.jobs.JobFailure;
import dev.trainerd.ml.EvaluationMetrics;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One trial of a sweep. Immutable.
 *
 * @param number from 1, in the order trials were drawn
 * @param parameters the values applied to the base spec
 * @param state where it is
 * @param jobId its training job once started
 * @param objectiveValue the objective at the end (K-fold: validation mean), once succeeded
 * @param metrics evaluation metrics at the end, or at the last epoch before it was stopped
 * @param epochsCompleted epochs finished over all folds and the final model
 * @param modelId its model once succeeded
 * @param rank 1 = best among succeeded trials once the sweep ended, else 0
 * @param failure why it failed, was cancelled or stopped early
 */
public record TrialRecord(
    int number,
    List<ParameterValue> parameters,
    TrialState state,
    Optional<String> jobId,
    Optional<Double> objectiveValue,
    Optional<EvaluationMetrics> metrics,
    int epochsCompleted,
    Optional<String> modelId,
    int rank,
    Optional<JobFailure> failure) {

  public TrialRecord {
    parameters = List.copyOf(parameters);
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(objectiveValue, "objectiveValue");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(modelId, "modelId");
    Objects.requireNonNull(failure, "failure");
  }

  /** A trial that has not started. */
  public static TrialRecord pending(int number, List<ParameterValue> parameters) {
    return new TrialRecord(
        number, parameters, TrialState.PENDING, Optional.empty(), Optional.empty(), Optional.empty(), 0,
        Optional.empty(), 0, Optional.empty());
  }

  TrialRecord started(String job) {
    return new TrialRecord(number, parameters, TrialState.RUNNING, Optional.of(job), objectiveValue, metrics,
        epochsCompleted, modelId, rank, failure);
  }

  TrialRecord withEpochs(int epochs, Optional<EvaluationMetrics> latest) {
    return new TrialRecord(number, parameters, state, jobId, objectiveValue, latest.or(() -> metrics), epochs,
        modelId, rank, failure);
  }

  TrialRecord ended(
      TrialState outcome, Optional<Double> objective, Optional<EvaluationMetrics> finalMetrics,
      Optional<String> model, Optional<JobFailure> why) {
    return new TrialRecord(number, parameters, outcome, jobId, objective, finalMetrics.or(() -> metrics),
        epochsCompleted, model, rank, why);
  }

  TrialRecord withRank(int r) {
    return new TrialRecord(number, parameters, state, jobId, objectiveValue, metrics, epochsCompleted, modelId, r,
        failure);
  }

  /** The objective value, or NaN when there is none. */
  public double objectiveOrNaN() {
    return objectiveValue.orElse(Double.NaN);
  }
}
