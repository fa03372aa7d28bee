package dev.trainerd.ml;

import java.util.Objects;

/**
 * A dense table of examples, ready to be copied once into the training backend.
 *
 * <p>Features are kept row-major in one flat array ({@code count * featureCount} floats) because
 * that is the layout the backend's tensors take without a per-element copy loop.
 *
 * @param count number of examples (rows)
 * @param featureCount features per example (columns after preprocessing)
 * @param features row-major feature values, {@code count * featureCount} long
 * @param labels what each example should predict
 */
public record Examples(int count, int featureCount, float[] features, Labels labels) {

  public Examples {
    Objects.requireNonNull(features, "features");
    Objects.requireNonNull(labels, "labels");
    if (count < 0 || featureCount <= 0) {
      throw new IllegalArgumentException("count must be >= 0 and featureCount > 0");
    }
    if ((long) count * featureCount != features.length) {
      throw new IllegalArgumentException(
          "features has " + features.length + " values, expected " + count + " x " + featureCount);
    }
    if (labels.count() != count && !(labels instanceof Labels.None)) {
      throw new IllegalArgumentException(
          "labels has " + labels.count() + " entries, expected " + count);
    }
  }

  /** Feature row {@code i} as a copy; for tests and small outputs, never a hot path. */
  public float[] row(int i) {
    float[] out = new float[featureCount];
    System.arraycopy(features, i * featureCount, out, 0, featureCount);
    return out;
  }

  /**
   * The examples at {@code indices}, in that order (repeats allowed): copies rows and labels.
   *
   * @throws IndexOutOfBoundsException when an index is outside {@code [0, count)}
   */
  public Examples subset(int[] indices) {
    float[] out = new float[indices.length * featureCount];
    for (int i = 0; i < indices.length; i++) {
      int row = indices[i];
      if (row < 0 || row >= count) {
        throw new IndexOutOfBoundsException("row " + row + " outside [0, " + count + ")");
      }
      System.arraycopy(features, row * featureCount, out, i * featureCount, featureCount);
    }
    Labels picked;
    if (labels instanceof Labels.Regression r) {
      float[] v = new float[indices.length];
      for (int i = 0; i < indices.length; i++) {
        v[i] = r.values()[indices[i]];
      }
      picked = new Labels.Regression(v);
    } else if (labels instanceof Labels.Classes c) {
      int[] v = new int[indices.length];
      for (int i = 0; i < indices.length; i++) {
        v[i] = c.values()[indices[i]];
      }
      picked = new Labels.Classes(v, c.classCount());
    } else {
      picked = labels;
    }
    return new Examples(indices.length, featureCount, out, picked);
  }

  /** What the examples are labelled with. */
  public sealed interface Labels {
    /** Number of labelled examples. */
    int count();

    /** Real-valued regression targets, one per example. */
    record Regression(float[] values) implements Labels {
      public Regression {
        Objects.requireNonNull(values, "values");
      }

      @Override
      public int count() {
        return values.length;
      }
    }

    /** Class indices in {@code [0, classCount)}, one per example. */
    record Classes(int[] values, int classCount) implements Labels {
      public Classes {
        Objects.requireNonNull(values, "values");
        if (classCount < 2) {
          throw new IllegalArgumentException("classCount must be >= 2, was " + classCount);
        }
      }

      @Override
      public int count() {
        return values.length;
      }
    }

    /** Unlabelled examples (a Kaggle test set): usable for prediction and preprocessing fits. */
    record None() implements Labels {
      @Override
      public int count() {
        return 0;
      }
    }
  }
}
