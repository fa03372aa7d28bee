package dev.trainerd.ml;

/**
 * Forward-only inference with a trained model's parameters. Holds native resources: close it.
 * Not thread-safe; use one per thread or synchronise.
 */
public interface Predictor extends AutoCloseable {

  /**
   * Outputs for {@code count} rows of {@code featureCount} features (row-major): class
   * probabilities (softmax over the outputs) for multi-class models, the sigmoid probability of
   * class 1 for binary-loss models trained on class labels, else the raw output values.
   *
   * @return row-major {@code count x outputCount} values
   */
  float[] predict(float[] features, int count);

  /** {@link #predict(float[], int)} on the features of {@code examples}. */
  default float[] predict(Examples examples) {
    return predict(examples.features(), examples.count());
  }

  /** Metrics of the model on labelled {@code examples}. */
  EvaluationMetrics evaluate(Examples examples);

  /** Outputs per example. */
  int outputCount();

  @Override
  void close();
}
