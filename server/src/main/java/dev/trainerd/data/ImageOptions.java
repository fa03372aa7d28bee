package dev.trainerd.data;

import dev.trainerd.errors.FieldViolation;
import java.util.ArrayList;
import java.util.List;

/**
 * The options of image data sets (IMAGE_FOLDER, IMAGE_LIST, CIFAR).
 *
 * <p>Random steps act only in training, and are drawn afresh for every training example and
 * epoch from a generator seeded by ({@code seed}, the job's seed, epoch, example index, step
 * position). The data set's examples, and so validation, test, evaluation and prediction, hold
 * the deterministic view: flips skipped, random resized crops replaced by a resize of the whole
 * image ({@code dev.trainerd.data.image.ImagePipeline}).
 *
 * @param transforms the steps applied to every image, in order; empty leaves CHW pixel values
 *     0..255 as floats
 * @param seed seeds the random steps together with each job's seed; default 0
 * @param cifarLabels CIFAR: which label byte is the class; default {@link CifarLabels#AUTO}
 */
public record ImageOptions(List<ImageTransform> transforms, long seed, CifarLabels cifarLabels) {

  /** No transforms, seed 0, CIFAR labels detected. */
  public static final ImageOptions NONE = new ImageOptions(List.of(), 0, CifarLabels.AUTO);

  public ImageOptions {
    transforms = transforms == null ? List.of() : List.copyOf(transforms);
    cifarLabels = cifarLabels == null ? CifarLabels.AUTO : cifarLabels;
  }

  /** Whether anything differs from {@link #NONE}. */
  public boolean isSet() {
    return !equals(NONE);
  }

  /**
   * The problems with these options; fields are {@code transforms[i].<kind>.<parameter>}. Also
   * checks the order: one TO_TENSOR at most, and NORMALIZE only after it.
   */
  public List<FieldViolation> violations() {
    List<FieldViolation> out = new ArrayList<>();
    boolean tensor = false;
    for (int i = 0; i < transforms.size(); i++) {
      String at = "transforms[" + i + "]";
      ImageTransform t = transforms.get(i);
      if (t == null) {
        out.add(new FieldViolation(at, "must be set"));
        continue;
      }
      t.violations().forEach(v -> out.add(v.under(at)));
      if (t.kind() == ImageTransform.Kind.TO_TENSOR) {
        if (tensor) {
          out.add(new FieldViolation(at + ".to_tensor", "the pipeline already has a to_tensor step"));
        }
        tensor = true;
      } else if (t.kind() == ImageTransform.Kind.NORMALIZE && !tensor) {
        out.add(new FieldViolation(at + ".normalize", "must come after a to_tensor step"));
      }
    }
    return out;
  }

  /** A deterministic text form for the dataset's identity. */
  String canonicalForm() {
    StringBuilder b = new StringBuilder("image/v1|seed=").append(seed).append("|cifar=").append(cifarLabels);
    for (ImageTransform t : transforms) {
      b.append('|').append(t.canonicalForm());
    }
    return b.toString();
  }
}
