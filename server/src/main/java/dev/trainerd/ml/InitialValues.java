package dev.trainerd.ml;

import dev.trainerd.errors.TrainerdException;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Draws a parameter's first values from an {@link Initializer}, in Java and once per job. Doing it
 * here rather than with TensorFlow's initialiser ops sidesteps their bugs (the uniform
 * variance-scaling variants sample from {@code [0, limit)}) and makes the draws depend only on the
 * seed and the parameter's name.
 */
public final class InitialValues {

  private InitialValues() {}

  /**
   * Values for the parameter {@code name} of {@code shape} ({@code [inputs, outputs]} for weights,
   * {@code [outputs]} for biases).
   *
   * @throws TrainerdException.InvalidArgument when a mixed initialiser has no rule for the name or
   *     a loaded parameter is missing or has another shape
   */
  public static float[] draw(Initializer initializer, String name, long[] shape, long seed) {
    int size = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    boolean bias = name.endsWith("/bias");
    if (initializer instanceof Initializer.Mixed mixed) {
      Initializer chosen = mixed.select(name);
      if (chosen == null) {
        throw TrainerdException.InvalidArgument.of(
            "spec.initializer.mixed.rules", "no rule matches parameter " + name);
      }
      return drawDirect(chosen, name, shape, size, seed);
    }
    if (initializer instanceof Initializer.Load) {
      return drawDirect(initializer, name, shape, size, seed);
    }
    if (bias) {
      return new float[size];
    }
    return drawDirect(initializer, name, shape, size, seed);
  }

  private static float[] drawDirect(
      Initializer initializer, String name, long[] shape, int size, long seed) {
    SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + name.hashCode());
    float[] out = new float[size];
    if (initializer instanceof Initializer.Zero) {
      return out;
    }
    if (initializer instanceof Initializer.One) {
      Arrays.fill(out, 1f);
      return out;
    }
    if (initializer instanceof Initializer.Constant c) {
      Arrays.fill(out, (float) c.value());
      return out;
    }
    if (initializer instanceof Initializer.Normal n) {
      for (int i = 0; i < size; i++) {
        out[i] = (float) (random.nextGaussian() * n.sigma());
      }
      return out;
    }
    if (initializer instanceof Initializer.Uniform u) {
      fillUniform(out, u.scale(), random);
      return out;
    }
    if (initializer instanceof Initializer.Msra m) {
      return drawDirect(m.asXavier(), name, shape, size, seed);
    }
    if (initializer instanceof Initializer.Xavier x) {
      double fanIn = shape.length >= 2 ? shape[0] : shape[0];
      double fanOut = shape.length >= 2 ? shape[1] : shape[0];
      double factor =
          switch (x.factorType()) {
            case AVG -> (fanIn + fanOut) / 2;
            case IN -> fanIn;
            case OUT -> fanOut;
          };
      double scale = Math.sqrt(x.magnitude() / factor);
      if (x.distribution() == Initializer.Distribution.UNIFORM) {
        fillUniform(out, scale, random);
      } else {
        for (int i = 0; i < size; i++) {
          out[i] = (float) (random.nextGaussian() * scale);
        }
      }
      return out;
    }
    if (initializer instanceof Initializer.Orthogonal o) {
      int rows = (int) shape[0];
      int cols = shape.length >= 2 ? (int) (size / shape[0]) : 1;
      return orthogonal(rows, cols, o.scale(), random);
    }
    if (initializer instanceof Initializer.Load load) {
      Parameter p = load.find(name);
      if (p == null) {
        throw TrainerdException.InvalidArgument.of(
            "spec.initializer.load.model", "has no parameter named " + name);
      }
      if (!Arrays.equals(p.shape(), shape)) {
        throw TrainerdException.InvalidArgument.of(
            "spec.initializer.load.model",
            name + " has shape " + Arrays.toString(p.shape()) + ", the model needs "
                + Arrays.toString(shape));
      }
      return p.values().clone();
    }
    throw new IllegalArgumentException("initializer " + initializer.kind() + " cannot be drawn here");
  }

  private static void fillUniform(float[] out, double scale, SplittableRandom random) {
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) ((random.nextDouble() * 2 - 1) * scale);
    }
  }

  /**
   * A {@code rows x cols} matrix whose rows (when rows <= cols) or columns (otherwise) are
   * orthonormal, times {@code scale}: Gaussian draws orthonormalised by modified Gram-Schmidt
   * (equivalent in distribution to MXNet's SVD route).
   */
  private static float[] orthogonal(int rows, int cols, double scale, SplittableRandom random) {
    boolean byColumns = rows >= cols;
    int vectors = byColumns ? cols : rows;
    int length = byColumns ? rows : cols;
    double[][] v = new double[vectors][length];
    for (int i = 0; i < vectors; i++) {
      while (true) {
        for (int j = 0; j < length; j++) {
          v[i][j] = random.nextGaussian();
        }
        for (int p = 0; p < i; p++) {
          double dot = 0;
          for (int j = 0; j < length; j++) {
            dot += v[i][j] * v[p][j];
          }
          for (int j = 0; j < length; j++) {
            v[i][j] -= dot * v[p][j];
          }
        }
        double norm = 0;
        for (int j = 0; j < length; j++) {
          norm += v[i][j] * v[i][j];
        }
        norm = Math.sqrt(norm);
        if (norm > 1e-6) {
          for (int j = 0; j < length; j++) {
            v[i][j] /= norm;
          }
          break;
        }
      }
    }
    float[] out = new float[rows * cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        double value = byColumns ? v[c][r] : v[r][c];
        out[r * cols + c] = (float) (value * scale);
      }
    }
    return out;
  }
}
