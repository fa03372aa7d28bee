package dev.trainerd.data;

import dev.trainerd.errors.FieldViolation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One step of an image transform pipeline, applied to every image of an image data set in the
 * order given. A flat record (the kind plus the parameters the kinds use) rather than a sealed
 * family so that stored dataset records stay plain JSON; build values with the static factories,
 * which document each kind's parameters. Parameters a kind does not use are zero or empty.
 *
 * @param kind what the step does
 * @param mean NORMALIZE: per-channel means, one value or one per channel
 * @param std NORMALIZE: per-channel standard deviations, each &gt; 0, one value or one per channel
 * @param height RESIZE, CENTER_CROP, RANDOM_RESIZED_CROP: output height in pixels, 1 to 4096
 * @param width RESIZE, CENTER_CROP, RANDOM_RESIZED_CROP: output width in pixels, 1 to 4096
 * @param minScale RANDOM_RESIZED_CROP: smallest crop area as a fraction of the image, (0, 1]
 * @param maxScale RANDOM_RESIZED_CROP: largest crop area fraction, minScale to 1
 * @param minRatio RANDOM_RESIZED_CROP: smallest crop aspect ratio (width / height), &gt; 0
 * @param maxRatio RANDOM_RESIZED_CROP: largest crop aspect ratio, &gt;= minRatio
 * @param probability RANDOM_FLIP_LEFT_RIGHT: chance of flipping each image, 0 to 1
 */
public record ImageTransform(
    Kind kind,
    List<Double> mean,
    List<Double> std,
    int height,
    int width,
    double minScale,
    double maxScale,
    double minRatio,
    double maxRatio,
    double probability) {

  /** Largest height or width a resize or crop may produce. */
  public static final int MAX_SIDE = 4096;

  /** The kinds of step. */
  public enum Kind {
    /** HWC bytes to CHW floats in [0, 1] (divides by 255). Once, before NORMALIZE. */
    TO_TENSOR,
    /** (x - mean[c]) / std[c] per channel; after TO_TENSOR. */
    NORMALIZE,
    /** Bilinear resize to height x width (half-pixel centres, edges clamped). */
    RESIZE,
    /** The centred height x width window; the offsets round down. */
    CENTER_CROP,
    /**
     * Training: a random window of random area and aspect ratio, resized (bilinear) to height x
     * width, drawn afresh per example and epoch. Deterministic view (evaluation, validation,
     * test, prediction): the whole image resized to height x width.
     */
    RANDOM_RESIZED_CROP,
    /**
     * Training: mirrors the image left-right with a probability, drawn afresh per example and
     * epoch. Deterministic view: no flip.
     */
    RANDOM_FLIP_LEFT_RIGHT,
    /** Casts to float32, the only type examples have; accepted for pipelines that name it. */
    CAST_FLOAT32
  }

  public ImageTransform {
    mean = mean == null ? List.of() : List.copyOf(mean);
    std = std == null ? List.of() : List.copyOf(std);
  }

  public static ImageTransform toTensor() {
    return new ImageTransform(Kind.TO_TENSOR, null, null, 0, 0, 0, 0, 0, 0, 0);
  }

  public static ImageTransform normalize(List<Double> mean, List<Double> std) {
    return new ImageTransform(Kind.NORMALIZE, mean, std, 0, 0, 0, 0, 0, 0, 0);
  }

  public static ImageTransform resize(int height, int width) {
    return new ImageTransform(Kind.RESIZE, null, null, height, width, 0, 0, 0, 0, 0);
  }

  public static ImageTransform centerCrop(int height, int width) {
    return new ImageTransform(Kind.CENTER_CROP, null, null, height, width, 0, 0, 0, 0, 0);
  }

  /** The book's defaults are scale (0.08, 1) and ratio (3/4, 4/3). */
  public static ImageTransform randomResizedCrop(
      int height, int width, double minScale, double maxScale, double minRatio, double maxRatio) {
    return new ImageTransform(
        Kind.RANDOM_RESIZED_CROP, null, null, height, width, minScale, maxScale, minRatio, maxRatio, 0);
  }

  public static ImageTransform randomFlipLeftRight(double probability) {
    return new ImageTransform(Kind.RANDOM_FLIP_LEFT_RIGHT, null, null, 0, 0, 0, 0, 0, 0, probability);
  }

  public static ImageTransform castFloat32() {
    return new ImageTransform(Kind.CAST_FLOAT32, null, null, 0, 0, 0, 0, 0, 0, 0);
  }

  /** Whether the step draws random numbers. */
  public boolean isRandom() {
    return kind == Kind.RANDOM_RESIZED_CROP || kind == Kind.RANDOM_FLIP_LEFT_RIGHT;
  }

  /**
   * The problems with this step alone; field paths are relative to the step ({@code
   * resize.height}).
   */
  public List<FieldViolation> violations() {
    List<FieldViolation> out = new ArrayList<>();
    if (kind == null) {
      out.add(new FieldViolation("kind", "must be set"));
      return out;
    }
    String at = kind.name().toLowerCase(Locale.ROOT);
    switch (kind) {
      case NORMALIZE -> {
        if (mean.isEmpty() || mean.size() != std.size()) {
          out.add(new FieldViolation(at + ".mean", "needs as many values as std, at least one (one per channel, or one for all)"));
        }
        for (int i = 0; i < mean.size(); i++) {
          if (mean.get(i) == null || !Double.isFinite(mean.get(i))) {
            out.add(new FieldViolation(at + ".mean[" + i + "]", "must be finite"));
          }
        }
        for (int i = 0; i < std.size(); i++) {
          if (std.get(i) == null || !(std.get(i) > 0) || !Double.isFinite(std.get(i))) {
            out.add(new FieldViolation(at + ".std[" + i + "]", "must be finite and > 0"));
          }
        }
      }
      case RESIZE, CENTER_CROP, RANDOM_RESIZED_CROP -> {
        if (height < 1 || height > MAX_SIDE) {
          out.add(new FieldViolation(at + ".height", "must be 1 to " + MAX_SIDE));
        }
        if (width < 1 || width > MAX_SIDE) {
          out.add(new FieldViolation(at + ".width", "must be 1 to " + MAX_SIDE));
        }
        if (kind == Kind.RANDOM_RESIZED_CROP) {
          if (!(minScale > 0 && minScale <= 1)) {
            out.add(new FieldViolation(at + ".min_scale", "must be in (0, 1]"));
          }
          if (!(maxScale >= minScale && maxScale <= 1)) {
            out.add(new FieldViolation(at + ".max_scale", "must be in [min_scale, 1]"));
          }
          if (!(minRatio > 0 && Double.isFinite(minRatio))) {
            out.add(new FieldViolation(at + ".min_ratio", "must be finite and > 0"));
          }
          if (!(maxRatio >= minRatio && Double.isFinite(maxRatio))) {
            out.add(new FieldViolation(at + ".max_ratio", "must be finite and >= min_ratio"));
          }
        }
      }
      case RANDOM_FLIP_LEFT_RIGHT -> {
        if (!(probability >= 0 && probability <= 1)) {
          out.add(new FieldViolation(at + ".probability", "must be 0 to 1"));
        }
      }
      case TO_TENSOR, CAST_FLOAT32 -> {}
    }
    return out;
  }

  /** A deterministic text form for the dataset's identity. */
  String canonicalForm() {
    return kind + "(" + mean + ";" + std + ";" + height + "x" + width + ";" + minScale + "," + maxScale
        + ";" + minRatio + "," + maxRatio + ";" + probability + ")";
  }
}
