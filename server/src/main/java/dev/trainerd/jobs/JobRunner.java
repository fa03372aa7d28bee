package dev.trainerd.jobs;

import dev.trainerd.ml.CancellationSignal;

import dev.trainerd.ml.EpochMetrics;

/**
 * Does the work of one job: prepares its data, trains, saves the model. Implementations throw
 * {@link dev.trainerd.errors.TrainerdException} for failures the client caused and the engine's
 * cancellation exception when {@code cancel} fired.
 */
public interface JobRunner {
  /**
   * Runs the job to completion.
   *
   * @return the saved model's id
   */
  String run(TrainingJobRecord job, Progress progress, CancellationSignal cancel) throws Exception;

  /**
   * Removes a model a run saved whose job could not record it: in a cluster, the replica lost
   * the job's lease while it trained, and another attempt owns the job now.
   */
  default void discard(String modelId) {}

  /** Where a running job reports what it did; calls come from the job's thread, in order. */
  interface Progress {
    /** An epoch finished. */
    void epoch(EpochMetrics metrics);

    /** A fold finished. */
    void fold(FoldResult fold);

    /** Every fold finished. */
    void crossValidation(CrossValidationSummary result);
  }
}
