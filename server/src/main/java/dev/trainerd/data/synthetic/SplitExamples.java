package dev.trainerd.data.synthetic;

import dev.trainerd.ml.Examples;
import java.util.Objects;

/**
 * A generated training set and test set.
 *
 * @param train examples to train on
 * @param test held-out examples from the same distribution
 */
public record SplitExamples(Examples train, Examples test) {
  public SplitExamples {
    Objects.requireNonNull(train, "train");
    Objects.requireNonNull(test, "test");
  }
}
