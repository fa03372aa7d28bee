package dev.trainerd.data.image;

import java.util.Objects;

/**
 * One image as the transforms see it: channels x height x width floats in CHW order. Before
 * {@code to_tensor} the values are pixel values 0..255 (the "HWC bytes" of the pipeline, kept
 * planar so every step has one layout); after it they are scaled to [0, 1] and {@code isTensor}
 * is true.
 *
 * @param channels 1 (grey) or 3 (RGB)
 * @param height rows
 * @param width columns
 * @param values {@code channels * height * width} values, index {@code (c * height + y) * width + x}
 * @param isTensor whether {@code to_tensor} has been applied
 */
public record ImageTensor(int channels, int height, int width, float[] values, boolean isTensor) {

  public ImageTensor {
    Objects.requireNonNull(values, "values");
    if (channels < 1 || height < 1 || width < 1 || values.length != channels * height * width) {
      throw new IllegalArgumentException(
          "values must hold " + channels + "x" + height + "x" + width + " floats, not " + values.length);
    }
  }

  /** The value at channel {@code c}, row {@code y}, column {@code x}. */
  public float at(int c, int y, int x) {
    return values[(c * height + y) * width + x];
  }

  /** The shape as text, {@code CxHxW}. */
  public String shape() {
    return channels + "x" + height + "x" + width;
  }
}
