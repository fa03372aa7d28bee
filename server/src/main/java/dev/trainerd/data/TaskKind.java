package dev.trainerd.data;

/** What a labelled tabular dataset is for; decides how the label column is read. */
public enum TaskKind {
  /** Numeric label column means regression, anything else classification. The default. */
  AUTO,
  /** Label values are class names (numbers allowed), mapped to indices in sorted order. */
  CLASSIFICATION,
  /** Label values must all be numbers; they are kept raw (no standardisation). */
  REGRESSION
}
