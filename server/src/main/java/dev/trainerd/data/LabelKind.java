package dev.trainerd.data;

/** What the labels of a stored dataset turned out to be. */
public enum LabelKind {
  /** No label column: usable for prediction and for fitting preprocessing statistics. */
  NONE,
  /** Real-valued targets. */
  REGRESSION,
  /** Class indices with stored class names. */
  CLASSIFICATION
}
