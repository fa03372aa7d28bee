package dev.trainerd.data.image;

import dev.trainerd.data.ImageOptions;
import dev.trainerd.data.ImageTransform;
import dev.trainerd.errors.TrainerdException;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

/**
 * Applies the transforms of {@link ImageOptions} to images, in order, in two views:
 *
 * <ul>
 *   <li>the <b>deterministic view</b> ({@link #evaluation}), which every data set's examples hold
 *       and which evaluation, validation, test and prediction use: RANDOM_FLIP_LEFT_RIGHT is
 *       skipped and RANDOM_RESIZED_CROP resizes the whole image to its output size;
 *   <li>the <b>training view</b> ({@link #training}), drawn afresh for every example and epoch:
 *       random steps draw from a generator seeded by (transform seed, job seed, epoch, example
 *       index, step position), so a draw depends on nothing else (not on other examples, threads,
 *       folds or the archive's other content).
 * </ul>
 *
 * <p>Both views start from the {@linkplain #prefix prefix}: the deterministic steps before the
 * first random one, applied once when the data set is read and kept so that each epoch only
 * redoes the steps from the first random one on. Both views give every image the same shape, so
 * a pipeline that fits every image at read time fits every training draw too.
 *
 * <p>Geometry: bilinear resizing uses half-pixel centres ({@code src = (dst + 0.5) * in / out -
 * 0.5}, clamped to the edge), as PIL and OpenCV do; before {@code to_tensor} resized values are
 * rounded to whole pixel values, after it they are kept as computed.
 */
public final class ImagePipeline {

  private final List<ImageTransform> steps;
  private final long seed;
  private final int firstRandom;

  public ImagePipeline(ImageOptions options) {
    this.steps = options.transforms();
    this.seed = options.seed();
    int first = 0;
    while (first < steps.size() && !steps.get(first).isRandom()) {
      first++;
    }
    this.firstRandom = first;
  }

  /** Whether any step is random, so that training draws a fresh view each epoch. */
  public boolean isRandom() {
    return firstRandom < steps.size();
  }

  /**
   * The deterministic view of a decoded image: every step, random ones made deterministic.
   *
   * @param field the violation field naming the image, for steps that do not fit it
   */
  public ImageTensor apply(ImageTensor image, String field) {
    return evaluation(prefix(image, field), field);
  }

  /** The steps before the first random one (all steps when none is random). */
  public ImageTensor prefix(ImageTensor image, String field) {
    return run(image, 0, firstRandom, null, field);
  }

  /** The deterministic view of a {@linkplain #prefix prefixed} image: the remaining steps. */
  public ImageTensor evaluation(ImageTensor prefixed, String field) {
    return run(prefixed, firstRandom, steps.size(), null, field);
  }

  /**
   * The training view of a {@linkplain #prefix prefixed} image for one epoch: the remaining
   * steps with fresh draws.
   *
   * @param jobSeed the training job's seed
   * @param epoch the epoch, from 1
   * @param index the example's index in the data set
   */
  public ImageTensor training(ImageTensor prefixed, long jobSeed, int epoch, int index, String field) {
    return run(prefixed, firstRandom, steps.size(), step -> random(jobSeed, epoch, index, step), field);
  }

  /** Steps {@code [from, to)}; {@code draws} gives step i's generator, or is null for the deterministic view. */
  private ImageTensor run(ImageTensor image, int from, int to, IntFunction<SplittableRandom> draws, String field) {
    ImageTensor out = image;
    for (int i = from; i < to; i++) {
      ImageTransform t = steps.get(i);
      out = switch (t.kind()) {
        case TO_TENSOR -> toTensor(out);
        case NORMALIZE -> normalize(out, t.mean(), t.std(), field);
        case RESIZE -> resize(out, t.height(), t.width());
        case CENTER_CROP -> centerCrop(out, t.height(), t.width(), field);
        case RANDOM_RESIZED_CROP ->
            draws == null ? resize(out, t.height(), t.width()) : randomResizedCrop(out, t, draws.apply(i));
        case RANDOM_FLIP_LEFT_RIGHT ->
            draws != null && draws.apply(i).nextDouble() < t.probability() ? flipLeftRight(out) : out;
        case CAST_FLOAT32 -> out;
      };
    }
    return out;
  }

