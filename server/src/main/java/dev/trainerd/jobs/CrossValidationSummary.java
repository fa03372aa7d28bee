package dev.trainerd.jobs;

import dev.trainerd.ml.EvaluationMetrics;
import java.util.List;

/**
 * K-fold results kept with a job and its model (the fold models themselves are not kept).
 *
 * @param folds each fold's final metrics, in fold order
 * @param meanTrain mean of the folds' final training metrics
 * @param meanValidation mean of the folds' validation metrics: what hyperparameters are compared by
 */
public record CrossValidationSummary(
    List<FoldResult> folds, EvaluationMetrics meanTrain, EvaluationMetrics meanValidation) {
  public CrossValidationSummary {
    folds = List.copyOf(folds);
  }
}
