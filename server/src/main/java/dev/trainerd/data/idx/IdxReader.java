package dev.trainerd.data.idx;

import dev.trainerd.errors.TrainerdException;
import dev.trainerd.ml.Examples;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.function.LongPredicate;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX images/labels pairs (the MNIST format): big-endian header, unsigned bytes. Each
 * stream may be gzip-compressed (detected by its {@code 1f 8b} magic) or raw. Pixels stay bytes
 * standing for floats in [0, 1] ({@code byte / 255f}, {@link Examples.Values.UnsignedBytes}): a
 * quarter of the memory of floats, and no conversion while the file is read; labels become classes
 * with {@code classCount = max label + 1} (at least 2).
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

  /** Most examples accepted, bounding memory (a byte per pixel). */
  public static final int MAX_IMAGES = 10_000_000;

  /** What a pixel byte is divided by to give its float in [0, 1]. */
  public static final float PIXEL_DIVISOR = 255f;

  /** Bytes read per call while the pixels arrive. */
  private static final int READ_BYTES = 1 << 16;

  /**
   * Pixel bytes allocated before any have arrived (64 MiB: Fashion-MNIST's training set fits);
   * larger files grow the array as their bytes arrive, so a crafted header cannot make a small
   * file allocate the gigabytes it declares.
   */
  static final int FIRST_ALLOCATION = 1 << 26;

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
    Images imageData = (Images) readExpecting(images, imagesField, IMAGES_MAGIC, "images");
    Labels labelValues = (Labels) readExpecting(labels, labelsField, LABELS_MAGIC, "labels");
    return combine(imageData, labelValues, labelsField);
  }

  /** One decoded IDX file. */
  public sealed interface Part permits Images, Labels {}

  /**
   * A decoded images file.
   *
   * @param pixels {@code count x rows x cols} unsigned pixel bytes, row-major per image
   */
  public record Images(int count, int rows, int cols, byte[] pixels) implements Part {}

  /** A decoded labels file: the label of each example. */
  public record Labels(int[] values) implements Part {}

  /**
   * Reads one IDX file, images or labels as its magic says, raw or gzipped. Before allocating the decoded arrays it asks {@code reserveBytes} for their size and
   * gives up when refused.
   *
   * @param field field path used in violations about the file
   * @throws TrainerdException.InvalidArgument when the file is not a valid IDX images or labels file
   * @throws TrainerdException.ResourceExhausted when {@code reserveBytes} refuses the memory
   */
  public static Part readPart(InputStream raw, String field, LongPredicate reserveBytes) {
    return decoding(raw, field, in -> {
      int magic = header(in, field, "magic number");
      if (magic != IMAGES_MAGIC && magic != LABELS_MAGIC) {
        throw invalid(field, String.format(
            "is neither an IDX images file (magic 0x%08x) nor a labels file (0x%08x): magic 0x%08x",
            IMAGES_MAGIC, LABELS_MAGIC, magic));
      }
      return afterMagic(in, field, magic, reserveBytes);
    });
  }

  /**
   * Examples from an images file and a labels file read separately.
   *
   * @param labelsField field path used when the counts differ
   */
  public static Examples combine(Images images, Labels labels, String labelsField) {
    int[] labelValues = labels.values();
    if (labelValues.length != images.count()) {
      throw TrainerdException.InvalidArgument.of(
          labelsField,
          "has " + labelValues.length + " labels but the images file has " + images.count() + " images");
    }
    int max = 0;
    for (int v : labelValues) {
      max = Math.max(max, v);
    }
    return new Examples(
        images.count(),
        images.rows() * images.cols(),
        new Examples.Values.UnsignedBytes(images.pixels(), PIXEL_DIVISOR),
        new Examples.Labels.Classes(labelValues, Math.max(2, max + 1)));
  }

  /**
   * What a read without a budget may allocate: at most half of the heap that is free now. The
   * header declares the sizes, so a tiny crafted file could otherwise ask for gigabytes before
   * its truncation shows, and an OutOfMemoryError ends the server where it runs with {@code
   * -XX:+ExitOnOutOfMemoryError} (as the images do).
   */
  private static final LongPredicate HEAP_HEADROOM =
      bytes -> {
        Runtime runtime = Runtime.getRuntime();
        long free = runtime.maxMemory() - (runtime.totalMemory() - runtime.freeMemory());
        return bytes <= free / 2;
      };

  /** Reads a decompressed IDX stream. */
  @FunctionalInterface
  private interface Decoding<T> {
    T read(DataInputStream in) throws IOException;
  }

  /** Runs {@code decoding} on the (gunzipped) stream, turning read problems into violations. */
  private static <T> T decoding(InputStream raw, String field, Decoding<T> decoding) {
    try (DataInputStream in = new DataInputStream(decompressed(raw, field))) {
      return decoding.read(in);
    } catch (ZipException e) {
      throw invalid(field, "is not valid gzip data: " + e.getMessage());
    } catch (EOFException e) {
      throw invalid(field, "is truncated (the compressed data ends early)");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + field, e);
    }
  }

  /**
   * Reads a file that must be of one kind ({@code expectedMagic}, called {@code kind} in the
   * violation), allocating at most {@link #HEAP_HEADROOM}.
   */
  private static Part readExpecting(InputStream raw, String field, int expectedMagic, String kind) {
    return decoding(raw, field, in -> {
      int magic = header(in, field, "magic number");
      if (magic != expectedMagic) {
        throw invalid(field, String.format(
            "is not an IDX %s file: magic 0x%08x, expected 0x%08x", kind, magic, expectedMagic));
      }
      return afterMagic(in, field, magic, HEAP_HEADROOM);
    });
  }

  /** The rest of an images or labels file, after its magic number. */
  private static Part afterMagic(DataInputStream in, String field, int magic, LongPredicate reserveBytes)
      throws IOException {
    return magic == IMAGES_MAGIC ? imagesAfterMagic(in, field, reserveBytes) : labelsAfterMagic(in, field, reserveBytes);
  }

  private static Images imagesAfterMagic(DataInputStream in, String field, LongPredicate reserveBytes)
      throws IOException {
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
    reserve(reserveBytes, total, field);
    byte[] pixels = new byte[(int) Math.min(total, FIRST_ALLOCATION)];
    int at = 0;
    while (at < total) {
      if (at == pixels.length) {
        pixels = Arrays.copyOf(pixels, (int) Math.min(total, 2L * pixels.length));
      }
      int read = in.read(pixels, at, Math.min(READ_BYTES, pixels.length - at));
      if (read < 0) {
        throw invalid(field, "is truncated: image " + at / pixelsPerImage + " of " + count + " is incomplete");
      }
      at += read;
    }
    return new Images(count, rows, cols, pixels);
  }

  private static Labels labelsAfterMagic(DataInputStream in, String field, LongPredicate reserveBytes)
      throws IOException {
    int count = header(in, field, "label count");
    if (count < 0 || count > MAX_IMAGES) {
      throw invalid(field, "declares " + Integer.toUnsignedString(count) + " labels; at most " + MAX_IMAGES + " are accepted");
    }
    reserve(reserveBytes, (long) count * (1 + Integer.BYTES), field);
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
    return new Labels(labels);
  }

  private static void reserve(LongPredicate reserveBytes, long bytes, String field) {
    if (!reserveBytes.test(bytes)) {
      throw new TrainerdException.ResourceExhausted(
          "DECODE_MEMORY", field + " needs " + bytes + " bytes decoded, more than the memory allowed for it now");
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
