package dev.trainerd.data.image;

import dev.trainerd.errors.TrainerdException;
import dev.trainerd.ml.Examples;
import java.util.Arrays;

/**
 * Collects transformed images as flattened CHW rows with their labels, checking that every image
 * has the shape of the first and that the data set stays under the value limit.
 */
final class ImageRows {

  private final long maxTotalValues;
  private final String datasetField;
  private float[] features = new float[0];
  private int[] labels = new int[0];
  private int count;
  private ImageTensor first;
  private String firstName;

  /**
   * @param maxTotalValues most floats over all rows
   * @param datasetField field for data-set-wide problems, such as {@code files[a.zip]}
   */
  ImageRows(long maxTotalValues, String datasetField) {
    this.maxTotalValues = maxTotalValues;
    this.datasetField = datasetField;
  }

  int count() {
    return count;
  }

  /** Appends one transformed image. */
  void add(ImageTensor image, int label, String name, String field) {
    if (first == null) {
      first = image;
      firstName = name;
    } else if (image.channels() != first.channels() || image.height() != first.height() || image.width() != first.width()) {
      throw TrainerdException.InvalidArgument.of(
          field,
          name + " is " + image.shape() + " (CxHxW) after the transforms but " + firstName + " is " + first.shape()
              + "; all images must share size and channels (add resize or center_crop, or convert the images)");
    }
    int size = image.values().length;
    long needed = (long) (count + 1) * size;
    if (needed > maxTotalValues || needed > Integer.MAX_VALUE - 8) {
      throw TrainerdException.InvalidArgument.of(
          datasetField,
          "expands to more than " + Math.min(maxTotalValues, Integer.MAX_VALUE - 8)
              + " feature values after the transforms; use fewer or smaller images");
    }
    if (needed > features.length) {
      long grown = Math.max(needed, Math.min((long) features.length * 2, Integer.MAX_VALUE - 8));
      features = Arrays.copyOf(features, (int) Math.min(grown, Integer.MAX_VALUE - 8));
    }
    if (count == labels.length) {
      labels = Arrays.copyOf(labels, Math.max(16, labels.length * 2));
    }
    System.arraycopy(image.values(), 0, features, count * size, size);
    labels[count++] = label;
  }

  /**
   * The examples, with labels mapped through {@code classOf} (from arrival index to class index).
   *
   * @throws TrainerdException.InvalidArgument when there are no images
   */
  Examples build(int[] classOf, int classCount) {
    if (count == 0) {
      throw TrainerdException.InvalidArgument.of(datasetField, "holds no images");
    }
    if (classCount < 2) {
      throw TrainerdException.InvalidArgument.of(
          datasetField, "holds images of one class only; classification needs at least two classes");
    }
    int size = first.values().length;
    int[] classes = new int[count];
    for (int i = 0; i < count; i++) {
      classes[i] = classOf == null ? labels[i] : classOf[labels[i]];
    }
    float[] exact = features.length == count * size ? features : Arrays.copyOf(features, count * size);
    features = null;
    return new Examples(count, size, exact, new Examples.Labels.Classes(classes, classCount));
  }
}
