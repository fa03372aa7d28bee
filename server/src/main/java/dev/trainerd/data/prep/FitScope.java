package dev.trainerd.data.prep;

/** Which rows the preprocessing statistics are fitted on. */
public enum FitScope {
  /** The training rows only. The default. */
  TRAINING,
  /**
   * The training rows and the test dataset's rows (labelled or not), as the book does for the
   * Kaggle house prices: it uses the test features' distribution but never their labels.
   */
  TRAINING_AND_TEST
}
