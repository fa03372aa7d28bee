package dev.trainerd.data.prep;

import java.util.Objects;

/**
 * How tabular features are preprocessed.
 *
 * @param standardizeNumeric replace each numeric value x by (x - mean) / std with the mean and
 *     sample standard deviation (n - 1 denominator, as pandas' {@code std()} in the book) of the
 *     column's non-missing fitted values; default true. Missing numbers become 0 either way.
 * @param missingIndicator one-hot encoding adds a {@code <column>_nan} feature per categorical
 *     column that is 1 for missing values (pandas {@code get_dummies(dummy_na=True)}); default true
 * @param fitScope which rows the statistics and category lists are fitted on; default
 *     {@link FitScope#TRAINING}
 */
public record PreprocessingOptions(
    boolean standardizeNumeric, boolean missingIndicator, FitScope fitScope) {

  /** Standardise, missing indicators, fit on the training rows. */
  public static final PreprocessingOptions DEFAULTS =
      new PreprocessingOptions(true, true, FitScope.TRAINING);

  /** The book's house-price pipeline: the defaults, fitted on training and test rows together. */
  public static final PreprocessingOptions BOOK_HOUSE_PRICES =
      new PreprocessingOptions(true, true, FitScope.TRAINING_AND_TEST);

  public PreprocessingOptions {
    Objects.requireNonNull(fitScope, "fitScope");
  }
}
