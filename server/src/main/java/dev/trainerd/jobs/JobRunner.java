package dev.trainerd.jobs;

import dev.trainerd.ml.CancellationSignal;

import dev.trainerd.ml.EpochMetrics;
import dev.trainerd.ml.TrainingListener;
import java.util.List;

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

    /**
     * An epoch finished for several models trained side by side (cross-validation's folds), in
     * model order: recorded together, as one write. By default {@link #epoch} for each.
     */
    default void epochs(List<EpochMetrics> metrics) {
      metrics.forEach(this::epoch);
    }

    /** This progress as the engine's listener: single epochs and side-by-side ones alike. */
    default TrainingListener asTrainingListener() {
      Progress progress = this;
      return new TrainingListener() {
        @Override
        public void onEpoch(EpochMetrics metrics) {
          progress.epoch(metrics);
        }

        @Override
        public void onEpochs(List<EpochMetrics> metrics) {
          progress.epochs(metrics);
        }
      };
    }

    /** A fold finished. */
    void fold(FoldResult fold);

    /** Every fold finished. */
    void crossValidation(CrossValidationSummary result);
  }
}
