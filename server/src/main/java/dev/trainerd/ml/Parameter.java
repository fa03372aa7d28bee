package dev.trainerd.ml;

import java.util.Arrays;
import java.util.Objects;

/**
 * A learned tensor, by name: {@code dense0/weight} has shape {@code [inputs, outputs]} and row-major
 * values; {@code dense0/bias} has shape {@code [outputs]}.
 *
 * @param name parameter name, {@code dense<i>/weight} or {@code dense<i>/bias}
 * @param shape dimensions
 * @param values row-major values, as many as the shape's product
 */
public record Parameter(String name, long[] shape, float[] values) {
  public Parameter {
    Objects.requireNonNull(name, "name");
    shape = shape.clone();
    Objects.requireNonNull(values, "values");
    long size = 1;
    for (long d : shape) {
      size *= d;
    }
    if (size != values.length) {
      throw new IllegalArgumentException(
          name + " has " + values.length + " values for shape " + Arrays.toString(shape));
    }
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** Whether this is a bias vector (named {@code .../bias}). */
  public boolean isBias() {
    return name.endsWith("/bias");
  }

  /** The value at {@code (row, column)} of a 2-D parameter. */
  public float at(int row, int column) {
    return values[(int) (row * shape[1] + column)];
  }
}
