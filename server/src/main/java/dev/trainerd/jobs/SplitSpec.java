package dev.trainerd.jobs;

/** How a job divides its examples into training and evaluation data. */
public sealed interface SplitSpec {
  /** Train on everything, evaluate on nothing. */
  record None() implements SplitSpec {}

  /** Evaluate after each epoch on another stored data set. */
  record TestDataset(String datasetId) implements SplitSpec {}

  /** Hold out a seeded random fraction (0 < f < 1) of the examples. */
  record Holdout(double fraction) implements SplitSpec {}

  /**
   * K-fold cross-validation, then a final model trained on all examples.
   *
   * @param folds number of folds, at least 2
   * @param shuffle shuffle with the job's seed before cutting; otherwise contiguous slices
   */
  record KFold(int folds, boolean shuffle) implements SplitSpec {}
}