  private SplittableRandom random(long jobSeed, int epoch, int index, int step) {
    long h = mix(0, seed);
    h = mix(h, jobSeed);
    h = mix(h, epoch);
    h = mix(h, index);
    return new SplittableRandom(mix(h, step));
  }

  /** Folds {@code value} into {@code state} with SplitMix64's step: neighbouring inputs give unrelated outputs. */
  private static long mix(long state, long value) {
    long z = state + 0x9E3779B97F4A7C15L + value;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Pixel values 0..255 to [0, 1]. */
  static ImageTensor toTensor(ImageTensor in) {
    float[] v = new float[in.values().length];
    for (int i = 0; i < v.length; i++) {
      v[i] = in.values()[i] / 255f;
    }
    return new ImageTensor(in.channels(), in.height(), in.width(), v, true);
  }

  /** {@code (x - mean[c]) / std[c]}; a single mean or std serves every channel. */
  static ImageTensor normalize(ImageTensor in, List<Double> mean, List<Double> std, String field) {
    int c = in.channels();
    if ((mean.size() != 1 && mean.size() != c) || (std.size() != 1 && std.size() != c)) {
      throw TrainerdException.InvalidArgument.of(
          field, "has " + c + " channel(s) but normalize gives " + mean.size() + " mean(s) and " + std.size() + " std(s)");
    }
    int plane = in.height() * in.width();
    float[] v = new float[in.values().length];
    for (int ch = 0; ch < c; ch++) {
      double m = mean.get(mean.size() == 1 ? 0 : ch);
      double s = std.get(std.size() == 1 ? 0 : ch);
      for (int i = ch * plane; i < (ch + 1) * plane; i++) {
        v[i] = (float) ((in.values()[i] - m) / s);
      }
    }
    return new ImageTensor(c, in.height(), in.width(), v, in.isTensor());
  }

  /** Bilinear resize to {@code height x width}. */
  static ImageTensor resize(ImageTensor in, int height, int width) {
    return resizeWindow(in, 0, 0, in.height(), in.width(), height, width);
  }

  /**
   * Bilinear resize of the window of {@code windowHeight x windowWidth} pixels at ({@code top},
   * {@code left}) to {@code height x width}: the same as cropping the window and resizing it
   * (samples are clamped to the window's edge), without copying the window first.
   */
  static ImageTensor resizeWindow(
      ImageTensor in, int top, int left, int windowHeight, int windowWidth, int height, int width) {
    int inW = in.width();
    int plane = in.height() * inW;
    int[] x0 = new int[width];
    int[] x1 = new int[width];
    double[] fx = new double[width];
    for (int x = 0; x < width; x++) {
      double sx = clamp((x + 0.5) * windowWidth / width - 0.5, windowWidth - 1);
      int lo = (int) Math.floor(sx);
      x0[x] = left + lo;
      x1[x] = left + Math.min(lo + 1, windowWidth - 1);
      fx[x] = sx - lo;
    }
    float[] src = in.values();
    float[] v = new float[in.channels() * height * width];
    boolean wholePixels = !in.isTensor();
    for (int y = 0; y < height; y++) {
      double sy = clamp((y + 0.5) * windowHeight / height - 0.5, windowHeight - 1);
      int y0 = (int) Math.floor(sy);
      int y1 = Math.min(y0 + 1, windowHeight - 1);
      double fy = sy - y0;
      for (int c = 0; c < in.channels(); c++) {
        int row0 = c * plane + (top + y0) * inW;
        int row1 = c * plane + (top + y1) * inW;
        int out = (c * height + y) * width;
        for (int x = 0; x < width; x++) {
          double f = fx[x];
          double upper = src[row0 + x0[x]] * (1 - f) + src[row0 + x1[x]] * f;
          double lower = src[row1 + x0[x]] * (1 - f) + src[row1 + x1[x]] * f;
          double value = upper * (1 - fy) + lower * fy;
          v[out + x] = (float) (wholePixels ? Math.round(value) : value);
        }
      }
    }
    return new ImageTensor(in.channels(), height, width, v, in.isTensor());
  }

  private static double clamp(double value, int max) {
    return Math.max(0, Math.min(max, value));
  }

  /** The centred {@code height x width} window; offsets {@code (H - h) / 2} and {@code (W - w) / 2} round down. */
  static ImageTensor centerCrop(ImageTensor in, int height, int width, String field) {
    if (height > in.height() || width > in.width()) {
      throw TrainerdException.InvalidArgument.of(
          field, "is " + in.height() + "x" + in.width() + " at center_crop, smaller than the " + height + "x" + width + " crop");
    }
    return crop(in, (in.height() - height) / 2, (in.width() - width) / 2, height, width);
  }

  static ImageTensor crop(ImageTensor in, int top, int left, int height, int width) {
    float[] v = new float[in.channels() * height * width];
    for (int c = 0; c < in.channels(); c++) {
      for (int y = 0; y < height; y++) {
        System.arraycopy(
            in.values(), (c * in.height() + top + y) * in.width() + left, v, (c * height + y) * width, width);
      }
    }
    return new ImageTensor(in.channels(), height, width, v, in.isTensor());
  }

  /** Mirrors every row. */
  static ImageTensor flipLeftRight(ImageTensor in) {
    float[] v = new float[in.values().length];
    int w = in.width();
    for (int row = 0; row < in.channels() * in.height(); row++) {
      for (int x = 0; x < w; x++) {
        v[row * w + x] = in.values()[row * w + (w - 1 - x)];
      }
    }
    return new ImageTensor(in.channels(), in.height(), w, v, in.isTensor());
  }

  /**
   * torchvision's RandomResizedCrop: up to ten draws of an area fraction in [min_scale,
   * max_scale] and a log-uniform aspect ratio in [min_ratio, max_ratio] until the window fits,
   * at a uniform position; else the largest centred window with a ratio in range. The window is
   * then resized to the output size.
   */
  static ImageTensor randomResizedCrop(ImageTensor in, ImageTransform t, SplittableRandom random) {
    int imgH = in.height();
    int imgW = in.width();
    double area = (double) imgH * imgW;
    double logMin = Math.log(t.minRatio());
    double logMax = Math.log(t.maxRatio());
    for (int attempt = 0; attempt < 10; attempt++) {
      double target = area * uniform(random, t.minScale(), t.maxScale());
      double ratio = Math.exp(uniform(random, logMin, logMax));
      int w = (int) Math.round(Math.sqrt(target * ratio));
      int h = (int) Math.round(Math.sqrt(target / ratio));
      if (w > 0 && w <= imgW && h > 0 && h <= imgH) {
        int top = random.nextInt(imgH - h + 1);
        int left = random.nextInt(imgW - w + 1);
        return resizeWindow(in, top, left, h, w, t.height(), t.width());
      }
    }
    double inRatio = (double) imgW / imgH;
    int w = imgW;
    int h = imgH;
    if (inRatio < t.minRatio()) {
      h = Math.max(1, Math.min(imgH, (int) Math.round(w / t.minRatio())));
    } else if (inRatio > t.maxRatio()) {
      w = Math.max(1, Math.min(imgW, (int) Math.round(h * t.maxRatio())));
    }
    return resizeWindow(in, (imgH - h) / 2, (imgW - w) / 2, h, w, t.height(), t.width());
  }

  private static double uniform(SplittableRandom random, double low, double high) {
    return low < high ? random.nextDouble(low, high) : low;
  }
}
