package dev.trainerd.models;

import java.util.Map;

/** One example to predict, either already numeric or as a raw tabular row. */
public sealed interface PredictionInput {
  /** Feature values after preprocessing. */
  record Features(float[] values) implements PredictionInput {}

  /** Raw column values by column name; the model's preprocessing is applied. */
  record Raw(Map<String, String> values) implements PredictionInput {
    public Raw {
      values = Map.copyOf(values);
    }
  }
}
