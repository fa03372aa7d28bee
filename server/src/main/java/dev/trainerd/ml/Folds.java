package dev.trainerd.ml;

import dev.trainerd.errors.FieldViolation;
import java.util.List;

/**
 * How to split a data set for K-fold cross-validation.
 *
 * @param k number of folds, >= 2
 * @param shuffle false: contiguous slices as the book's {@code get_k_fold_data} (fold i is rows
 *     {@code [i*n/k, (i+1)*n/k)} with {@code n/k} rounded down; the last {@code n mod k} rows are
 *     used in no fold at all, exactly as the book drops them); true: a seeded permutation first,
 *     then the same slicing of the permuted rows
 * @param seed the permutation's seed when shuffling
 */
public record Folds(int k, boolean shuffle, long seed) {
  /** The book's contiguous K folds. */
  public static Folds contiguous(int k) {
    return new Folds(k, false, 0);
  }

  /** Violations for a data set of {@code count} examples; paths under {@code folds}. */
  public List<FieldViolation> validate(int count) {
    if (k < 2) {
      return List.of(new FieldViolation("folds.k", "must be >= 2, was " + k));
    }
    if (k > count) {
      return List.of(new FieldViolation("folds.k", "must be <= the " + count + " examples, was " + k));
    }
    return List.of();
  }
}
