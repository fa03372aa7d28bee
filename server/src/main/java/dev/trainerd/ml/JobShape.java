package dev.trainerd.ml;

/**
 * The sizes a training job's memory depends on, known before any data is loaded (from the data
 * sets' summaries), for {@link Trainer#memoryEstimate}.
 *
 * @param featureCount features per example the model takes
 * @param outputCount outputs of the model (classes for a multi-class loss, else 1)
 * @param trainRows examples trained on
 * @param evaluationRows examples of a separate evaluation set measured after every epoch (0 for none)
 * @param folds models trained side by side for K-fold cross-validation (0 for none); the final model
 *     on every example trains after them
 */
public record JobShape(int featureCount, int outputCount, long trainRows, long evaluationRows, int folds) {
  public JobShape {
    if (featureCount < 1 || outputCount < 1 || trainRows < 0 || evaluationRows < 0 || folds < 0) {
      throw new IllegalArgumentException(
          "features and outputs must be at least 1, rows and folds not negative: " + featureCount + " features, "
              + outputCount + " outputs, " + trainRows + " + " + evaluationRows + " rows, " + folds + " folds");
    }
  }
}
