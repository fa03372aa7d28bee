package dev.trainerd.ml;

import java.util.Objects;

/**
 * A dense table of examples, ready to be copied once into the training backend.
 *
 * <p>Features are kept row-major in one flat array ({@code count * featureCount} values) because
 * that is the layout the backend's tensors take without a per-element copy loop. They are floats,
 * or for byte-valued images {@link Values.UnsignedBytes unsigned bytes} standing for their floats:
 * a quarter of the memory in the decoded-data cache, the upload's decode and the backend's feed,
 * with the same float values wherever they are read.
 *
 * @param count number of examples (rows)
 * @param featureCount features per example (columns after preprocessing)
 * @param values row-major feature values, {@code count * featureCount} long
 * @param labels what each example should predict
 */
public record Examples(int count, int featureCount, Values values, Labels labels) {

  public Examples {
    Objects.requireNonNull(values, "values");
    Objects.requireNonNull(labels, "labels");
    if (count < 0 || featureCount <= 0) {
      throw new IllegalArgumentException("count must be >= 0 and featureCount > 0");
    }
    if ((long) count * featureCount != values.length()) {
      throw new IllegalArgumentException(
          "features has " + values.length() + " values, expected " + count + " x " + featureCount);
    }
    if (labels.count() != count && !(labels instanceof Labels.None)) {
      throw new IllegalArgumentException(
          "labels has " + labels.count() + " entries, expected " + count);
    }
  }

  /** Examples with float features, row-major. */
  public Examples(int count, int featureCount, float[] features, Labels labels) {
    this(count, featureCount, new Values.Floats(Objects.requireNonNull(features, "features")), labels);
  }

  /**
   * Every feature value as a float, row-major: the stored array itself for float values (not to
   * be changed), a new one for compact values. Not for hot paths over large data sets: {@link
   * #copyRows} and {@link #values} read without materialising everything.
   */
  public float[] features() {
    return values.toFloats();
  }

  /** Feature row {@code i} as a copy; for tests and small outputs, never a hot path. */
  public float[] row(int i) {
    float[] out = new float[featureCount];
    copyRows(i, 1, out, 0);
    return out;
  }

  /** Copies the float values of {@code rows} rows from row {@code from} into {@code into} at {@code at}. */
  public void copyRows(int from, int rows, float[] into, int at) {
    values.copyTo(from * featureCount, rows * featureCount, into, at);
  }

  /** The same features with other labels. */
  public Examples withLabels(Labels other) {
    return new Examples(count, featureCount, values, other);
  }

  /** Bytes the feature values take in memory. */
  public long featureBytes() {
    return values.bytes();
  }

  /**
   * The examples at {@code indices}, in that order (repeats allowed): copies rows and labels,
   * keeping the values' storage.
   *
   * @throws IndexOutOfBoundsException when an index is outside {@code [0, count)}
   */
  public Examples subset(int[] indices) {
    for (int row : indices) {
      if (row < 0 || row >= count) {
        throw new IndexOutOfBoundsException("row " + row + " outside [0, " + count + ")");
      }
    }
    Values picked = values.rows(indices, featureCount);
    Labels pickedLabels;
    if (labels instanceof Labels.Regression r) {
      float[] v = new float[indices.length];
      for (int i = 0; i < indices.length; i++) {
        v[i] = r.values()[indices[i]];
      }
      pickedLabels = new Labels.Regression(v);
    } else if (labels instanceof Labels.Classes c) {
      int[] v = new int[indices.length];
      for (int i = 0; i < indices.length; i++) {
        v[i] = c.values()[indices[i]];
      }
      pickedLabels = new Labels.Classes(v, c.classCount());
    } else {
      pickedLabels = labels;
    }
    return new Examples(indices.length, featureCount, picked, pickedLabels);
  }

  /** How the feature values are stored. */
  public sealed interface Values {
    /** Number of values. */
    int length();

    /** Bytes they take in memory. */
    long bytes();

    /** Every value as a float (the array itself for {@link Floats}). */
    float[] toFloats();

    /** Copies {@code length} values from {@code from} as floats into {@code into} at {@code at}. */
    void copyTo(int from, int length, float[] into, int at);

    /** The rows at {@code indices} (each {@code rowLength} values long), in that order, stored alike. */
    Values rows(int[] indices, int rowLength);

    /**
     * Copies the rows at {@code indices} of the array {@code from} into the array {@code into}, in
     * that order, for either storage (System.arraycopy takes any primitive array).
     */
    private static <A> A gather(A from, A into, int[] indices, int rowLength) {
      for (int i = 0; i < indices.length; i++) {
        System.arraycopy(from, indices[i] * rowLength, into, i * rowLength, rowLength);
      }
      return into;
    }

    /** Float values. */
    record Floats(float[] values) implements Values {
      public Floats {
        Objects.requireNonNull(values, "values");
      }

      @Override
      public int length() {
        return values.length;
      }

      @Override
      public long bytes() {
        return 4L * values.length;
      }

      @Override
      public float[] toFloats() {
        return values;
      }

      @Override
      public void copyTo(int from, int length, float[] into, int at) {
        System.arraycopy(values, from, into, at, length);
      }

      @Override
      public Values rows(int[] indices, int rowLength) {
        return new Floats(gather(values, new float[indices.length * rowLength], indices, rowLength));
      }
    }

    /**
     * Unsigned bytes standing for the floats {@code (b & 0xff) / divisor} (pixels in [0, 1] with
     * divisor 255). Java and the backend's graph compute that same IEEE float division, so every
     * reader sees the same values, and they are the floats a per-pixel conversion stored before.
     */
    record UnsignedBytes(byte[] values, float divisor) implements Values {
      public UnsignedBytes {
        Objects.requireNonNull(values, "values");
        if (!(divisor > 0) || Float.isInfinite(divisor)) {
          throw new IllegalArgumentException("divisor must be positive and finite, was " + divisor);
        }
      }

      @Override
      public int length() {
        return values.length;
      }

      @Override
      public long bytes() {
        return values.length;
      }

      @Override
      public float[] toFloats() {
        float[] out = new float[values.length];
        copyTo(0, values.length, out, 0);
        return out;
      }

      @Override
      public void copyTo(int from, int length, float[] into, int at) {
        float d = divisor;
        for (int i = 0; i < length; i++) {
          into[at + i] = (values[from + i] & 0xff) / d;
        }
      }

      @Override
      public Values rows(int[] indices, int rowLength) {
        return new UnsignedBytes(gather(values, new byte[indices.length * rowLength], indices, rowLength), divisor);
      }
    }
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
