package dev.trainerd.ml;

/**
 * The number format of a job's training products. Parameters, optimiser state, losses and updates
 * are float32 either way; inference (predict, evaluate, export) is always float32.
 */
public enum Precision {
  /** Every product in float32: exact and reproducible. The default. */
  FLOAT32,
  /**
   * Matrix products with bfloat16 inputs (8 significant bits) and float32 master weights, on CPUs
   * whose backend supports it (the TensorFlow backend: oneDNN with AVX512-BF16 or AMX); other
   * CPUs train in float32 and GPU products are unaffected. Faster for classification with a
   * comparable accuracy; a regression's outputs lose precision. The training session's own
   * measurements (epoch and final metrics) use the same products.
   */
  MIXED_BFLOAT16
}
