package dev.trainerd.data.idx;

import dev.trainerd.errors.TrainerdException;
import dev.trainerd.ml.Examples;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX images/labels pairs (the MNIST format): big-endian header, unsigned bytes. Each
 * stream may be gzip-compressed (detected by its {@code 1f 8b} magic) or raw. Pixels become floats
 * in [0, 1] ({@code byte / 255}); labels become classes with {@code classCount = max label + 1}
 * (at least 2).
 *
 * <p>Bad input raises {@link TrainerdException.InvalidArgument} with a violation on the file's
 * field ({@code files[0]} for images, {@code files[1]} for labels by default) saying what is wrong
 * and where.
 */
public final class IdxReader {

  /** Magic of an unsigned-byte, 3-dimensional IDX file (images). */
  public static final int IMAGES_MAGIC = 0x00000803;

  /** Magic of an unsigned-byte, 1-dimensional IDX file (labels). */
  public static final int LABELS_MAGIC = 0x00000801;

  /** Most examples accepted, bounding memory (a float per pixel). */
  public static final int MAX_IMAGES = 10_000_000;

  /** {@code b / 255f} for every byte value: a lookup instead of a division per pixel. */
  private static final float[] UNIT_INTERVAL = new float[256];

  static {
    for (int b = 0; b < 256; b++) {
      UNIT_INTERVAL[b] = b / 255f;
    }
  }

  /** Most pixels per image accepted. */
  public static final int MAX_PIXELS = 1 << 20;

  private IdxReader() {}

  /** Reads images and labels with violations reported on {@code files[0]} and {@code files[1]}. */
  public static Examples read(InputStream images, InputStream labels) {
    return read(images, "files[0]", labels, "files[1]");
  }

  /**
   * Reads an images stream and a labels stream into examples; the streams are not closed.
   *
   * @param imagesField field path used in violations about the images stream
   * @param labelsField field path used in violations about the labels stream
   */
  public static Examples read(InputStream images, String imagesField, InputStream labels, String labelsField) {
    ImageData imageData = readImages(images, imagesField);
    int[] labelValues = readLabels(labels, labelsField);
    if (labelValues.length != imageData.count) {
      throw TrainerdException.InvalidArgument.of(
          labelsField,
          "has " + labelValues.length + " labels but the images file has " + imageData.count + " images");
    }
    int max = 0;
    for (int v : labelValues) {
      max = Math.max(max, v);
    }
    return new Examples(
        imageData.count,
        imageData.rows * imageData.cols,
        imageData.pixels,
        new Examples.Labels.Classes(labelValues, Math.max(2, max + 1)));
  }

  private record ImageData(int count, int rows, int cols, float[] pixels) {}

  private static ImageData readImages(InputStream raw, String field) {
    try (DataInputStream in = new DataInputStream(decompressed(raw, field))) {
      int magic = header(in, field, "magic number");
      if (magic != IMAGES_MAGIC) {
        throw invalid(field, String.format(
            "is not an IDX images file: magic 0x%08x, expected 0x%08x", magic, IMAGES_MAGIC));
      }
      int count = header(in, field, "image count");
      int rows = header(in, field, "row count");
      int cols = header(in, field, "column count");
      if (count < 0 || count > MAX_IMAGES) {
        throw invalid(field, "declares " + Integer.toUnsignedString(count) + " images; at most " + MAX_IMAGES + " are accepted");
      }
      if (rows <= 0 || cols <= 0 || (long) rows * cols > MAX_PIXELS) {
        throw invalid(field, "declares images of " + Integer.toUnsignedString(rows) + " x "
            + Integer.toUnsignedString(cols) + " pixels; each side must be >= 1 and at most " + MAX_PIXELS + " pixels in all");
      }
      int pixelsPerImage = rows * cols;
      long total = (long) count * pixelsPerImage;
      if (total > Integer.MAX_VALUE - 8) {
        throw invalid(field, "declares " + total + " pixels, more than one data set may hold");
      }
      float[] pixels = new float[(int) total];
      byte[] buffer = new byte[pixelsPerImage];
      for (int i = 0; i < count; i++) {
        try {
          in.readFully(buffer);
        } catch (EOFException e) {
          throw invalid(field, "is truncated: image " + i + " of " + count + " is incomplete");
        }
        int base = i * pixelsPerImage;
        for (int p = 0; p < pixelsPerImage; p++) {
          pixels[base + p] = UNIT_INTERVAL[buffer[p] & 0xff];
        }
      }
      return new ImageData(count, rows, cols, pixels);
    } catch (ZipException e) {
      throw invalid(field, "is not valid gzip data: " + e.getMessage());
    } catch (EOFException e) {
      throw invalid(field, "is truncated (the compressed data ends early)");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + field, e);
    }
  }

  private static int[] readLabels(InputStream raw, String field) {
    try (DataInputStream in = new DataInputStream(decompressed(raw, field))) {
      int magic = header(in, field, "magic number");
      if (magic != LABELS_MAGIC) {
        throw invalid(field, String.format(
            "is not an IDX labels file: magic 0x%08x, expected 0x%08x", magic, LABELS_MAGIC));
      }
      int count = header(in, field, "label count");
      if (count < 0 || count > MAX_IMAGES) {
        throw invalid(field, "declares " + Integer.toUnsignedString(count) + " labels; at most " + MAX_IMAGES + " are accepted");
      }
      byte[] bytes = new byte[count];
      try {
        in.readFully(bytes);
      } catch (EOFException e) {
        throw invalid(field, "is truncated: fewer than the " + count + " labels it declares");
      }
      int[] labels = new int[count];
      for (int i = 0; i < count; i++) {
        labels[i] = bytes[i] & 0xff;
      }
      return labels;
    } catch (ZipException e) {
      throw invalid(field, "is not valid gzip data: " + e.getMessage());
    } catch (EOFException e) {
      throw invalid(field, "is truncated (the compressed data ends early)");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + field, e);
    }
  }

  private static InputStream decompressed(InputStream raw, String field) throws IOException {
    BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
    in.mark(2);
    int b0 = in.read();
    int b1 = in.read();
    in.reset();
    if (b0 == 0x1f && b1 == 0x8b) {
      return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
    }
    return in;
  }

  private static int header(DataInputStream in, String field, String what) throws IOException {
    try {
      return in.readInt();
    } catch (EOFException e) {
      throw invalid(field, "is truncated: the header ends before the " + what);
    }
  }

  private static TrainerdException.InvalidArgument invalid(String field, String description) {
    return TrainerdException.InvalidArgument.of(field, description);
  }
}
