package dev.trainerd.ml;

import java.util.List;

/**
 * The outcome of K-fold cross-validation.
 *
 * @param folds each fold's trained model; its {@code finalTrain} is the fold's training metrics
 *     and its {@code finalEvaluation} the validation metrics
 * @param meanTrain mean over folds of the final training metrics
 * @param meanValidation mean over folds of the final validation metrics
 */
public record CrossValidationResult(
    List<TrainedModel> folds, EvaluationMetrics meanTrain, EvaluationMetrics meanValidation) {
  public CrossValidationResult {
    folds = List.copyOf(folds);
  }
}
