package dev.trainerd.data.image;

import java.util.Arrays;

/**
 * The images of a data set after the deterministic steps that precede its first random one,
 * kept so that every epoch can draw its augmentation from them. Before {@code to_tensor} the
 * values are whole pixel values 0..255 and are kept as one byte each (a quarter of the floats'
 * memory); after it they are kept as floats. Images may differ in size here: the random steps
 * and those after them bring them to one shape.
 */
final class StagedImages {

  private int count;
  private int[] shapes = new int[48];
  private byte[][] pixels;
  private float[][] values;
  private long totalValues;
  private long heapBytes;

  /** Number of images. */
  int count() {
    return count;
  }

  /** Values over all images (pixels times channels). */
  long totalValues() {
    return totalValues;
  }

  /** Appends one image; all images must be on the same side of {@code to_tensor}. */
  void add(ImageTensor image) {
    if (count == 0) {
      if (image.isTensor()) {
        values = new float[16][];
      } else {
        pixels = new byte[16][];
      }
    } else if (image.isTensor() != (values != null)) {
      throw new IllegalArgumentException("every staged image must be on the same side of to_tensor");
    }
    if (3 * count + 3 > shapes.length) {
      shapes = Arrays.copyOf(shapes, shapes.length * 2);
    }
    shapes[3 * count] = image.channels();
    shapes[3 * count + 1] = image.height();
    shapes[3 * count + 2] = image.width();
    float[] v = image.values();
    if (values != null) {
      if (count == values.length) {
        values = Arrays.copyOf(values, count * 2);
      }
      values[count] = v.clone();
      heapBytes += 16 + 4L * v.length;
    } else {
      if (count == pixels.length) {
        pixels = Arrays.copyOf(pixels, count * 2);
      }
      byte[] b = new byte[v.length];
      for (int i = 0; i < v.length; i++) {
        b[i] = (byte) Math.round(v[i]);
      }
      pixels[count] = b;
      heapBytes += 16 + v.length;
    }
    totalValues += v.length;
    count++;
  }

  /** Image {@code i} as a fresh tensor (the transforms may not write into what is kept). */
  ImageTensor get(int i) {
    if (i < 0 || i >= count) {
      throw new IndexOutOfBoundsException("image " + i + " outside [0, " + count + ")");
    }
    int c = shapes[3 * i];
    int h = shapes[3 * i + 1];
    int w = shapes[3 * i + 2];
    if (values != null) {
      return new ImageTensor(c, h, w, values[i].clone(), true);
    }
    byte[] b = pixels[i];
    float[] v = new float[b.length];
    for (int k = 0; k < b.length; k++) {
      v[k] = b[k] & 0xff;
    }
    return new ImageTensor(c, h, w, v, false);
  }

  /** A close estimate of the heap held. */
  long heapBytes() {
    return heapBytes + 4L * shapes.length + 8L * count;
  }
}
