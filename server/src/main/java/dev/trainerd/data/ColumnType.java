package dev.trainerd.data;

/** How a feature column of a table is read and encoded. */
public enum ColumnType {
  /** Every non-missing value is a number; standardised by preprocessing. */
  NUMERIC,
  /** Values are category names; one-hot encoded by preprocessing. */
  CATEGORICAL
}
